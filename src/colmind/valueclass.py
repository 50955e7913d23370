"""Plain value classes that behave like ``@dataclass`` ones without importing ``dataclasses``.

Importing ``dataclasses`` pulls in ``inspect`` (and ``ast``, ``dis``...) and every decorated class
costs an ``exec`` at import time; ``cm`` starts a new process for every command, so the value types
on the start-up path derive from :class:`Value` instead. A subclass lists its fields in order in
``_fields`` and writes its own ``__init__``; :class:`Value` then gives it the dataclass
``__repr__``/``__eq__`` (``__hash__`` is ``None``, as for a mutable dataclass) and
:class:`FrozenValue` also the ``__hash__`` and the refusal to assign of ``frozen=True``.
``dataclasses.fields``/``replace``/``asdict``/``is_dataclass`` keep working on them: the
``__dataclass_fields__`` they read is built (importing ``dataclasses``) only when first asked for.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any, ClassVar


class _LazyDataclassFields:
    """``cls.__dataclass_fields__``, computed on first access from ``cls._fields``."""

    def __get__(self, obj: object, owner: type[Value]) -> dict[str, Any]:
        cached = owner.__dict__.get("_dataclass_fields_cache")
        if cached is None:
            import dataclasses

            shadow = dataclasses.make_dataclass(owner.__name__, list(owner._fields))
            cached = dict(shadow.__dataclass_fields__)  # type: ignore[attr-defined]
            owner._dataclass_fields_cache = cached  # type: ignore[attr-defined]
        return cached


class Value:
    """Base of a mutable dataclass-like value: ``_fields`` in order, ``_compare`` (default: all)
    are compared by ``==``, ``_norepr`` are left out of ``repr``."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _compare: ClassVar[tuple[str, ...] | None] = None
    _norepr: ClassVar[frozenset[str]] = frozenset()
    __dataclass_fields__: ClassVar[Any] = _LazyDataclassFields()

    def _key(self) -> tuple[Any, ...]:
        names = self._fields if self._compare is None else self._compare
        return tuple(getattr(self, n) for n in names)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key() == other._key()  # type: ignore[attr-defined, no-any-return]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields if n not in self._norepr)
        return f"{self.__class__.__qualname__}({shown})"


class FrozenValue(Value):
    """A ``frozen=True`` dataclass-like value: hashable, attributes cannot be assigned after
    ``__init__`` (which sets them with ``_set``)."""

    __slots__ = ()

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._key())


def as_dict(obj: Any) -> Any:
    """``dataclasses.asdict`` for :class:`Value` trees: values become dicts of their fields, lists,
    tuples and dicts are rebuilt with their own type, anything else is deep-copied."""
    if isinstance(obj, Value):
        return {name: as_dict(getattr(obj, name)) for name in obj._fields}
    if hasattr(type(obj), "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(obj)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[as_dict(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(as_dict(v) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((as_dict(k), as_dict(v)) for k, v in obj.items())
    import copy

    return copy.deepcopy(obj)
