"""Incremental indexing of experiment result files into the results database.

Each pass lists the experiment artifacts, stats every ``<run folder>/cm-result.json`` (and
``cm-pareto.json``) and re-reads only the files whose signature changed; files and experiments
that disappeared are dropped. Passes run at most every ``min_interval`` seconds, so edits to the
repositories show up without a restart.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from colmind.playground import artifacts, db

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass
class SyncStats:
    experiments: int = 0
    files_read: int = 0
    records_written: int = 0
    files_dropped: int = 0
    seconds: float = 0.0
    errors: list[str] | None = None


class Indexer:
    """Keeps the database in step with the files; thread-safe, throttled."""

    def __init__(self, engine: Engine, min_interval: float = 1.0) -> None:
        self.engine = engine
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last = 0.0
        self.last_stats = SyncStats()

    def ensure_fresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last < self.min_interval:
            return
        with self._lock:
            if not force and time.monotonic() - self._last < self.min_interval:
                return
            try:
                self.last_stats = sync(self.engine)
            except IntegrityError:  # another server process indexed the same file meanwhile
                pass
            self._last = time.monotonic()


def run_folders(path: str) -> list[str]:
    """Direct subfolders of an experiment holding ``cm-result.json`` (upstream: no recursion)."""
    try:
        entries = sorted(os.listdir(path))
    except OSError:
        return []
    return [os.path.join(path, e) for e in entries if os.path.isfile(os.path.join(path, e, "cm-result.json"))]


def _signature(folder: str) -> str:
    parts = []
    for name in ("cm-result.json", "cm-pareto.json"):
        try:
            st = os.stat(os.path.join(folder, name))
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "/".join(parts)


def sync(engine: Engine) -> SyncStats:
    """One indexing pass over every experiment."""
    start = time.perf_counter()
    stats = SyncStats(errors=[])
    items = artifacts.find("experiment")
    seen: set[str] = set()
    with engine.begin() as conn:
        known = {r.uid: dict(r._mapping) for r in conn.execute(select(db.experiments))}
        for item in items:
            uid = item.uid or hashlib.sha256(item.path.encode()).hexdigest()[:16]
            if uid in seen:
                continue
            seen.add(uid)
            _sync_experiment(conn, item, uid, known.get(uid), stats)
        for uid in set(known) - seen:
            db.drop_experiment(conn, uid)
    stats.experiments = len(seen)
    stats.seconds = time.perf_counter() - start
    return stats


def _sync_experiment(conn: Any, item: artifacts.Item, uid: str, row: dict[str, Any] | None,
                     stats: SyncStats) -> None:
    tags = "," + ",".join(item.tags) + ","
    if row is None:
        conn.execute(insert(db.experiments).values(uid=uid, alias=item.alias, tags=tags, path=item.path,
                                                   repo=item.repo_alias, generation=0, nrecords=0))
    elif (row["alias"], row["tags"], row["path"]) != (item.alias, tags, item.path):
        conn.execute(update(db.experiments).where(db.experiments.c.uid == uid).values(
            alias=item.alias, tags=tags, path=item.path, repo=item.repo_alias))
        db.bump(conn, uid)
    have = {r.path: r.signature for r in conn.execute(
        select(db.files.c.path, db.files.c.signature).where(db.files.c.experiment_uid == uid))}
    changed = False
    folders = run_folders(item.path)
    current = {os.path.join(f, "cm-result.json"): f for f in folders}
    for file_path, folder in current.items():
        sig = _signature(folder)
        if have.get(file_path) == sig:
            continue
        _read_file(conn, uid, file_path, folder, sig, file_path in have, stats)
        changed = True
    for file_path in set(have) - set(current):
        conn.execute(delete(db.records).where(db.records.c.file_path == file_path))
        conn.execute(delete(db.files).where(db.files.c.path == file_path))
        stats.files_dropped += 1
        changed = True
    if changed:
        total = sum(r[0] or 0 for r in conn.execute(select(db.files.c.nrecords).where(
            db.files.c.experiment_uid == uid)))
        conn.execute(update(db.experiments).where(db.experiments.c.uid == uid).values(nrecords=total))
        db.bump(conn, uid)


def _read_file(conn: Any, uid: str, file_path: str, folder: str, sig: str, existed: bool,
               stats: SyncStats) -> None:
    text, recs = load_result_file(file_path, stats)
    if existed:
        conn.execute(delete(db.records).where(db.records.c.file_path == file_path))
        conn.execute(delete(db.files).where(db.files.c.path == file_path))
    rows = []
    rewrite = False
    for pos, rec in enumerate(recs):
        rid = str(rec.get("uid") or "")
        if not rid:
            rid = hashlib.sha256(f"{file_path}#{pos}".encode()).hexdigest()[:16]
            rec["uid"] = rid
            rewrite = True
        rows.append({"uid": rid[:64], "experiment_uid": uid, "file_path": file_path, "position": pos})
    if rewrite or text is None:
        text = json.dumps(recs, default=str)
    if rows:
        conn.execute(insert(db.records), rows)
    conn.execute(insert(db.files).values(path=file_path, experiment_uid=uid, signature=sig, nrecords=len(rows),
                                         pareto=json.dumps(pareto_marks(folder)), data=text))
    stats.files_read += 1
    stats.records_written += len(rows)


def load_result_file(path: str, stats: SyncStats | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """The text (None when it is not a clean list of objects) and records of a ``cm-result.json``."""
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise ValueError("file too large")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        if stats is not None and stats.errors is not None:
            stats.errors.append(f"{path}: {exc}")
        return None, []
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return text, data
    if isinstance(data, dict):
        data = [data]
    return None, [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def pareto_marks(folder: str) -> list[str]:
    """UIDs marked as Pareto-front members by ``cm-pareto.json`` (written by ``cm pareto experiment``).

    Accepted shapes: a list of records or uids, or a dict with ``front``/``records``/``uids``.
    """
    path = os.path.join(folder, "cm-pareto.json")
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return []
    if isinstance(data, dict):
        data = data.get("front") or data.get("records") or data.get("uids") or data.get("pareto") or []
    out = []
    for entry in data if isinstance(data, list) else []:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict) and entry.get("uid"):
            out.append(str(entry["uid"]))
    return out
