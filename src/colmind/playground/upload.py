"""Uploaded records become files: a new run folder with ``cm-result.json`` in the experiment
(created in the local repository when missing). The database then indexes them like any file."""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
from typing import Any

from colmind.playground import artifacts, names
from colmind.playground.names import BadInput
from colmind.store import atomic

MAX_KEYS = 500


def store(experiment: str, tags: list[str], records: list[dict[str, Any]]) -> dict[str, Any]:
    alias = names.name(experiment, "experiment name")
    if not alias or " " in alias:
        raise BadInput("experiment: a name without spaces is required")
    for t in tags:
        names.tags(t)
    clean = [_record(r) for r in records]
    found = artifacts.find("experiment", names=[alias])
    path = found[0].path if found else _create(alias, tags)
    folder = _new_run_folder(path)
    atomic.write_text(os.path.join(folder, "cm-result.json"), json.dumps(clean, indent=1, default=str) + "\n")
    return {"experiment": alias, "path": folder, "uids": [r["uid"] for r in clean]}


def _record(rec: dict[str, Any]) -> dict[str, Any]:
    if len(rec) > MAX_KEYS:
        raise BadInput(f"a record has more than {MAX_KEYS} keys")
    out = {}
    for k, v in rec.items():
        names.key(str(k))
        if isinstance(v, (dict, list)):
            raise BadInput(f"record key {k[:40]!r}: values must be flat (numbers, text, booleans, null)")
        out[str(k)] = v
    uid = str(out.get("uid") or secrets.token_hex(8))
    out["uid"] = names.uid(uid) or secrets.token_hex(8)
    return out


def _create(alias: str, tags: list[str]) -> str:
    r = artifacts.access({"action": "find", "automation": "repo", "artifact": "local"})
    repos = r.get("list", []) if r["return"] == 0 else []
    if not repos:
        raise BadInput("the local repository was not found")
    path = os.path.join(repos[0].content_path, "experiment", alias)
    if os.path.exists(os.path.join(path, "_cm.json")):
        return path
    meta = {"alias": alias, "automation_alias": "experiment", "automation_uid": artifacts.UIDS["experiment"],
            "tags": tags or [alias], "uid": secrets.token_hex(8)}
    os.makedirs(path, exist_ok=True)
    atomic.write_text(os.path.join(path, "_cm.json"), json.dumps(meta, indent=2) + "\n")
    return path


def _new_run_folder(path: str) -> str:
    base = _dt.datetime.now().isoformat().replace(":", "-").replace("T", ".")
    folder, n = os.path.join(path, base), 0
    while True:
        try:
            os.makedirs(folder)
            return folder
        except FileExistsError:
            n += 1
            folder = os.path.join(path, f"{base}.{n}")
