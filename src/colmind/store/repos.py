"""The repository registry: ``$CM_REPOS/repos.json``, the local repo and the built-in repo."""

from __future__ import annotations

import os
import sys

from colmind.errors import BadFile, CMError
from colmind.store import atomic
from colmind.store.lock import locked
from colmind.store.meta import load_meta_pair
from colmind.store.model import RepoInfo
from colmind.store.paths import pure_path

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

LOCAL_META = {"alias": "local", "name": "local CM repository", "uid": "9a3280b14a4285c9"}
INTERNAL_UID = "36b263b05174aef9"


def builtin_repo_path() -> str:
    """The repository shipped inside the package (CM's ``internal`` repo)."""
    home = os.environ.get("CM_HOME")
    if home and os.path.isfile(os.path.join(home, "repo", "cmr.yaml")):
        return os.path.join(home, "repo")
    return os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "repo")


class Registry:
    """Reads and changes the list of registered repositories (locked, atomic)."""

    def __init__(self, repos_path: str | os.PathLike[str], mlc_repos: str = "") -> None:
        self.repos_path = pure_path(os.fspath(repos_path))
        # mlcflow's ``$MLC_REPOS`` (``repos.json`` inside it): its repositories are read after
        # colmind's own, never written (docs/mlc.md); "" = not read
        self.mlc_repos = mlc_repos
        self.file = os.path.join(self.repos_path, "repos.json")
        self.lock_file = os.path.join(self.repos_path, ".locks", "repos.json.lock")
        self.warnings: list[str] = []
        self.watched: list[str] = []

    def files_signature(self) -> tuple[Any, ...]:
        """Stat of ``repos.json`` and of the ``cmr.*`` files read by the last ``load``."""
        sig: list[Any] = []
        extra = [os.path.join(self.mlc_repos, "repos.json")] if self.mlc_repos else []
        for path in [self.file, *extra, *self.watched]:
            try:
                st = os.stat(path)
                sig.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                sig.append(None)
        return tuple(sig)

    @property
    def local_path(self) -> str:
        return os.path.join(self.repos_path, "repos", "local")

    def ensure_layout(self) -> None:
        """Create ``$CM_REPOS``, ``repos/``, ``repos.json`` and the local repo when missing."""
        os.makedirs(os.path.join(self.repos_path, "repos"), exist_ok=True)
        if not os.path.exists(self.file):
            with locked(self.lock_file):
                if not os.path.exists(self.file):
                    atomic.write_text(self.file, "[]\n")
        local = self.local_path
        if not any(os.path.exists(os.path.join(local, n)) for n in ("cmr.yaml", "cmr.json")):
            atomic.write_yaml(os.path.join(local, "cmr.yaml"), dict(LOCAL_META))

    def read_paths(self) -> list[str]:
        """The entries of ``repos.json``; a malformed file is an error naming it (never rewritten)."""
        try:
            with open(self.file, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            return []
        try:
            data = _json_loads(text) if text.strip() else []
        except ValueError as exc:
            import json

            if not isinstance(exc, json.JSONDecodeError):
                raise
            raise BadFile(f"detected problem in {self.file}: {exc} (fix or delete the file)") from None
        if not isinstance(data, list) or not all(isinstance(p, str) for p in data):
            raise BadFile(f"detected problem in {self.file}: expected a JSON list of repository paths")
        return data

    def resolve_entry(self, entry: str) -> str:
        """A ``repos.json`` entry naming a folder of ``$CM_REPOS/repos`` (or a path), as a path."""
        candidate = pure_path(os.path.join(self.repos_path, "repos", entry))
        return candidate if os.path.isdir(candidate) else entry

    def load(self, save_cache: bool = True) -> list[RepoInfo]:
        """All repositories in CM's order: local, internal, then ``repos.json`` entries.

        ``save_cache=False`` writes nothing (the index monitor reads the repositories while a user
        may be deleting ``$CM_REPOS``: it must not recreate files there)."""
        self.warnings = []
        self.watched = [os.path.join(self.local_path, n) for n in ("cmr.yaml", "cmr.json")]
        self._metas = _MetaCache(os.path.join(self.repos_path, ".colmind", _META_CACHE_NAME))
        repos = [self._load_repo(self.local_path), self._load_repo(builtin_repo_path())]
        seen = {os.path.realpath(r.path) for r in repos}
        for entry in self.read_paths():
            path = self.resolve_entry(entry)
            self.watched += [os.path.join(path, n) for n in ("cmr.yaml", "cmr.json")]
            real = os.path.realpath(path)
            if real in seen:
                continue
            if not _has_repo_meta(path):
                self.warnings.append(f"WARNING: repository path {path} not found (check file {self.file})")
                continue
            seen.add(real)
            try:
                repos.append(self._load_repo(path))
            except BadFile as exc:  # one broken repository must not stop every command
                self.warnings.append(f"WARNING: skipping repository {path}: {exc.message} "
                                     f"(fix the file, or remove the path from {self.file})")
        if self.mlc_repos:
            repos += self._mlc_repos(seen)
        if save_cache:
            self._metas.save()
        return repos

    def mlc_paths(self) -> list[str]:
        """The paths mlcflow registered in ``$MLC_REPOS/repos.json`` (read only; [] when absent or
        unreadable: mlcflow's file is mlcflow's business), without mlcflow's own ``local`` repo,
        whose cache entries are in mlcflow's format."""
        if not self.mlc_repos:
            return []
        try:
            with open(os.path.join(self.mlc_repos, "repos.json"), encoding="utf-8") as handle:
                data = _json_loads(handle.read())
        except (OSError, ValueError):
            return []
        local = os.path.join(self.mlc_repos, "local")
        return [p for p in data if isinstance(p, str) and pure_path(p) != pure_path(local)] \
            if isinstance(data, list) else []

    def _mlc_repos(self, seen: set[str]) -> list[RepoInfo]:
        found = []
        for path in self.mlc_paths():
            real = os.path.realpath(path)
            if real in seen or not _has_repo_meta(path):
                continue
            seen.add(real)
            try:
                found.append(self._load_repo(path))
            except (BadFile, CMError) as exc:
                self.warnings.append(f"WARNING: skipping mlcflow repository {path}: {exc}")
        return found

    def _load_repo(self, path: str) -> RepoInfo:
        """``load_repo`` through a cache keyed by the meta files' mtimes: warm commands never parse YAML."""
        sig = _repo_sig(path)
        meta = self._metas.get(path, sig)
        if meta is None:
            repo = load_repo(path)
            self._metas.put(path, sig, repo.meta)
            return repo
        return RepoInfo(alias=str(meta.get("alias", "")), uid=str(meta.get("uid", "")), path=path, meta=meta)

    def add_path(self, path: str) -> None:
        """Register ``path`` (under the registry lock)."""
        with locked(self.lock_file):
            paths = self.read_paths()
            if path not in paths:
                paths.append(path)
                atomic.write_text(self.file, _dump_paths(paths))

    def remove_path(self, path: str) -> None:
        with locked(self.lock_file):
            real = os.path.realpath(path)
            paths = [p for p in self.read_paths() if os.path.realpath(self.resolve_entry(p)) != real]
            atomic.write_text(self.file, _dump_paths(paths))


def _json_loads(text: str) -> Any:
    from colmind.store.jsonload import loads

    return loads(text)


def _dump_paths(paths: list[str]) -> str:
    import json

    return json.dumps(paths, indent=2) + "\n"


def _has_repo_meta(path: str) -> bool:
    return any(os.path.isfile(os.path.join(path, n)) for n in ("cmr.yaml", "cmr.json", "meta.yaml"))


def load_repo(path: str) -> RepoInfo:
    """Load ``cmr.yaml`` (+ ``cmr.json`` over it) of the repo at ``path``."""
    loaded = load_meta_pair(path, "cmr") or _mlc_repo_meta(path)
    if loaded is None:
        raise CMError(f"CM repository is broken: no cmr.yaml or cmr.json in {path}")
    meta = loaded[0]
    return RepoInfo(alias=str(meta.get("alias", "")), uid=str(meta.get("uid", "")), path=path, meta=meta)



def repo_meta_for_new(alias: str, uid: str, desc: str = "", prefix: str = "", git: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"alias": alias, "uid": uid, "git": git}
    if desc:
        meta["desc"] = desc
    if prefix:
        meta["prefix"] = prefix
    return meta


def _mlc_repo_meta(path: str) -> tuple[dict[str, Any], list[str]] | None:
    """An MLC repository describes itself in ``meta.yaml`` at its root (alias, uid, ...)."""
    loaded = load_meta_pair(path, "meta")
    if loaded is None or not loaded[0].get("uid") and not loaded[0].get("alias"):
        return None
    return loaded


def _repo_sig(path: str) -> str:
    """Names, mtimes and sizes of the repo's meta files; empty when none exists or one was
    modified so recently that a later edit could leave its (mtime, size) unchanged."""
    import time

    parts = []
    now = time.time_ns()
    for name in ("cmr.yaml", "cmr.json", "meta.yaml", "meta.json"):
        try:
            st = os.stat(os.path.join(path, name))
        except OSError:
            continue
        if now - st.st_mtime_ns < _RACY_WINDOW_NS:
            return ""
        parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
    return "|".join(parts)


# One cache per Python version: ``marshal``'s format may change between versions.
_META_CACHE_NAME = "repo-metas-py{}{}.marshal".format(*sys.version_info[:2])
_META_CACHE_FORMAT = "colmind-repo-metas/1"
# Like the index (``scan.RACY``): a file modified this recently may change again within its mtime tick.
_RACY_WINDOW_NS = 2_000_000_000


class _MetaCache:
    """Parsed repository metas by path and file signature, in one ``marshal`` file (derived data:
    written atomically when changed, last writer wins, a broken or foreign file is ignored)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.dirty = False
        self.data: dict[str, Any] = _read_marshal(file)

    def get(self, path: str, sig: str) -> dict[str, Any] | None:
        entry = self.data.get(path)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == sig and isinstance(entry[1], dict):
            return entry[1]
        return None

    def put(self, path: str, sig: str, meta: dict[str, Any]) -> None:
        if sig:
            self.data[path] = (sig, meta)
            self.dirty = True

    def save(self) -> None:
        """Write the cache if ``put`` changed it; metas ``marshal`` cannot hold (YAML dates) are dropped."""
        if not self.dirty:
            return
        import marshal

        for path in list(self.data):
            try:
                marshal.dumps(self.data[path])
            except ValueError:
                del self.data[path]
        try:
            # a cache: no fsync (a file lost or garbled by a crash is simply rebuilt)
            atomic.write_bytes(self.file, marshal.dumps((_META_CACHE_FORMAT, self.data)), durable=False)
        except OSError:
            pass
        self.dirty = False


def _read_marshal(file: str) -> dict[str, Any]:
    import marshal

    try:
        with open(file, "rb") as handle:
            loaded = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == _META_CACHE_FORMAT \
            and isinstance(loaded[1], dict):
        return loaded[1]
    return {}
