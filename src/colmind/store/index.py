"""The persistent artifact index: SQLite under ``$CM_REPOS``, always right.

Before answering, the index is synchronised with the disk: repo roots and automation
directories are compared by mtime (artifacts added, removed or renamed), and the meta files
of every artifact in the automations being queried are compared by mtime and size (edits by
hand or by another process). Only what changed is re-read. A missing or corrupt database is
rebuilt from the disk. Writers hold the index lock; SQLite serialises readers and writers.
"""

from __future__ import annotations

import os

from colmind.store.lock import locked
from colmind.store.model import RepoInfo, Row
from colmind.store.scan import KIND_FILES, dir_sig, list_dirs, load_row

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.store.monitor import Monitor

SCHEMA_VERSION = "8"
_COLUMNS = ("path", "repo_order", "repo_alias", "repo_uid", "auto_dir", "automation_uid",
            "automation_alias", "uid", "alias", "tags", "meta", "sig", "base", "error")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS info(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS dirs(path TEXT PRIMARY KEY, kind TEXT, repo_uid TEXT, sig TEXT,
                                automation_uid TEXT, automation_alias TEXT, watch TEXT);
CREATE TABLE IF NOT EXISTS arts(path TEXT PRIMARY KEY, repo_order INTEGER, repo_alias TEXT,
    repo_uid TEXT, auto_dir TEXT, automation_uid TEXT, automation_alias TEXT, uid TEXT, alias TEXT,
    tags TEXT, meta TEXT, sig TEXT, base TEXT, error TEXT);
CREATE INDEX IF NOT EXISTS arts_auto_dir ON arts(auto_dir);
CREATE INDEX IF NOT EXISTS arts_auto_uid ON arts(automation_uid);
CREATE INDEX IF NOT EXISTS arts_uid ON arts(uid COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS arts_alias ON arts(alias COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS arts_special ON arts(path) WHERE base != '' OR error != '';
CREATE TABLE IF NOT EXISTS tags(tag TEXT, path TEXT);
CREATE INDEX IF NOT EXISTS tags_tag_path ON tags(tag, path);  -- covering: tag queries never touch the table
CREATE INDEX IF NOT EXISTS tags_path ON tags(path);
"""


# Tags are stored joined by the ASCII unit separator: decoding 10k rows must not parse 10k JSON lists.
_SEP = "\x1f"


def _row_values(row: Row) -> tuple[Any, ...]:
    import json  # writes only: a query must not pay for json (and re, enum)

    # default=str: a YAML meta may hold what JSON cannot (a date); the index keeps its text
    meta = row.meta_json if row._meta is None else json.dumps(row.meta, default=str)
    return (row.path, row.repo_order, row.repo_alias, row.repo_uid, row.auto_dir, row.automation_uid,
            row.automation_alias, row.uid, row.alias, _SEP.join(row.tags), meta, row.sig, row.base, row.error)


def _row_from(v: tuple[Any, ...]) -> Row:
    tags = v[9].split(_SEP) if v[9] else []
    return Row(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], tags, None, v[11], v[12], v[13],
               meta_json=v[10])


_MEMO_QUERIES = 256  # distinct queries remembered at once


class Index:
    """SQLite-backed index of every artifact of every registered repository."""

    def __init__(self, repos_path: str | os.PathLike[str]) -> None:
        self.repos_path = os.fspath(repos_path)
        self.db_path = os.path.join(self.repos_path, "index.db")
        self.lock_path = os.path.join(self.repos_path, ".locks", "index.lock")
        self._conn: Any = None
        self._monitor: Monitor | None = None
        self.rebuilt = False
        # query results (raw rows) while the database is unchanged: see _rows
        self._memo: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        self._memo_version: int | None = None

    # -- connection ---------------------------------------------------------------------
    def _connect(self) -> Any:
        if self._conn is None:
            self._forget_results()  # data_version numbers belong to one connection
            self._conn = self._open()
        return self._conn

    @property
    def connected(self) -> bool:
        """Whether the database is open (what was synced into it is still there)."""
        return self._conn is not None

    def _forget_results(self) -> None:
        self._memo.clear()
        self._memo_version = None

    def _open(self) -> Any:
        sqlite = _sqlite_module()
        for attempt in range(2):
            try:
                _create_honouring_umask(self.db_path)
                conn = sqlite.connect(self.db_path, timeout=60, isolation_level=None)
                conn.execute("PRAGMA synchronous=NORMAL")
                if _schema_version(conn, sqlite) != SCHEMA_VERSION:  # new, older or foreign file
                    conn.execute("PRAGMA journal_mode=WAL")  # persistent: once per database
                    conn.executescript(_SCHEMA)
                    if _schema_version(conn, sqlite) != SCHEMA_VERSION:
                        self._recreate(conn)
                return conn
            except sqlite.DatabaseError:
                if attempt:
                    raise
                self._discard_files()
        raise AssertionError("unreachable")

    def _discard_files(self) -> None:
        """A corrupt database is deleted and rebuilt from the disk."""
        with locked(self.lock_path):
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(self.db_path + suffix)
                except FileNotFoundError:
                    pass
        self.rebuilt = True

    def _recreate(self, conn: Any) -> None:
        """A database of another schema version: drop its tables and start empty."""
        with locked(self.lock_path):
            version = conn.execute("SELECT v FROM info WHERE k='schema'").fetchone()
            if version is not None and version[0] == SCHEMA_VERSION:
                return  # another process upgraded it while we waited
            conn.execute("BEGIN IMMEDIATE")
            for table in ("dirs", "arts", "tags", "info"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute("COMMIT")
            conn.executescript(_SCHEMA)
            self._reset(conn)

    def _reset(self, conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE")
        for table in ("dirs", "arts", "tags", "info"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("INSERT INTO info VALUES('schema', ?)", (SCHEMA_VERSION,))
        conn.execute("COMMIT")
        self._forget_results()
        self.rebuilt = True

    def new_request(self) -> None:
        """The next sync asks the monitor again (a new top-level request, or after waiting)."""
        self._monitor = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def clear(self) -> None:
        """Forget everything (``cm reindex``); the next sync re-reads all repositories."""
        with locked(self.lock_path):
            self._reset(self._connect())

    # -- synchronisation ----------------------------------------------------------------
    def sync(self, repos: list[RepoInfo], automations: set[str] | None = None) -> bool:
        """Bring the index up to date with the disk.

        Args:
            repos: the registered repositories in order.
            automations: when given, only automation directories whose artifacts belong to one
                of these automation UIDs/aliases (plus new directories) get their metas checked.
        Returns:
            whether every automation was synced: asked for, or because the monitor's report
            covers every folder, which makes checking all of them as cheap as checking some.
        """
        from colmind.store.monitor import Monitor

        conn = self._connect()
        changes = _Changes()
        known_dirs = {r[0]: r for r in conn.execute("SELECT * FROM dirs")}
        if self._monitor is None:  # one question to the monitor per request (see new_request)
            self._monitor = Monitor.ask(self.repos_path, [r[6] for r in known_dirs.values()])
        monitor = self._monitor
        if automations is not None and _reported_in_full(monitor, repos):
            automations = None
        live_roots: set[str] = set()
        for order, repo in enumerate(repos):
            live_roots.add(repo.content_path)
            self._sync_repo(conn, repo, order, known_dirs, automations, changes, monitor)
        for path, row in known_dirs.items():
            if row[1] == "root" and path not in live_roots:
                changes.drop_root(conn, path)
        if changes.any:
            self._apply(conn, changes)
        monitor.after_sync(changes.checked)
        return automations is None

    def _sync_repo(self, conn: Any, repo: RepoInfo, order: int, known_dirs: dict[str, Any],
                   automations: set[str] | None, changes: _Changes, monitor: Monitor) -> None:
        root = repo.content_path
        sig = f"{dir_sig(root)}:{order}:{repo.uid}:{repo.alias}"
        known = known_dirs.get(root)
        since = monitor.since(known, root)
        if known is None or known[3] != sig or (since is not None and monitor.is_dirty(root, since)):
            names = {os.path.join(root, n) for n in list_dirs(root)}
            old = {p for p, r in known_dirs.items() if r[1] == "auto" and os.path.dirname(p) == root}
            for gone in old - names:
                changes.drop_dir(gone)
            if known is not None and known[3].split(":")[1:] != sig.split(":")[1:]:
                for path in old & names:
                    changes.drop_dir(path)
                    known_dirs.pop(path, None)
            changes.dirs.append((root, "root", repo.uid, sig, "", "", monitor.token_for(root)))
            auto_dirs = sorted(names)
        else:
            auto_dirs = sorted(p for p, r in known_dirs.items() if r[1] == "auto" and os.path.dirname(p) == root)
        for auto_dir in auto_dirs:
            entry = known_dirs.get(auto_dir)
            if automations is not None and entry is not None and (entry[4] or entry[5]) and not (
                    {entry[4], entry[5]} & automations):
                continue
            self._sync_auto_dir(conn, repo, order, auto_dir, entry, changes, monitor)

    def _sync_auto_dir(self, conn: Any, repo: RepoInfo, order: int, auto_dir: str,
                       entry: Any, changes: _Changes, monitor: Monitor) -> None:
        """Re-list the folder if it changed, then re-read the artifacts the monitor saw change
        or, without a trusted monitor report, every artifact whose meta files' stats changed."""
        sig = dir_sig(auto_dir)
        default = (entry[5], entry[4]) if entry is not None else ("", "")
        since = monitor.since(entry, repo.content_path)
        token = monitor.token_for(repo.content_path)
        relist = entry is None or entry[3] != sig or (since is not None and monitor.is_dirty(auto_dir, since))
        stored: dict[str, str] | None = None
        if relist:
            stored = {p: s for p, s in conn.execute("SELECT path, sig FROM arts WHERE auto_dir=?", (auto_dir,))}
            stored, default = self._relist(repo, order, auto_dir, entry, stored, default, changes)
        if since is not None:
            dirty = monitor.dirty_children(auto_dir, since)
            for path in dirty:
                self._reload(repo, order, auto_dir, path, default, changes)
            moved = relist or bool(dirty)
        else:
            if stored is None:
                stored = {p: s for p, s in conn.execute("SELECT path, sig FROM arts WHERE auto_dir=?", (auto_dir,))}
            for path, _old_sig in _changed(auto_dir, stored):
                self._reload(repo, order, auto_dir, path, default, changes)
            changes.checked += len(stored)
            moved = relist or token != (entry[6] if entry is not None else "")
        if entry is None or tuple(entry[3:6]) != (sig, default[1], default[0]) or moved:
            changes.dirs.append((auto_dir, "auto", repo.uid, sig, default[1], default[0], token))

    @staticmethod
    def _relist(repo: RepoInfo, order: int, auto_dir: str, entry: Any, stored: dict[str, str],
                default: tuple[str, str], changes: _Changes) -> tuple[dict[str, str], tuple[str, str]]:
        """Compare the folder's children with the index: drop the gone, read the new in full.
        Returns the artifacts still known (to check for edits) and the automation default."""
        present = {os.path.join(auto_dir, n) for n in list_dirs(auto_dir)}
        for gone in set(stored) - present:
            changes.deleted.append(gone)
        # a folder without a dirs entry (new, or dropped because its repo moved) is read in full
        known = set(stored) if entry is not None else set()
        for new in sorted(present - known):
            row = load_row(repo, order, auto_dir, new, default)
            if row is not None:
                row.new = new not in stored
                changes.put(row)
                if default == ("", "") and (row.automation_uid or row.automation_alias):
                    default = (row.automation_alias, row.automation_uid)
        return {p: s for p, s in stored.items() if p in present and p in known}, default

    @staticmethod
    def _reload(repo: RepoInfo, order: int, auto_dir: str, path: str, default: tuple[str, str],
                changes: _Changes) -> None:
        row = load_row(repo, order, auto_dir, path, default)
        if row is None:
            changes.deleted.append(path)
        else:
            changes.put(row)

    def _apply(self, conn: Any, changes: _Changes) -> None:
        with locked(self.lock_path):
            conn.execute("BEGIN IMMEDIATE")
            try:
                changes.write(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                self._forget_results()  # own commits leave PRAGMA data_version unchanged

    # -- direct updates by colmind's own writes -------------------------------------------
    def put(self, row: Row) -> None:
        """Record one artifact written by colmind: it must sit right inside its automation folder."""
        from colmind.store.names import check_artifact_path

        check_artifact_path(row.path, os.path.dirname(row.auto_dir))
        if os.path.normpath(os.path.dirname(row.path)) != os.path.normpath(row.auto_dir):
            from colmind.store.names import BadName

            raise BadName(f"invalid artifact path {row.path!r}: not in its automation folder {row.auto_dir}")
        changes = _Changes()
        changes.put(row)
        self._apply(self._connect(), changes)

    def remove(self, path: str) -> None:
        changes = _Changes()
        changes.deleted.append(path)
        self._apply(self._connect(), changes)

    # -- queries ---------------------------------------------------------------------------
    def candidates(self, automations: set[str] | None, uid: str, alias: str,
                   required_tags: tuple[str, ...]) -> list[Row]:
        """Rows that may match (the caller applies the exact match); in index order.

        The exact part (name and every required tag) goes through the indexes; artifacts with a
        ``_base`` or a broken meta are always added, since their effective name and tags are only
        known after inheritance or the error report (a partial index finds them)."""
        auto, args = _automation_filter(automations)
        exact, exact_args = [], []
        if uid:
            exact.append("uid = ? COLLATE NOCASE")
            exact_args.append(uid)
        elif alias and "*" not in alias and "?" not in alias:
            exact.append("alias = ? COLLATE NOCASE")
            exact_args.append(alias)
        if required_tags:
            tagged = " INTERSECT ".join("SELECT path FROM tags WHERE tag = ?" for _ in required_tags)
            exact.append(f"path IN ({tagged})")
            exact_args += list(required_tags)
        if not exact:
            sql = "SELECT * FROM arts" + (f" WHERE {auto}" if auto else "")
            return self._rows(sql + " ORDER BY repo_order, path", args)
        where = " AND ".join(([auto] if auto else []) + exact)
        special = f"({_SPECIAL})" + (f" AND {auto}" if auto else "")
        sql = f"SELECT * FROM arts WHERE {where} UNION SELECT * FROM arts WHERE {special} ORDER BY 2, 1"
        return self._rows(sql, args + exact_args + args)

    def _rows(self, sql: str, args: list[str]) -> list[Row]:
        """Run a query, or reuse its rows: a script run asks the same questions again and again
        (each nested ``access()``, each dependency). Raw rows are kept (immutable tuples: callers
        get fresh ``Row`` objects and metas) while ``PRAGMA data_version`` says that no other
        connection committed; this connection's own commits clear them (``_apply``)."""
        conn = self._connect()
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._memo_version:
            self._memo.clear()
            self._memo_version = version
        key = (sql, tuple(args))
        raw = self._memo.get(key)
        if raw is None:
            raw = conn.execute(sql, args).fetchall()
            if len(self._memo) >= _MEMO_QUERIES:
                self._memo.clear()
            self._memo[key] = raw
        return [_row_from(r) for r in raw]

    def count(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM arts").fetchone()[0])

    def all_rows(self) -> list[Row]:
        return [_row_from(r) for r in self._connect().execute("SELECT * FROM arts ORDER BY repo_order, path")]


def _reported_in_full(monitor: Monitor, repos: list[RepoInfo]) -> bool:
    """Whether the monitor watches every repository: then a sync of every automation costs about
    what a sync of one does (the report names what changed; a folder synced before the monitor's
    epoch is stat-checked once, and trusted from then on)."""
    return all(monitor.token_for(repo.content_path) for repo in repos)


def _create_honouring_umask(path: str) -> None:
    """Create the empty database file 0666 less the umask (SQLite itself creates it 0644, which a
    group sharing ``$CM_REPOS`` under umask 002 could not write); its -wal/-shm files take its mode."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        pass


def _sqlite_module() -> Any:
    """The C module behind ``sqlite3``: the package adds only datetime adapters we never use, and
    importing it (datetime, ...) is a visible share of a query's start-up. Same API and errors."""
    try:
        import _sqlite3

        return _sqlite3
    except ImportError:  # not CPython
        import sqlite3

        return sqlite3


def _schema_version(conn: Any, sqlite: Any) -> str | None:
    try:
        row = conn.execute("SELECT v FROM info WHERE k='schema'").fetchone()
    except sqlite.OperationalError:  # no info table yet
        return None
    return None if row is None else str(row[0])


# Artifacts whose name or tags are not final in their own row; a partial index lists them.
_SPECIAL = "base != '' OR error != ''"


def _automation_filter(automations: set[str] | None) -> tuple[str, list[str]]:
    if automations is None:
        return "", []
    marks = ",".join("?" * len(automations))
    return f"(automation_uid IN ({marks}) OR automation_alias IN ({marks}))", list(automations) * 2


def _changed(auto_dir: str, stored: dict[str, str]) -> list[tuple[str, str]]:
    """Artifacts whose meta files changed, re-statting only the files each signature names.

    Stats are relative to an open directory descriptor: path resolution is the dominant cost.
    """
    try:
        fd = os.open(auto_dir, os.O_RDONLY)
    except OSError:
        return list(stored.items())
    changed = []
    try:
        for path, old_sig in stored.items():
            base = os.path.basename(path)
            parts = []
            kinds = ("myaml", "mjson") if old_sig.startswith("m") else ("yaml", "json")
            for kind in kinds:  # both names: a meta file may appear next to the other one
                try:
                    st = os.stat(f"{base}/{KIND_FILES[kind]}", dir_fd=fd)
                except OSError:
                    continue
                parts.append(f"{kind}:{st.st_mtime_ns}:{st.st_size}")
            if "|".join(parts) != old_sig:
                changed.append((path, old_sig))
    finally:
        os.close(fd)
    return changed


class _Changes:
    """Changes found by a sync, written in one transaction."""

    def __init__(self) -> None:
        self.by_path: dict[str, Row] = {}
        self.deleted: list[str] = []
        self.dirs: list[tuple[str, ...]] = []
        self.dropped_dirs: list[str] = []
        self.dropped_roots: list[str] = []
        self.checked = 0  # artifacts whose meta files were stat-checked

    @property
    def rows(self) -> list[Row]:
        return list(self.by_path.values())

    def put(self, row: Row) -> None:
        """Record a (re-)read row; a path read twice in one sync keeps its last reading."""
        old = self.by_path.get(row.path)
        if old is not None and not old.new:
            row.new = False
        self.by_path[row.path] = row

    @property
    def any(self) -> bool:
        return bool(self.by_path or self.deleted or self.dirs or self.dropped_dirs or self.dropped_roots)

    def drop_dir(self, path: str) -> None:
        self.dropped_dirs.append(path)

    def drop_root(self, conn: Any, path: str) -> None:
        self.dropped_roots.append(path)

    def write(self, conn: Any) -> None:
        rows = self.rows
        for root in self.dropped_roots:
            like = root.rstrip(os.sep) + os.sep + "%"
            conn.execute("DELETE FROM tags WHERE path LIKE ?", (like,))
            conn.execute("DELETE FROM arts WHERE path LIKE ?", (like,))
            conn.execute("DELETE FROM dirs WHERE path = ? OR path LIKE ?", (root, like))
        for path in self.dropped_dirs:
            conn.execute("DELETE FROM tags WHERE path IN (SELECT path FROM arts WHERE auto_dir=?)", (path,))
            conn.execute("DELETE FROM arts WHERE auto_dir=?", (path,))
            conn.execute("DELETE FROM dirs WHERE path=?", (path,))
        for path in self.deleted:
            conn.execute("DELETE FROM arts WHERE path=?", (path,))
            conn.execute("DELETE FROM tags WHERE path=?", (path,))
        conn.executemany("DELETE FROM tags WHERE path=?", [(r.path,) for r in rows if not r.new])
        conn.executemany(f"INSERT OR REPLACE INTO arts VALUES ({','.join('?' * len(_COLUMNS))})",
                         [_row_values(r) for r in rows])
        conn.executemany("INSERT INTO tags VALUES (?, ?)", [(t, r.path) for r in rows for t in set(r.tags)])
        conn.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?, ?, ?, ?, ?, ?)", self.dirs)
