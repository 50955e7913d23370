"""Experiment artifacts (automation ``experiment``) and their ``cm-result.json``, written the way
upstream's importer lays them out: ``<repo>/experiment/<name>/<run folder>/cm-result.json``.

Re-importing is idempotent: records are matched by uid (or, for records another importer wrote,
by the uid their identity gives), imported keys are refreshed, the record keeps its uid (links to
a published result stay valid), keys added by users (derived metrics, notes) are kept, records
that match nothing are kept, and a file whose text would not change is not written at all. Every write is atomic (temp file + rename) under the lock file
``cm-result.json.lock`` that the experiment automation uses for its appends.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from colmind.api import access
from colmind.core import get_core
from colmind.store import atomic
from colmind.store.lock import locked

from .records import Record, identity, record_uid
from .values import normalise_version

AUTOMATION = "experiment"
RESULT_FILE = "cm-result.json"
LOCK_FILE = RESULT_FILE + ".lock"
FIND_OR_ADD_LOCK = "experiment-find-or-add"  # the experiment automation's lock name


class StoreError(RuntimeError):
    """An experiment artifact could not be found, created or read."""


@dataclass
class Written:
    """What one import did to one experiment."""

    name: str
    path: str
    run_dir: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # records of the file that no imported record matched
    file_changed: bool = False


def artifact_path(repo: str, name: str, tags: list[str]) -> str:
    """The experiment ``repo:name``, created with ``tags`` when missing."""
    found = access({"action": "find", "automation": AUTOMATION, "artifact": f"{repo}:{name}"})
    if found["return"] > 0:
        raise StoreError(f"cannot look up experiment {repo}:{name}: {found.get('error')}")
    if found["list"]:
        return os.fspath(found["list"][0].path)
    added = access({"action": "add", "automation": AUTOMATION, "artifact": f"{repo}:{name}",
                    "tags": ",".join(tags)})
    if added["return"] > 0:
        raise StoreError(f"cannot create experiment {repo}:{name}: {added.get('error')}")
    return os.fspath(added["path"])


def run_folder(path: str) -> str:
    """The first run folder holding a cm-result.json, else the first folder, else a new
    ``YYYY-MM-DD.HH-MM-SS.ffffff`` folder (CM's name)."""
    subdirs = sorted(n for n in os.listdir(path)
                     if not n.startswith(".") and os.path.isdir(os.path.join(path, n)))
    with_results = [n for n in subdirs if os.path.isfile(os.path.join(path, n, RESULT_FILE))]
    if with_results or subdirs:
        return os.path.join(path, (with_results or subdirs)[0])
    folder = os.path.join(path, datetime.now().isoformat().replace(":", "-").replace("T", "."))
    os.makedirs(folder, exist_ok=True)
    return folder


def place(repo: str, name: str, tags: list[str]) -> tuple[str, str]:
    """(artifact path, run folder), chosen under the automation's find-or-add lock."""
    with get_core().lock(FIND_OR_ADD_LOCK):
        path = artifact_path(repo, name, tags)
        return path, run_folder(path)


def load(run_dir: str) -> list[Record]:
    path = os.path.join(run_dir, RESULT_FILE)
    if not os.path.isfile(path):
        return []
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: not readable JSON ({exc}); fix or move it, nothing was written") from exc
    if not isinstance(data, list):
        raise StoreError(f"{path}: expected a JSON list of records; nothing was written")
    return [r for r in data if isinstance(r, dict)]


_SCALAR = json.JSONEncoder(ensure_ascii=False).encode  # C-accelerated for one value


def dump(records: list[Record]) -> str:
    """``json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False) + "\\n"``, byte for byte;
    flat records (MLPerf's) are formatted here, as the indenting encoder is pure Python (5x slower)."""
    flat = all(isinstance(r, dict) and r and all(isinstance(k, str) and not isinstance(v, (dict, list, tuple))
                                                 for k, v in r.items()) for r in records)
    if not flat or not records:
        return json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    parts = ("  {\n" + ",\n".join(f"    {_SCALAR(k)}: {_SCALAR(r[k])}" for k in sorted(r)) + "\n  }"
             for r in records)
    return "[\n" + ",\n".join(parts) + "\n]\n"


def write(repo: str, name: str, tags: list[str], records: list[Record]) -> Written:
    path, run_dir = place(repo, name, tags)
    done = Written(name, path, run_dir)
    target = os.path.join(run_dir, RESULT_FILE)
    with locked(os.path.join(run_dir, LOCK_FILE)):
        existing = load(run_dir)
        merged = merge(existing, records, done)
        text = dump(merged)
        if not os.path.isfile(target) or _read(target) != text:
            atomic.write_text(target, text)
            done.file_changed = True
    return done


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def derived_uid(record: Record) -> str | None:
    """The uid this importer gives the result ``record`` describes (None: not an MLPerf result)."""
    version = normalise_version(str(record.get("version") or ""))
    key = identity(record, version)
    return record_uid(key) if all(key) else None


def merge(existing: list[Record], new: list[Record], done: Written) -> list[Record]:
    """Existing records in their order (matched ones refreshed), then the new ones by uid."""
    incoming = {str(r["uid"]): r for r in new}
    merged: dict[str, Record] = {}
    order: list[Any] = []  # a uid (str) or an unmatched record (dict)
    for old in existing:
        uid = str(old.get("uid")) if old.get("uid") in incoming else derived_uid(old)
        if uid is None or uid not in incoming:
            order.append(old)
            done.kept += 1
        elif uid in merged:  # a second record of one result (upstream's split power rows)
            merged[uid] = {**old, **merged[uid]}
        else:
            merged[uid] = dict(old)
            order.append(uid)
    for uid, record in incoming.items():
        before = merged.get(uid)
        merged[uid] = {**(before or {}), **record}
        if before is not None and isinstance(before.get("uid"), str) and before["uid"]:
            merged[uid]["uid"] = before["uid"]  # the uid a published record already has
        if before is None:
            order.append(uid)
            done.new += 1
        elif before == merged[uid]:
            done.unchanged += 1
        else:
            done.updated += 1
    return [merged[x] if isinstance(x, str) else x for x in order]
