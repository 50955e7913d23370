"""The repository registry: ``$CM_REPOS/repos.json``, the local repo and the built-in repo."""

from __future__ import annotations

import json
import os
from pathlib import Path

from colmind.errors import BadFile, CMError
from colmind.store import atomic
from colmind.store.lock import locked
from colmind.store.meta import load_meta_pair
from colmind.store.model import RepoInfo

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
    return str(Path(__file__).resolve().parent.parent / "repo")


class Registry:
    """Reads and changes the list of registered repositories (locked, atomic)."""

    def __init__(self, repos_path: Path) -> None:
        self.repos_path = repos_path
        self.file = repos_path / "repos.json"
        self.lock_file = repos_path / ".locks" / "repos.json.lock"
        self.warnings: list[str] = []
        self.watched: list[str] = []

    def files_signature(self) -> tuple[Any, ...]:
        """Stat of ``repos.json`` and of the ``cmr.*`` files read by the last ``load``."""
        sig: list[Any] = []
        for path in [str(self.file), *self.watched]:
            try:
                st = os.stat(path)
                sig.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                sig.append(None)
        return tuple(sig)

    @property
    def local_path(self) -> str:
        return str(self.repos_path / "repos" / "local")

    def ensure_layout(self) -> None:
        """Create ``$CM_REPOS``, ``repos/``, ``repos.json`` and the local repo when missing."""
        (self.repos_path / "repos").mkdir(parents=True, exist_ok=True)
        if not self.file.exists():
            with locked(self.lock_file):
                if not self.file.exists():
                    atomic.write_text(self.file, "[]\n")
        local = Path(self.local_path)
        if not (local / "cmr.yaml").exists() and not (local / "cmr.json").exists():
            atomic.write_yaml(local / "cmr.yaml", dict(LOCAL_META))

    def read_paths(self) -> list[str]:
        """The entries of ``repos.json``; a malformed file is an error naming it (never rewritten)."""
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        try:
            data = json.loads(text) if text.strip() else []
        except json.JSONDecodeError as exc:
            raise BadFile(f"detected problem in {self.file}: {exc} (fix or delete the file)") from None
        if not isinstance(data, list) or not all(isinstance(p, str) for p in data):
            raise BadFile(f"detected problem in {self.file}: expected a JSON list of repository paths")
        return data

    def resolve_entry(self, entry: str) -> str:
        candidate = self.repos_path / "repos" / entry
        return str(candidate) if candidate.is_dir() else entry

    def load(self) -> list[RepoInfo]:
        """All repositories in CM's order: local, internal, then ``repos.json`` entries."""
        self.warnings = []
        self.watched = [os.path.join(self.local_path, n) for n in ("cmr.yaml", "cmr.json")]
        self._metas = _MetaCache(self.repos_path / ".colmind" / "repo-metas.json")
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
        return repos

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
                atomic.write_text(self.file, json.dumps(paths, indent=2) + "\n")

    def remove_path(self, path: str) -> None:
        with locked(self.lock_file):
            real = os.path.realpath(path)
            paths = [p for p in self.read_paths() if os.path.realpath(self.resolve_entry(p)) != real]
            atomic.write_text(self.file, json.dumps(paths, indent=2) + "\n")


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
    parts = []
    for name in ("cmr.yaml", "cmr.json", "meta.yaml", "meta.json"):
        try:
            st = os.stat(os.path.join(path, name))
        except OSError:
            continue
        parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
    return "|".join(parts)


class _MetaCache:
    """Parsed repository metas by path and file signature, in one JSON file (derived data:
    written atomically, last writer wins, a broken file is simply ignored)."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.dirty = False
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.data = {}

    def get(self, path: str, sig: str) -> dict[str, Any] | None:
        entry = self.data.get(path)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == sig and isinstance(entry[1], dict):
            return entry[1]
        return None

    def put(self, path: str, sig: str, meta: dict[str, Any]) -> None:
        if not sig:
            return
        self.data[path] = [sig, meta]
        try:
            atomic.write_text(self.file, json.dumps(self.data, default=str))
        except OSError:
            pass
