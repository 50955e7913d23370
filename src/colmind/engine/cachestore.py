"""Cache entries on disk, in CM's layout (``<local repo>/cache/<uid>/_cm.json``,
``cm-cached-state.json``, ``tmp-env.sh``), found by content key.

Protocol: an entry is created with tag ``tmp`` and the key in its meta; it becomes complete when
``cm-cached-state.json`` has been written atomically and then the meta rewritten without ``tmp``.
Callers hold ``core.lock("cache-" + key)`` around lookup -> run -> finalize, so a partial entry
seen under the lock belongs to a dead run and is resumed (its directory reused).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence

from colmind.engine import expiration, shell
from colmind.engine.versions import Constraints
from colmind.store import atomic
from colmind.valueclass import Value

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

STATE_FILE = "cm-cached-state.json"
KEY_FIELD = "colmind_cache_key"
CACHE_AUTOMATION = "cache"
CACHE_UID = "541d6f712a6b464e"


class Entry(Value):
    """One cache entry (artifact of automation ``cache``)."""

    _fields = ("path", "meta")

    def __init__(self, path: str, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta

    @property
    def uid(self) -> str:
        return str(self.meta.get("uid") or os.path.basename(self.path))

    @property
    def tags(self) -> list[str]:
        return [str(t) for t in self.meta.get("tags") or []]

    @property
    def key(self) -> str:
        return str(self.meta.get(KEY_FIELD, ""))

    @property
    def state_path(self) -> str:
        return os.path.join(self.path, STATE_FILE)

    @property
    def complete(self) -> bool:
        return "tmp" not in self.tags and os.path.isfile(self.state_path)

    def load_state(self) -> dict[str, Any]:
        from colmind.store.jsonload import loads

        with open(self.state_path, encoding="utf-8") as f:
            data = loads(f.read())
        return data if isinstance(data, dict) else {}


def _from_artifact(a: Any) -> Entry:
    return Entry(str(a.path), dict(getattr(a, "original_meta", None) or a.meta or {}))


def cache_root(core: Any) -> str:
    return os.path.join(str(core.local_repo.path), CACHE_AUTOMATION)


def _scan(core: Any) -> list[Entry]:
    """Read every entry's ``_cm.json`` in the local cache dir (index-independent)."""
    import json

    root = cache_root(core)
    out: list[Entry] = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return out
    for name in names:
        meta_path = os.path.join(root, name, "_cm.json")
        try:
            with open(meta_path, encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict):
            out.append(Entry(os.path.join(root, name), meta))
    return out


def entries_for_script(core: Any, script_uid: str, tag_prefix: str) -> list[Entry]:
    """Entries recorded for a script (via the index)."""
    try:
        found = core.find(CACHE_AUTOMATION, tags=[tag_prefix + script_uid])
    except Exception:  # noqa: BLE001 - a broken index must not break the run; scan instead
        return []
    return [_from_artifact(a) for a in found]


def with_key(core: Any, script_uid: str, key: str, tag_prefix: str, *, scan: bool = True) -> list[Entry]:
    """All entries (complete or partial) carrying ``key``; scans the folder if the index has none."""
    hits = [e for e in entries_for_script(core, script_uid, tag_prefix) if e.key == key]
    if not hits and scan:
        hits = [e for e in _scan(core) if e.key == key]
    return sorted(hits, key=lambda e: e.path)


def all_entries(core: Any) -> list[Entry]:
    return _scan(core)


def validate(entry: Entry, constraints: Constraints, core: Any) -> list[str]:
    """Reasons why a complete entry can no longer be used (empty list = valid)."""
    reasons: list[str] = []
    for path in entry.meta.get("colmind_paths") or []:
        if not os.path.exists(str(path)):
            reasons.append(f"recorded path {path} no longer exists")
    dep_path = entry.meta.get("dependent_cached_path")
    if dep_path and not os.path.exists(str(dep_path)):
        reasons.append(f"dependent_cached_path {dep_path} no longer exists")
    if expiration.expired(entry.meta.get("cache_expiration")):
        reasons.append("expired (cache_expiration)")
    version = str(entry.meta.get("version") or "")
    if version and not constraints.allows(version):
        reasons.append(f"version {version} does not satisfy {constraints.as_dict()}")
    for dep in entry.meta.get("colmind_dep_keys") or []:
        if not isinstance(dep, Mapping):
            continue
        found = with_key(core, str(dep.get("script", "")), str(dep.get("key", "")),
                         str(dep.get("tag_prefix", "script-artifact-")))
        if not any(e.complete for e in found):
            reasons.append(f"dependency entry {dep.get('alias', '')} ({str(dep.get('key', ''))[:16]}) is gone")
    return reasons


def create(core: Any, script_ref: str, script_uid: str, key: str, tags: Sequence[str],
           item_key: str) -> Entry:
    """Add a new ``tmp`` entry to the local repo."""
    import uuid

    uid = uuid.uuid4().hex[:16]
    meta = {
        "alias": "", "uid": uid, "automation_alias": CACHE_AUTOMATION, "automation_uid": CACHE_UID,
        "tags": ["tmp"] + [t for t in tags if t != "tmp"],
        KEY_FIELD: key, item_key: script_ref, item_key + "_uid": script_uid,
        "colmind_created": time.time(),
    }
    art = core.add(CACHE_AUTOMATION, uid=uid, meta=meta)
    return Entry(str(art.path), dict(meta))


def reset_partial(entry: Entry) -> None:
    """A partial entry about to be resumed: drop any stale state file."""
    try:
        os.remove(entry.state_path)
    except OSError:
        pass


def finalize(core: Any, entry: Entry, *, new_env: Mapping[str, Any], new_state: Mapping[str, Any],
             all_env: Mapping[str, Any], deps_used: Sequence[Any], version: str, tags: Sequence[str],
             extra_meta: Mapping[str, Any]) -> Entry:
    """Write state (atomic) then the final meta without ``tmp``: the entry is complete."""
    state = {"new_env": dict(new_env), "new_state": dict(new_state), "deps": list(deps_used), "version": version}
    atomic.write_text(os.path.join(entry.path, "tmp-env.sh"), shell.env_sh_text(new_env))
    atomic.write_text(os.path.join(entry.path, "tmp-env-all.sh"), shell.env_sh_text(all_env))
    atomic.write_json(entry.state_path, state)
    meta = dict(entry.meta)
    meta["tags"] = [t for t in tags if t != "tmp"]
    if version:
        meta["version"] = version
    meta.update(extra_meta)
    meta["colmind_paths"] = existing_paths(new_env.values())
    meta["colmind_completed"] = time.time()
    art = _artifact_for(core, entry)
    if art is not None:
        core.write_meta(art, meta)
    else:
        atomic.write_json(os.path.join(entry.path, "_cm.json"), meta)
    entry.meta = meta
    return entry


def _artifact_for(core: Any, entry: Entry) -> Any:
    try:
        found = core.find(CACHE_AUTOMATION, entry.uid)
    except Exception:  # noqa: BLE001
        return None
    for a in found:
        if os.path.abspath(str(a.path)) == os.path.abspath(entry.path):
            return a
    return None


def existing_paths(values: Iterable[Any]) -> list[str]:
    """Absolute paths among env values that exist now (checked again on every hit)."""
    out: list[str] = []
    for v in values:
        items = v if isinstance(v, list) else [v]
        for item in items:
            if isinstance(item, str) and os.path.isabs(item) and "\n" not in item and os.path.exists(item):
                if item not in out:
                    out.append(item)
    return out


def delete(core: Any, entry: Entry) -> None:
    """Remove an entry (through the core so the index follows; rmtree as a fallback)."""
    art = _artifact_for(core, entry)
    if art is not None:
        core.delete(art)
        return
    import shutil

    shutil.rmtree(entry.path, ignore_errors=True)


def fix_moved_paths(new_env: dict[str, Any], root: str) -> None:
    """Rewrite ``.../local/cache/...`` paths recorded under another CM_REPOS to ``root``."""
    marker = os.sep + os.path.join("local", "cache") + os.sep
    for key, value in list(new_env.items()):
        if isinstance(value, str) and marker in value and not value.startswith(root):
            new_env[key] = os.path.join(root, value.split(marker, 1)[1])
