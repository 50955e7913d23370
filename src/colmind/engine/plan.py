"""Plan nodes: what one recipe call resolved to and what happened to it.

The engine builds one :class:`Node` per recipe call while it walks the dependency tree lazily
(conditions are evaluated against the env produced so far). The same tree feeds ``--dry-run``
output, the run record and failure chains.
"""

from __future__ import annotations

from colmind.valueclass import Value, as_dict

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class SkippedDep(Value):
    """A dependency that was not called, and why."""

    _fields = ("kind", "tags", "reason")

    def __init__(self, kind: str, tags: str, reason: str) -> None:
        self.kind = kind
        self.tags = tags
        self.reason = reason


class Node(Value):
    """One recipe call."""

    _fields = ("kind", "request_tags", "alias", "uid", "path", "variations", "versions", "version", "cache",
               "cache_key", "cache_entry", "cache_note", "status", "seconds", "new_env", "skipped", "children",
               "tag_prefix", "result")
    _compare = _fields[:-1]  # not ``result``
    _norepr = frozenset({"result"})

    def __init__(self, kind: str, request_tags: str, alias: str = "", uid: str = "", path: str = "",
                 variations: list[str] | None = None, versions: dict[str, str] | None = None,
                 version: str = "", cache: str = "off", cache_key: str = "", cache_entry: str = "",
                 cache_note: str = "", status: str = "planned", seconds: float = 0.0,
                 new_env: dict[str, Any] | None = None, skipped: list[SkippedDep] | None = None,
                 children: list[Node] | None = None, tag_prefix: str = "script-artifact-",
                 result: dict[str, Any] | None = None) -> None:
        self.kind = kind  # top | deps | prehook_deps | posthook_deps | post_deps | access
        self.request_tags = request_tags
        self.alias = alias
        self.uid = uid
        self.path = path
        self.variations: list[str] = [] if variations is None else variations
        self.versions: dict[str, str] = {} if versions is None else versions
        self.version = version
        self.cache = cache  # off | hit | miss | new | renew | skip | dry-hit | dry-miss
        self.cache_key = cache_key
        self.cache_entry = cache_entry
        self.cache_note = cache_note
        self.status = status  # planned | ran | cached | skipped | fake | failed | dry
        self.seconds = seconds
        self.new_env: dict[str, Any] = {} if new_env is None else new_env
        self.skipped: list[SkippedDep] = [] if skipped is None else skipped
        self.children: list[Node] = [] if children is None else children
        self.tag_prefix = tag_prefix
        self.result: dict[str, Any] = {} if result is None else result

    def to_dict(self) -> dict[str, Any]:
        """The node and its children as plain data, without ``result`` (the caller's whole env:
        converting it only to drop it was most of the cost of writing a run record)."""
        data: dict[str, Any] = {}
        for name in self._fields:
            if name == "result":
                continue
            value = getattr(self, name)
            if name == "children" and all(isinstance(c, Node) for c in value):
                data[name] = [c.to_dict() for c in value]
            else:
                data[name] = _plain(value)
        return data

    def walk(self) -> list[Node]:
        out = [self]
        for c in self.children:
            out += c.walk()
        return out


_ATOMIC = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """``as_dict(value)`` for the strings, lists, dicts and values a node holds, without its
    ``copy.deepcopy`` of every string (which imports ``copy``); anything else goes to ``as_dict``."""
    cls = type(value)
    if cls in _ATOMIC:
        return value
    if isinstance(value, Value):
        return {name: _plain(getattr(value, name)) for name in value._fields}
    if cls is list:
        return [_plain(v) for v in value]
    if cls is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    return as_dict(value)
