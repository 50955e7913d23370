"""Limits on every JSON/YAML document colmind reads (metas, ``@file`` inputs, settings).

A YAML "alias bomb" is a few hundred bytes whose aliases expand to billions of nodes: parsing it
is quick (aliases are shared references), but anything that walks or writes it (merging metas,
saving ``_cm.json``) runs for ever. A document that may hold aliases is therefore sized as if
every alias were expanded (each shared value once) and refused past ``MAX_NODES``; a
self-referencing one (``&a [*a]``) is refused too. Every document is refused past ``MAX_BYTES`` and past
``MAX_DEPTH`` levels of nesting.
"""

from __future__ import annotations

from colmind.errors import BadFile

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

MAX_BYTES = 64 * 1024 * 1024
MAX_NODES = 1_000_000
MAX_DEPTH = 200


def check_size(text: str | bytes, path: str) -> None:
    if len(text) > MAX_BYTES:
        raise BadFile(f"detected problem in {path}: {len(text)} bytes, more than colmind reads "
                      f"({MAX_BYTES} bytes)")


def may_alias(text: str) -> bool:
    """Whether a YAML text may hold anchors or aliases (then ``check_expansion`` must walk it)."""
    return "&" in text or "*" in text


def check_expansion(data: Any, path: str) -> None:
    """Refuse a document whose expanded size exceeds ``MAX_NODES``, nests deeper than
    ``MAX_DEPTH`` or contains itself. Each shared value is sized once (time grows with the
    document's own nodes, not with its expansion)."""
    sizes: dict[int, int] = {}
    if _expanded(data, path, 0, set(), sizes) > MAX_NODES:
        raise BadFile(f"detected problem in {path}: its aliases expand to more than {MAX_NODES} values "
                      "(a YAML alias bomb?)")


def _expanded(node: Any, path: str, depth: int, parents: set[int], sizes: dict[int, int]) -> int:
    """The number of values ``node`` stands for once every alias is expanded (capped)."""
    if not isinstance(node, (dict, list)):
        return 1
    key = id(node)
    known = sizes.get(key)
    if known is not None:
        return known
    if depth >= MAX_DEPTH:
        raise BadFile(f"detected problem in {path}: nested more than {MAX_DEPTH} levels deep")
    if key in parents:
        raise BadFile(f"detected problem in {path}: a value contains itself (a recursive YAML alias)")
    parents.add(key)
    total = 1
    for item in (list(node.keys()) + list(node.values())) if isinstance(node, dict) else node:
        total = min(total + _expanded(item, path, depth + 1, parents, sizes), MAX_NODES + 1)
    parents.discard(key)
    sizes[key] = total
    return total


def check_depth(data: Any, path: str) -> None:
    """``MAX_DEPTH`` for a document without aliases (JSON): cheap, only containers are visited."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            raise BadFile(f"detected problem in {path}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
