"""Tag query grammar of ``cm run script``: ``a,b,-c,_v,-_w,_p.value`` (spec 2.3).

A tag starting with ``_`` selects a variation, ``-_x`` excludes variation ``x``, ``-t`` excludes
script tag ``t``. Tags are stripped; empty ones are dropped; duplicated variations are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from colmind.errors import CMError
from colmind.valueclass import FrozenValue


class TagQuery(FrozenValue):
    """A parsed tag query."""

    _fields = ("tags", "excluded_tags", "variations", "excluded_variations", "raw", "requested")
    _compare = ("tags", "excluded_tags", "variations", "excluded_variations", "requested")
    tags: tuple[str, ...]  # required script tags
    excluded_tags: tuple[str, ...]  # "-t" script tags
    variations: tuple[str, ...]  # "_x" -> "x", in request order
    excluded_variations: tuple[str, ...]  # "-_x" -> "x"
    raw: tuple[str, ...]  # not compared
    requested: tuple[str, ...]  # variations in request order, "x" or "-x"

    def __init__(self, tags: tuple[str, ...] = (), excluded_tags: tuple[str, ...] = (),
                 variations: tuple[str, ...] = (), excluded_variations: tuple[str, ...] = (),
                 raw: tuple[str, ...] = (), requested: tuple[str, ...] = ()) -> None:
        self._set("tags", tags)
        self._set("excluded_tags", excluded_tags)
        self._set("variations", variations)
        self._set("excluded_variations", excluded_variations)
        self._set("raw", raw)
        self._set("requested", requested)

    @property
    def variation_request(self) -> list[str]:
        """Variations as CM lists them: ``x`` selected, ``-x`` excluded (``_-x`` / ``-_x``)."""
        return list(self.requested)

    def script_query(self) -> list[str]:
        """Tags to give the index: required ones plus ``-t`` exclusions."""
        return list(self.tags) + ["-" + t for t in self.excluded_tags]

    def display(self) -> str:
        """``probe probe-env _v2`` as CM prints it in ``* cm run script "..."``."""
        parts = list(self.tags) + ["-" + t for t in self.excluded_tags]
        parts += ["_" + v for v in self.variations] + ["_-" + v for v in self.excluded_variations]
        return " ".join(parts)

    def as_string(self) -> str:
        """Comma form, for re-run commands and dep records."""
        return ",".join(self.display().split(" "))


def split_tags(value: str | Sequence[str] | None) -> list[str]:
    """Split a comma string (or list of strings) into stripped, non-empty tags."""
    if value is None or isinstance(value, bool):  # a bare --tags
        return []
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, (str, list, tuple)):
        from colmind.errors import CMError

        raise CMError(f"tags must be a comma-separated string or a list, not {type(value).__name__}")
    items: Iterable[str] = value.split(",") if isinstance(value, str) else value
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            tag = part.strip()
            if tag:
                out.append(tag)
    return out


def positional_to_tags(value: str) -> list[str]:
    """``"get python3"`` / ``"_v1 _v2"`` -> tags (spaces and commas both separate)."""
    return split_tags(value.replace(" ", ","))


def parse(value: str | Sequence[str] | None) -> TagQuery:
    """Parse a tag query.

    Raises:
        CMError: a tag is both required and excluded.
    """
    tags: list[str] = []
    excl: list[str] = []
    var: list[str] = []
    excl_var: list[str] = []
    order: list[str] = []
    raw = split_tags(value)
    for tag in raw:
        if tag.startswith(("-_", "_-")):
            _add(excl_var, tag[2:])
            _add(order, "-" + tag[2:])
        elif tag.startswith("_"):
            _add(var, tag[1:])
            _add(order, tag[1:])
        elif tag.startswith("-"):
            _add(excl, tag[1:])
        else:
            _add(tags, tag)
    _check_conflicts(tags, excl, "tag")
    _check_conflicts(var, excl_var, "variation")
    return TagQuery(tuple(tags), tuple(excl), tuple(var), tuple(excl_var), tuple(raw), tuple(order))


def _add(seq: list[str], item: str) -> None:
    if item and item not in seq:
        seq.append(item)


def _check_conflicts(included: list[str], excluded: list[str], what: str) -> None:
    both = [t for t in included if t in excluded]
    if both:
        raise CMError(
            f"{what} {both[0]!r} is both selected and excluded in the tag query",
            hint="remove either the plain or the '-' form of the tag",
        )


def matches(tags: Iterable[str], required: Iterable[str], excluded: Iterable[str] = ()) -> bool:
    """True when ``tags`` contain every required tag and none of the excluded ones."""
    have = set(tags)
    return all(t in have for t in required) and not any(t in have for t in excluded)
