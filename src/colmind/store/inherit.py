"""``_base`` meta inheritance (spec cm-core 5.12)."""

from __future__ import annotations

from colmind.errors import AlreadyExists, CMError
from colmind.store.meta import merge_dicts

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from colmind.store.model import Row

    # finder(automation_name, artifact_name) -> rows matching (no inheritance)
    Finder = Callable[[str, str], list[Row]]

MAX_DEPTH = 10


def inherited_meta(row: Row, finder: Finder, depth: int = 0) -> dict[str, Any]:
    """The meta of ``row`` with its ``_base`` chain merged in (own keys win, lists base-first)."""
    import copy

    meta = copy.deepcopy(row.meta)
    base = meta.pop("_base", None)
    if not base:
        return meta
    if depth >= MAX_DEPTH:
        raise AlreadyExists(f"inheritance recursion is too deep > {MAX_DEPTH}")
    automation, _, name = str(base).rpartition("::")
    automation = automation or row.automation_uid or row.automation_alias
    found = finder(automation, name)
    where = f"{row.alias},{row.uid}"
    if not found:
        raise CMError(f"base artifact {base} not found in {where}")
    if len(found) > 1:
        raise CMError(f"more than 1 base artifact {base} found in {where}")
    merged = inherited_meta(found[0], finder, depth + 1)
    return merge_dicts(merged, meta, append_lists=True)
