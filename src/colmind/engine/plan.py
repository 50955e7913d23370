"""Plan nodes: what one recipe call resolved to and what happened to it.

The engine builds one :class:`Node` per recipe call while it walks the dependency tree lazily
(conditions are evaluated against the env produced so far). The same tree feeds ``--dry-run``
output, the run record and failure chains.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SkippedDep:
    """A dependency that was not called, and why."""

    kind: str
    tags: str
    reason: str


@dataclass
class Node:
    """One recipe call."""

    kind: str  # top | deps | prehook_deps | posthook_deps | post_deps | access
    request_tags: str
    alias: str = ""
    uid: str = ""
    path: str = ""
    variations: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    version: str = ""
    cache: str = "off"  # off | hit | miss | new | renew | skip | dry-hit | dry-miss
    cache_key: str = ""
    cache_entry: str = ""
    cache_note: str = ""
    status: str = "planned"  # planned | ran | cached | skipped | fake | failed | dry
    seconds: float = 0.0
    new_env: dict[str, Any] = field(default_factory=dict)
    skipped: list[SkippedDep] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    tag_prefix: str = "script-artifact-"
    result: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        _drop_results(data)
        return data

    def walk(self) -> list[Node]:
        out = [self]
        for c in self.children:
            out += c.walk()
        return out


def _drop_results(data: dict[str, Any]) -> None:
    data.pop("result", None)
    for child in data.get("children", []):
        _drop_results(child)
