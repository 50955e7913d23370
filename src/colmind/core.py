"""The core object: registered repositories, the index, and artifact queries and writes.

This is the typed API the automations and the script engine use; ``colmind.api.access`` is
the dict boundary on top of it.
"""

from __future__ import annotations

import os
import sys

from colmind.config import Settings, load_settings
from colmind.errors import AlreadyExists, AutomationNotFound, BadFile, CMError, NotFound
from colmind.store import ids
from colmind.store.atomic import staging_folder
from colmind.store.index import Index
from colmind.store.inherit import inherited_meta
from colmind.store.lock import locked
from colmind.store.meta import load_meta_pair, merge_dicts, save_meta_json, save_meta_yaml
from colmind.store.model import Artifact, RepoInfo, Row
from colmind.store.names import check_artifact_path, check_cm_name
from colmind.store.readonly import check_writable
from colmind.store.repos import Registry
from colmind.store.scan import load_row, scan_repo
from colmind.store.tags import TagQuery

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path
    from typing import Any

    from colmind.store.process_watch import ProcessWatch

AUTOMATION_UID = "bbeb15d8f0a944a4"
_WATCH_STARTS = 3  # a process's own watch is (re)started at most this often
AUTOMATION_KEYS = frozenset({AUTOMATION_UID, "automation"})


class Core:
    """Repositories + index + artifact operations for one ``$CM_REPOS``."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.registry = Registry(self.settings.repos_path, self.settings.mlc_repos)
        self.home: str = self.registry.repos_path  # ``$CM_REPOS`` as a str (no pathlib on the query path)
        self._repos: list[RepoInfo] | None = None
        self._repos_sig: tuple[Any, ...] = ()
        self.index: Index | None = Index(self.home) if self.settings.index else None
        self._synced: set[frozenset[str] | None] = set()
        # automation name -> its UIDs/aliases, for the current request (every query of a run
        # names its automation); cleared with ``_synced`` and by colmind's own writes
        self._auto_keys: dict[str, frozenset[str] | None] = {}
        self._warned: set[str] = set()
        self.depth = 0
        # a process's own watch from its 2nd top-level request on (store/process_watch.py)
        self._watch: ProcessWatch | None = None
        self._watch_starts = 0
        self._top_requests = 0

    @property
    def repos_path(self) -> Path:
        """``$CM_REPOS`` as a ``Path`` (``home`` is the same as a ``str``)."""
        from pathlib import Path

        return Path(self.home)

    # -- repositories ------------------------------------------------------------------------
    @property
    def repos(self) -> list[RepoInfo]:
        if self._repos is None:
            self.registry.ensure_layout()
            self._repos = self.registry.load()
            self._repos_sig = self.registry.files_signature()
            for warning in self.registry.warnings:
                self.warn(warning)
        return self._repos

    @property
    def local_repo(self) -> RepoInfo:
        return self.repos[0]

    def reload_repos(self) -> None:
        """Forget the repo list and what the index synced (after any repo operation)."""
        self._repos = None
        self._end_watch()
        self._forget_synced()
        if self.index is not None:
            self.index.new_request()

    def _forget_synced(self) -> None:
        self._synced.clear()
        self._auto_keys.clear()

    def find_repos(self, name: str = "") -> list[RepoInfo]:
        """Registered repos matching ``alias``/``uid``/``alias,uid`` (wildcards allowed)."""
        if not name:
            return list(self.repos)
        alias, uid = ids.parse_object(name)[0]
        return [r for r in self.repos if ids.matches(r.uid, r.alias, uid, alias)]

    def warn(self, text: str) -> None:
        if text not in self._warned:
            self._warned.add(text)
            print(text, file=sys.stderr)

    # -- requests ----------------------------------------------------------------------------
    def begin_request(self) -> None:
        """A new top-level request: the next query re-checks the disk, unless this process's
        own watch saw nothing change since the last check."""
        if self.depth != 0:
            return
        self._top_requests += 1
        if self._repos is not None and self.registry.files_signature() != self._repos_sig:
            self._repos = None  # repos.json or a cmr.* changed (by hand or by another process)
            self._end_watch()
        if self._unchanged_on_disk():
            return
        self._forget_synced()
        if self.index is not None:
            self.index.new_request()
        if self._watch is not None:
            self._watch.acknowledge()

    def _unchanged_on_disk(self) -> bool:
        """Whether the watch proves that no repository changed since the previous request's
        syncs (which then still hold); starts the watch on a process's second request."""
        if self.index is None or self._repos is None or not self.index.connected:
            return False  # (a closed index may reopen as a new, empty database)
        if self._watch is None:
            if self._top_requests >= 2 and self._watch_starts < _WATCH_STARTS:
                self._watch_starts += 1
                self._watch = self._start_watch()
            return False  # a new watch knows nothing about the time before it
        if self._watch.changed():
            if not self._watch.usable:
                self._end_watch()
            return False
        return True

    def _start_watch(self) -> ProcessWatch | None:
        from colmind.store import process_watch

        assert self.index is not None
        if not process_watch.supported() or self.index.count() > process_watch.MAX_ARTIFACTS:
            self._watch_starts = _WATCH_STARTS
            return None
        return process_watch.start(self.home, [repo.content_path for repo in self.repos])

    @property
    def watching(self) -> bool:
        """Whether this process's own watch is on (see ``_unchanged_on_disk``)."""
        return self._watch is not None and self._watch.usable

    def _end_watch(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def refresh(self) -> None:
        """Force the next query to re-check the disk (after waiting for another process)."""
        self._forget_synced()
        if self.index is not None:
            self.index.new_request()

    def lock(self, name: str, timeout: float | None = None) -> AbstractContextManager[None]:
        """``with core.lock(name):`` holds ``$CM_REPOS/.locks/<name>.lock``."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return locked(os.path.join(self.home, ".locks", f"{safe}.lock"), timeout)

    def artifact_lock(self, path: str, timeout: float | None = None) -> AbstractContextManager[None]:
        import hashlib

        digest = hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:24]
        return locked(os.path.join(self.home, ".locks", "artifacts", f"{digest}.lock"), timeout)

    # -- queries -----------------------------------------------------------------------------
    def automation_keys(self, automation: str) -> frozenset[str] | None:
        """UIDs and aliases of the automations named ``automation`` (None = every automation)."""
        if automation in ("", "*"):
            return None
        if automation in self._auto_keys:
            return self._auto_keys[automation]
        keys = self._automation_keys(automation)
        self._auto_keys[automation] = keys
        return keys

    def _automation_keys(self, automation: str) -> frozenset[str] | None:
        alias, uid = ids.parse_object(automation)[0]
        if ids.matches(AUTOMATION_UID, "automation", uid, alias) and not ids.has_wildcards(alias):
            return AUTOMATION_KEYS
        rows = self.find_rows("automation", automation)
        if not rows:
            if ids.has_wildcards(alias):
                return frozenset()
            raise AutomationNotFound(f'automation "{automation}" not found')
        keys = {k for r in rows for k in (r.uid, r.alias) if k}
        return frozenset(keys)

    def find_rows(self, automation: str, artifact: str = "", tags: Sequence[str] | str = (),
                  ignore_inheritance: bool = False) -> list[Row]:
        keys = self.automation_keys(automation)
        refs = ids.parse_object(artifact) if artifact else [("", "")]
        art_alias, art_uid = refs[0]
        repo_ref = refs[1] if len(refs) > 1 else None
        query = TagQuery.parse(tags)
        rows = self._candidate_rows(keys, art_uid, art_alias, query)
        result = []
        for row in rows:
            if not self._row_matches(row, keys, (art_alias, art_uid), repo_ref):
                continue
            if row.error:
                self._report_broken(row, art_alias)
                continue
            if query.empty or query.matches(self._effective_tags(row, ignore_inheritance)):
                result.append(row)
        return result

    def find(self, automation: str, artifact: str = "", tags: Sequence[str] | str = (),
             ignore_inheritance: bool = False) -> list[Artifact]:
        """Artifacts of ``automation`` matching the CM name ``artifact`` and the tag query."""
        rows = self.find_rows(automation, artifact, tags, ignore_inheritance)
        return [self.to_artifact(r, ignore_inheritance) for r in rows]

    def _candidate_rows(self, keys: frozenset[str] | None, uid: str, alias: str,
                        query: TagQuery) -> list[Row]:
        if self.index is None:
            rows: list[Row] = []
            for order, repo in enumerate(self.repos):
                rows.extend(scan_repo(repo, order))
            return rows
        sync_key = keys if keys is not None else None
        if sync_key not in self._synced and None not in self._synced:
            synced_all = self._sync(set(keys) if keys is not None else None)
            self._synced.add(None if synced_all else sync_key)
        return self.index.candidates(set(keys) if keys is not None else None, uid, alias, query.required)

    def _sync(self, keys: set[str] | None) -> bool:
        assert self.index is not None
        try:
            return self.index.sync(self.repos, keys)
        except Exception as exc:  # a corrupt database: rebuild from the disk
            import sqlite3

            if not isinstance(exc, sqlite3.DatabaseError):
                raise
            self.index.close()
            self.index._discard_files()
            return self.index.sync(self.repos, keys)

    @staticmethod
    def _row_matches(row: Row, keys: frozenset[str] | None, art: tuple[str, str],
                     repo_ref: tuple[str, str] | None) -> bool:
        if keys is not None and row.automation_uid not in keys and row.automation_alias not in keys:
            return False
        if repo_ref is not None and not ids.matches(row.repo_uid, row.repo_alias, repo_ref[1], repo_ref[0]):
            return False
        return ids.matches(row.uid, row.alias, art[1], art[0])

    def _report_broken(self, row: Row, wanted_alias: str) -> None:
        if wanted_alias and wanted_alias.lower() == os.path.basename(row.path).lower():
            raise BadFile(row.error)
        self.warn(f"WARNING: skipping a broken artifact: {row.error}")

    def _effective_tags(self, row: Row, ignore_inheritance: bool) -> list[str]:
        if not row.base or ignore_inheritance:
            return row.tags
        tags = inherited_meta(row, self._base_finder).get("tags") or []
        return [str(t) for t in tags] if isinstance(tags, list) else []

    def _base_finder(self, automation: str, name: str) -> list[Row]:
        return self.find_rows(automation, name, ignore_inheritance=True)

    def to_artifact(self, row: Row, ignore_inheritance: bool = False) -> Artifact:
        def loader() -> tuple[dict[str, Any], dict[str, Any]]:
            own = row.meta
            if ignore_inheritance or not row.base:
                return own, own
            return inherited_meta(row, self._base_finder), own

        if row.base and not ignore_inheritance:
            meta, own = loader()  # resolve now: a missing base must fail the query, not a later read
            return Artifact(path=row.path, meta=meta, original_meta=own, uid=row.uid, alias=row.alias,
                            automation_alias=row.automation_alias, automation_uid=row.automation_uid,
                            repo=self._repo_of(row))
        return Artifact(path=row.path, uid=row.uid, alias=row.alias, automation_alias=row.automation_alias,
                        automation_uid=row.automation_uid, repo=self._repo_of(row), loader=loader)

    def _repo_of(self, row: Row) -> RepoInfo:
        repos = self.repos
        if 0 <= row.repo_order < len(repos) and repos[row.repo_order].uid == row.repo_uid:
            return repos[row.repo_order]
        for repo in repos:
            if repo.uid == row.repo_uid:
                return repo
        return RepoInfo(alias=row.repo_alias, uid=row.repo_uid, path=os.path.dirname(row.auto_dir))

    # -- writes ------------------------------------------------------------------------------
    def resolve_automation(self, automation: str) -> tuple[str, str]:
        """(alias, uid) of exactly one automation."""
        alias, uid = ids.parse_object(automation)[0]
        if ids.matches(AUTOMATION_UID, "automation", uid, alias):
            return ("automation", AUTOMATION_UID)
        rows = self.find_rows("automation", automation)
        if not rows:
            raise AutomationNotFound(f'automation "{automation}" not found')
        uids = {r.uid for r in rows}
        if len(uids) > 1:
            from colmind.errors import AmbiguousError

            raise AmbiguousError(f"ambiguity because several automations were found for {(alias, uid)}")
        return (rows[0].alias, rows[0].uid)

    def target_repo(self, name: str = "local") -> RepoInfo:
        repos = self.find_repos(name or "local")
        if not repos:
            raise NotFound(f'repository "{name}" not found')
        if len(repos) > 1:
            raise CMError(f'more than 1 repository found for "{name}"')
        return repos[0]

    def add(self, automation: str, alias: str = "", uid: str = "", meta: dict[str, Any] | None = None,
            repo: str = "local", tags: Sequence[str] = (), yaml: bool = False) -> Artifact:
        """Create a new artifact (``_cm.json`` written atomically); ``AlreadyExists`` if present."""
        for value, what in ((alias, "artifact name"), (uid, "artifact UID")):
            if value:
                check_cm_name(value, what)
        auto_alias, auto_uid = self.resolve_automation(automation)
        target = self.target_repo(repo)
        check_writable(target)
        uid = uid or ids.gen_uid()
        auto_dir = check_cm_name(auto_alias or auto_uid, "automation name")
        path = os.path.join(target.content_path, auto_dir, alias or uid)
        new_meta = dict(meta or {})
        for key, value in (("alias", alias), ("uid", uid), ("automation_alias", auto_alias),
                           ("automation_uid", auto_uid)):
            if not new_meta.get(key):
                new_meta[key] = value
        old_tags = new_meta.get("tags") or []
        if not isinstance(old_tags, list):
            raise CMError(f"meta key 'tags' must be a list of tags, not {type(old_tags).__name__} ({old_tags!r:.80})")
        all_tags = [str(t) for t in old_tags]
        all_tags += [t for t in tags if t and t not in all_tags]
        if all_tags:
            new_meta["tags"] = all_tags
        with self.artifact_lock(path):
            if any(os.path.isfile(os.path.join(path, n)) for n in ("_cm.json", "_cm.yaml")):
                raise AlreadyExists(f"artifact already exists in the path {path}")
            created = [p for p in (os.path.dirname(path), path) if not os.path.isdir(p)]
            try:
                _write_new_artifact(path, new_meta, yaml)
                return self._record(target, path)
            except BaseException:
                _remove_new_folders(path, created)  # a failed add leaves nothing behind
                raise

    def _record(self, repo: RepoInfo, path: str) -> Artifact:
        check_artifact_path(path, repo.content_path)
        order = next((i for i, r in enumerate(self.repos) if r.uid == repo.uid), 0)
        row = load_row(repo, order, os.path.dirname(path), path)
        if row is None or row.error:
            raise BadFile(row.error if row else f"no meta file in {path}")
        if self.index is not None:
            self.index.put(row)
        self._auto_keys.clear()  # a new or changed automation artifact
        try:
            return self.to_artifact(row)
        except CMError:  # written; a broken ``_base`` is reported when the artifact is loaded
            return self.to_artifact(row, ignore_inheritance=True)

    def update(self, artifact: Artifact, meta: dict[str, Any], *, replace: bool = False,
               replace_lists: bool = False) -> Artifact:
        """Merge ``meta`` into the artifact's meta (or replace it) and write ``_cm.json``."""
        check_writable(artifact.path, "update")
        with self.artifact_lock(artifact.path):
            loaded = load_meta_pair(artifact.path)
            if loaded is None:
                raise NotFound(f"artifact not found: {artifact.path}")
            current = loaded[0]
            if replace:
                keep: dict[str, Any] = {k: current[k] for k in ("uid", "alias", "automation_uid", "automation_alias")
                        if k in current}
                new_meta = _merged_meta(keep, meta, replace_lists=True)
            else:
                new_meta = _merged_meta(current, meta, replace_lists=replace_lists)
            save_meta_json(artifact.path, new_meta)
            return self._record(artifact.repo, artifact.path)

    def copy_folder(self, source: Artifact, repo: RepoInfo, path: str, change: dict[str, Any]) -> Artifact:
        """Copy ``source``'s folder to ``path`` with ``change`` merged into its meta (as ``update``
        does). The copy is filled and its meta rewritten under a hidden name, then renamed into
        place: a process killed half-way never leaves a half-copied artifact, nor a second
        artifact with the source's UID."""
        import shutil

        check_writable(repo, "write into")
        with self.artifact_lock(path):
            if os.path.exists(path):
                raise AlreadyExists(f"artifact already exists in the path {path}")
            staging = staging_folder(path, "adding")
            shutil.rmtree(staging, ignore_errors=True)  # left by a killed copy or add
            os.makedirs(os.path.dirname(path), exist_ok=True)
            try:
                shutil.copytree(source.path, staging, symlinks=True)
                loaded = load_meta_pair(staging)
                save_meta_json(staging, _merged_meta(loaded[0] if loaded else {}, change))
                os.rename(staging, path)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            return self._record(repo, path)

    def write_meta(self, artifact: Artifact, meta: dict[str, Any]) -> Artifact:
        """Replace the artifact's ``_cm.json`` with exactly ``meta``."""
        check_writable(artifact.path, "update")
        with self.artifact_lock(artifact.path):
            save_meta_json(artifact.path, meta)
            yaml_path = os.path.join(artifact.path, "_cm.yaml")
            if os.path.isfile(yaml_path):
                os.unlink(yaml_path)
            return self._record(artifact.repo, artifact.path)

    def delete(self, artifact: Artifact) -> None:
        """Remove the artifact directory and its index entry."""
        check_writable(artifact.path, "delete")
        with self.artifact_lock(artifact.path):
            if os.path.isdir(artifact.path):
                _remove_artifact_folder(artifact.path)
            if self.index is not None:
                self.index.remove(artifact.path)
            self._auto_keys.clear()

    def rebuild_index(self) -> int:
        """``cm reindex``: re-read every repository. Returns the number of artifacts."""
        index = self.index or Index(self.home)
        index.clear()
        index.sync(self.repos, None)
        self._forget_synced()
        return index.count()

    def close(self) -> None:
        """Release the index connection and this process's watch (a core replaced or reset)."""
        self._end_watch()
        if self.index is not None:
            self.index.close()

    def access(self, i: dict[str, Any] | str | list[str]) -> dict[str, Any]:
        from colmind.api import access

        return access(i)


def _merged_meta(current: dict[str, Any], change: dict[str, Any], replace_lists: bool = False) -> dict[str, Any]:
    """``update``'s merge: ``change`` into ``current``, lists appended, tags kept unique."""
    new_meta = merge_dicts(current, change, append_lists=not replace_lists)
    if isinstance(new_meta.get("tags"), list):
        new_meta["tags"] = _unique_tags(new_meta["tags"])
    return new_meta


def _unique_tags(tags: list[Any]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        text = str(tag)
        if text and not text.startswith("-") and text not in out:
            out.append(text)
    return out


def _write_new_artifact(path: str, meta: dict[str, Any], yaml: bool) -> None:
    """Write a new artifact's meta. A new folder is filled under a hidden name and renamed into
    place, so that a process killed half-way never leaves a folder without its meta (the next add
    of the same name, under the same artifact lock, removes what it left). A folder that exists
    already (files a user wants to make an artifact) gets its meta file written atomically."""
    save = save_meta_yaml if yaml else save_meta_json
    if os.path.isdir(path):
        save(path, meta)
        return
    import shutil

    staging = staging_folder(path, "adding")
    for left in (staging, staging_folder(path, "deleting")):  # by a killed add or rm (we hold the lock)
        shutil.rmtree(left, ignore_errors=True)
    os.makedirs(staging)
    try:
        save(staging, meta)
        os.rename(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _remove_artifact_folder(path: str) -> None:
    """Rename the folder out of sight first, then delete it: a process killed half-way never leaves
    a half-deleted artifact (its meta without its files) for others to find."""
    import shutil

    trash = staging_folder(path, "deleting")
    if os.path.exists(trash):
        shutil.rmtree(trash, onerror=_force_remove)
    try:
        os.rename(path, trash)
    except OSError:
        trash = path  # (a file system without renames of folders): delete in place
    shutil.rmtree(trash, onerror=_force_remove)


def _remove_new_folders(path: str, created: list[str]) -> None:
    """Remove the folders a failed add created: the artifact's (under its lock), and the automation
    folder only while empty (another process may be adding an artifact there meanwhile)."""
    import shutil

    if path in created:
        shutil.rmtree(path, ignore_errors=True)
    if os.path.dirname(path) in created:
        try:
            os.rmdir(os.path.dirname(path))
        except OSError:
            pass


def _force_remove(func: Any, path: str, _exc: Any) -> None:
    import stat

    os.chmod(path, stat.S_IWRITE)
    func(path)


_CORE: Core | None = None  # the core of the thread that opened one first (nearly always the only one)
_CORE_THREAD = 0
# cores of other threads: an index connection may only be used by the thread that opened it, so a
# web server's or a pool's worker threads each get their own (pruned once their thread has ended)
_OTHER_CORES: dict[int, Core] = {}


def get_core() -> Core:
    """This thread's core; re-created when ``CM_REPOS`` changed (tests)."""
    global _CORE, _CORE_THREAD
    import _thread

    from colmind.config import default_repos_dir

    ident = _thread.get_ident()
    if _CORE is None or _CORE_THREAD == ident:
        if _CORE is None or _CORE.home != default_repos_dir():
            if _CORE is not None:
                _CORE.close()
            _CORE, _CORE_THREAD = Core(), ident
        return _CORE
    return _thread_core(ident, default_repos_dir())


def _thread_core(ident: int, home: str) -> Core:
    core = _OTHER_CORES.get(ident)
    if core is None or core.home != home:
        if core is not None:
            core.close()
        alive = sys._current_frames().keys()
        for gone in [key for key in _OTHER_CORES if key not in alive]:
            del _OTHER_CORES[gone]  # its connection dies with the object; it cannot be closed from here
        core = _OTHER_CORES[ident] = Core()
    return core


def reset_core() -> None:
    """Forget every core (tests, a changed configuration); this thread's is closed."""
    global _CORE
    import _thread

    ident = _thread.get_ident()
    for key, core in list(_OTHER_CORES.items()):
        if key == ident:
            core.close()
    _OTHER_CORES.clear()
    if _CORE is not None and _CORE_THREAD == ident:
        _CORE.close()
    _CORE = None
