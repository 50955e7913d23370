"""The results database: a rebuildable cache of the experiments' ``cm-result.json`` files.

SQLite under ``$CM_REPOS/playground/results.db`` by default, any SQLAlchemy URL with ``--db``
(``postgresql+psycopg://user@host/db`` for a shared server). Tables: ``experiments`` (one row per
experiment artifact), ``files`` (one row per run folder's result file, with the stat signature
that decides whether to re-read it), ``records`` (one JSON row per record) and ``tokens`` (upload
tokens, stored as SHA-256 hashes). Dropping the file loses nothing but the tokens.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine

SCHEMA = 2
metadata = MetaData()

experiments = Table(
    "cm_experiments", metadata,
    Column("uid", String(64), primary_key=True),
    Column("alias", String(300), index=True),
    Column("tags", Text),  # ",tag1,tag2," for LIKE
    Column("path", Text),
    Column("repo", String(300)),
    Column("generation", Integer, default=0),
    Column("nrecords", Integer, default=0),
)
files = Table(
    "cm_files", metadata,
    Column("path", String(1000), primary_key=True),
    Column("experiment_uid", String(64), index=True),
    Column("signature", String(100)),
    Column("nrecords", Integer),
    Column("pareto", Text),  # uids marked by cm-pareto.json (JSON list)
    Column("data", Text),  # the file's records: a JSON list of objects, each with a "uid"
)
records = Table(
    "cm_records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(64), index=True),
    Column("experiment_uid", String(64), index=True),
    Column("file_path", String(1000), index=True),
    Column("position", Integer),
)
tokens = Table(
    "cm_tokens", metadata,
    Column("hash", String(64), primary_key=True),
    Column("name", String(200)),
    Column("created", String(40)),
)
info = Table("cm_info", metadata, Column("key", String(50), primary_key=True), Column("value", Text))


def default_url() -> str:
    home = os.environ.get("CM_REPOS") or os.path.join(os.path.expanduser("~"), "CM")
    folder = os.path.join(home, "playground")
    os.makedirs(folder, exist_ok=True)
    return "sqlite:///" + os.path.join(folder, "results.db")


def open_engine(url: str | None) -> Engine:
    """An engine for ``url`` (default SQLite) with the schema created."""
    url = url or default_url()
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    _ensure_schema(engine)
    return engine


def _ensure_schema(engine: Engine) -> None:
    """Create the tables; a cache written by another schema version is dropped and rebuilt (tokens kept)."""
    info.create(engine, checkfirst=True)
    with engine.begin() as conn:
        found = conn.execute(select(info.c.value).where(info.c.key == "schema")).scalar()
    if found is not None and found != str(SCHEMA):
        for table in (records, files, experiments):
            table.drop(engine, checkfirst=True)
    metadata.create_all(engine)
    if found != str(SCHEMA):
        with engine.begin() as conn:
            conn.execute(delete(info).where(info.c.key == "schema"))
            conn.execute(insert(info).values(key="schema", value=str(SCHEMA)))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, name: str = "") -> str:
    """A new random upload token; only its hash is stored."""
    token = "cmpg_" + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(tokens).values(hash=hash_token(token), name=name[:200],
                                           created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    return token


def check_token(engine: Engine, token: str) -> bool:
    if not token or len(token) > 200:
        return False
    with engine.connect() as conn:
        row = conn.execute(select(tokens.c.hash).where(tokens.c.hash == hash_token(token))).first()
    return row is not None


class RecordCache:
    """Parsed records per experiment, kept while the experiment's generation is unchanged."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def get(self, engine: Engine, exp: dict[str, Any]) -> list[dict[str, Any]]:
        uid, gen = exp["uid"], exp["generation"]
        with self._lock:
            hit = self._data.get(uid)
        if hit is not None and hit[0] == gen:
            return hit[1]
        rows = _load_records(engine, exp)
        with self._lock:
            self._data[uid] = (gen, rows)
        return rows


def _load_records(engine: Engine, exp: dict[str, Any]) -> list[dict[str, Any]]:
    extra = {"experiment_alias": exp["alias"], "experiment_uid": exp["uid"],
             "experiment_tags": exp["tags"].strip(",")}
    out = []
    with engine.connect() as conn:
        rows = conn.execute(select(files.c.path, files.c.data, files.c.pareto).where(
            files.c.experiment_uid == exp["uid"]).order_by(files.c.path))
        for path, data, pareto in rows:
            marked = set(json.loads(pareto or "[]"))
            folder = os.path.basename(os.path.dirname(path))
            for rec in json.loads(data or "[]"):
                rec.update(extra)
                rec["experiment_dir"] = folder
                if marked and rec.get("uid") in marked:
                    rec["pareto_marked"] = True
                out.append(rec)
    return out


def list_experiments(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(experiments))]


def find_record(engine: Engine, uid: str, prefer: list[str] | None = None) -> tuple[dict[str, Any], str] | None:
    """The record with ``uid`` and its experiment uid (one of the ``prefer`` experiments if it is in
    several: MLPerf imports put one record in an ``--all--`` and a ``--vX.Y--`` experiment)."""
    with engine.connect() as conn:
        rows = conn.execute(select(records.c.file_path, records.c.position, records.c.experiment_uid).where(
            records.c.uid == uid)).all()
        row = next((r for r in rows if r[2] in (prefer or [])), rows[0] if rows else None)
        if row is None:
            return None
        data = conn.execute(select(files.c.data).where(files.c.path == row[0])).scalar()
    recs = json.loads(data or "[]")
    return (recs[row[1]], row[2]) if row[1] < len(recs) else None


def drop_experiment(conn: Any, uid: str) -> None:
    conn.execute(delete(records).where(records.c.experiment_uid == uid))
    conn.execute(delete(files).where(files.c.experiment_uid == uid))
    conn.execute(delete(experiments).where(experiments.c.uid == uid))


def bump(conn: Any, uid: str) -> None:
    conn.execute(update(experiments).where(experiments.c.uid == uid).values(
        generation=experiments.c.generation + 1))
