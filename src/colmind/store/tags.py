"""Tag queries: AND-tags and ``-tag`` exclusions (spec cm-core 3.3)."""

from __future__ import annotations

from colmind.valueclass import FrozenValue

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


def split_tags(value: str | Sequence[str] | None) -> list[str]:
    """A ``--tags`` value (comma string or list) as a list of stripped, non-empty items."""
    if value is None or value is True or value is False:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    elif isinstance(value, (int, float)):
        items = [str(value)]
    else:
        from colmind.errors import CMError

        raise CMError(f"tags must be a comma-separated string or a list, not {type(value).__name__}")
    return [t.strip() for t in items if t.strip()]


class TagQuery(FrozenValue):
    _fields = ("required", "excluded")
    required: tuple[str, ...]
    excluded: tuple[str, ...]

    def __init__(self, required: tuple[str, ...] = (), excluded: tuple[str, ...] = ()) -> None:
        self._set("required", required)
        self._set("excluded", excluded)

    @classmethod
    def parse(cls, value: str | Sequence[str] | None) -> TagQuery:
        items = split_tags(value)
        req = tuple(t for t in items if not t.startswith("-"))
        exc = tuple(t[1:] for t in items if t.startswith("-") and len(t) > 1)
        return cls(req, exc)

    @property
    def empty(self) -> bool:
        return not self.required and not self.excluded

    def matches(self, tags: Iterable[str]) -> bool:
        have = set(tags)
        return all(t in have for t in self.required) and not any(t in have for t in self.excluded)
