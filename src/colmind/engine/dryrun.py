"""``--dry-run``: print the plan (recipes with variations, version constraints, cache hit or not,
and which condition skipped which dependency) after walking it without running anything.
"""

from __future__ import annotations

from colmind.engine.plan import Node

_CACHE_WORDS = {"dry-hit": "cache HIT", "dry-miss": "cache miss (would build)", "off": "not cached",
                "skip": "cache skipped"}


def render(root: Node) -> str:
    """Indented tree, one line per recipe call plus one per skipped dependency."""
    lines = ["Dry run: nothing was executed. Plan:"]
    _render(root, 0, lines)
    return "\n".join(lines) + "\n"


def _render(node: Node, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    parts = [f"{pad}- [{node.kind}] {node.alias or node.request_tags}"]
    if node.uid:
        parts.append(f"({node.uid})")
    if node.variations:
        parts.append("variations " + ",".join("_" + v for v in node.variations))
    if node.versions:
        parts.append("versions " + ", ".join(f"{k}={v}" for k, v in sorted(node.versions.items())))
    if node.version and "version" not in node.versions:
        parts.append(f"default version {node.version}")
    cache = _CACHE_WORDS.get(node.cache, node.cache)
    if node.cache_key:
        cache += f" key {node.cache_key[:16]}"
    if node.cache_entry:
        cache += f" entry {node.cache_entry}"
    parts.append("| " + cache)
    if node.cache_note:
        parts.append("| " + node.cache_note)
    lines.append(" ".join(parts))
    for skipped in node.skipped:
        lines.append(f"{pad}  x [{skipped.kind}] {skipped.tags} skipped: {skipped.reason}")
    for child in node.children:
        _render(child, depth + 1, lines)
