"""Generate N cache entries in the CM cache layout: ``<CM_REPOS>/repos/local/cache/<uid>/_cm.json``.

Each entry looks like one written by a real ``get-generic-python-lib`` run (tags, version,
``associated_script_artifact``) plus a ``cm-cached-state.json``. Entry ``i`` has the tag
``pkg-<i>``, so ``--tags=benchlib,pkg-7`` matches exactly one entry at every size.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

CACHE_UID = "541d6f712a6b464e"
SCRIPT_UID = "94b62a682bc44791"


def query(size: int) -> tuple[str, int]:
    """A selective cache query and how many entries it matches."""
    return "benchlib,pkg-7", 1 if size > 7 else 0


def generate(cm_repos: Path, size: int) -> Path:
    """Write ``size`` entries into the local repo of ``cm_repos`` (created if missing)."""
    local = cm_repos / "repos" / "local"
    cache = local / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    if not (local / "cmr.yaml").exists():
        (local / "cmr.yaml").write_text("alias: local\nname: local CM repository\nuid: 9a3280b14a4285c9\n")
    for i in range(size):
        uid = hashlib.md5(f"cache:{i}".encode()).hexdigest()[:16]
        entry = cache / uid
        entry.mkdir(exist_ok=True)
        version = f"1.{i % 97}.{i}"
        meta = {"alias": "", "uid": uid, "automation_alias": "cache", "automation_uid": CACHE_UID,
                "associated_script_artifact": f"get-generic-python-lib,{SCRIPT_UID}",
                "associated_script_artifact_uid": SCRIPT_UID,
                "tags": ["get", "generic-python-lib", "benchlib", f"pkg-{i}", f"_package.pkg{i}",
                         f"script-artifact-{SCRIPT_UID}", f"version-{version}"],
                "version": version}
        (entry / "_cm.json").write_text(json.dumps(meta, indent=2))
        state = {"deps": [], "new_env": {f"CM_PKG{i}_VERSION": version}, "new_state": {}, "version": version}
        (entry / "cm-cached-state.json").write_text(json.dumps(state, indent=2))
    return cache
