"""``json.dumps`` for the run path without importing ``json``.

``import json`` loads ``json.decoder``, ``json.scanner`` and ``json.encoder``, which import ``re``
(and ``enum``): several milliseconds of every ``cm run script`` that only needs to write a key,
a run record and maybe ``-j`` output. The compact form is CPython's C encoder (``_json``), the
one ``json.dumps`` uses, configured the same way; the indented form (which ``json`` writes with
its pure-Python encoder) is written here chunk for chunk like ``json.encoder._make_iterencode``.
Output, exceptions and messages are those of ``json.dumps`` (``ensure_ascii``, ``allow_nan`` and
``check_circular`` on); without the C module every call is handed to ``json.dumps``.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_INFINITY = float("inf")


def _plain_scalar(o: Any) -> str | None:
    """JSON text of None, a bool, an int or a float (as ``json`` writes them); None otherwise."""
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return _floatstr(o)
    return None


def _no_default(o: Any) -> Any:
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def _c_parts() -> tuple[Any, Any] | None:
    try:
        from _json import encode_basestring_ascii, make_encoder
    except ImportError:  # pragma: no cover - interpreters without the C accelerator
        return None
    return make_encoder, encode_basestring_ascii


def dumps(obj: Any, *, sort_keys: bool = False, separators: tuple[str, str] = (", ", ": "),
          default: Callable[[Any], Any] | None = None, indent: int | None = None) -> str:
    """``json.dumps(obj, sort_keys=..., separators=..., default=..., indent=...)``."""
    parts = _c_parts()
    if parts is None:
        import json

        return json.dumps(obj, sort_keys=sort_keys, separators=separators if indent is None else None,
                          default=default, indent=indent)
    make_encoder, encode_str = parts
    if isinstance(obj, str):
        return str(encode_str(obj))
    fallback = default or _no_default
    if indent is not None:
        return _Pretty(encode_str, fallback, " " * indent, sort_keys).encode(obj)
    encoder = make_encoder({}, fallback, encode_str, None, separators[1], separators[0], sort_keys, False, True)
    return "".join(encoder(obj, 0))


def _floatstr(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INFINITY:
        return "Infinity"
    if o == -_INFINITY:
        return "-Infinity"
    return float.__repr__(o)


class _Pretty:
    """The indented encoder: separators ``(",", ": ")`` as ``json.dumps(indent=N)`` uses."""

    def __init__(self, encode_str: Callable[[str], str], default: Callable[[Any], Any], indent: str,
                 sort_keys: bool) -> None:
        self.s, self.default, self.indent, self.sort_keys = encode_str, default, indent, sort_keys
        self.markers: dict[int, Any] = {}
        self.out: list[str] = []

    def encode(self, obj: Any) -> str:
        self.value(obj, 0)
        return "".join(self.out)

    def _scalar(self, o: Any) -> str | None:
        return self.s(o) if isinstance(o, str) else _plain_scalar(o)

    def value(self, o: Any, level: int) -> None:
        text = self._scalar(o)
        if text is not None:
            self.out.append(text)
        elif isinstance(o, (list, tuple)):
            self._list(o, level)
        elif isinstance(o, dict):
            self._dict(o, level)
        else:
            mark = self._mark(o)
            self.value(self.default(o), level)
            del self.markers[mark]

    def _mark(self, o: Any) -> int:
        mark = id(o)
        if mark in self.markers:
            raise ValueError("Circular reference detected")
        self.markers[mark] = o
        return mark

    def _list(self, lst: list[Any] | tuple[Any, ...], level: int) -> None:
        if not lst:
            self.out.append("[]")
            return
        mark = self._mark(lst)
        newline = "\n" + self.indent * (level + 1)
        self.out.append("[" + newline)
        for n, item in enumerate(lst):
            if n:
                self.out.append("," + newline)
            self.value(item, level + 1)
        self.out.append("\n" + self.indent * level + "]")
        del self.markers[mark]

    def _dict(self, dct: dict[Any, Any], level: int) -> None:
        if not dct:
            self.out.append("{}")
            return
        mark = self._mark(dct)
        newline = "\n" + self.indent * (level + 1)
        self.out.append("{" + newline)
        first = True
        for key, item in sorted(dct.items()) if self.sort_keys else dct.items():
            name = self._key(key)
            if not first:
                self.out.append("," + newline)
            first = False
            self.out.append(self.s(name) + ": ")
            self.value(item, level + 1)
        self.out.append("\n" + self.indent * level + "}")
        del self.markers[mark]

    @staticmethod
    def _key(key: Any) -> str:
        if isinstance(key, str):
            return key
        text = _plain_scalar(key)
        if text is None:
            raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
        return text
