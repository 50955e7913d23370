"""Reading artifacts from disk into index rows (used by the index and by a plain scan)."""

from __future__ import annotations

import os

from colmind.errors import BadFile, CMError
from colmind.store.meta import load_json_file, load_yaml_file
from colmind.store.model import RepoInfo, Row

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

META_FILES = ("_cm.yaml", "_cm.json")
# MLC recipes keep their meta in meta.yaml/meta.json; read only when no _cm.* file exists.
MLC_META_FILES = ("meta.yaml", "meta.json")
KIND_FILES = {"yaml": "_cm.yaml", "json": "_cm.json", "myaml": "meta.yaml", "mjson": "meta.json"}
_FILE_KINDS = {name: kind for kind, name in KIND_FILES.items()}


def list_dirs(path: str) -> list[str]:
    """Sorted names of the sub-directories of ``path`` (none if it is missing)."""
    try:
        with os.scandir(path) as entries:
            return sorted(e.name for e in entries if e.is_dir() and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []


def dir_sig(path: str) -> str:
    try:
        return str(os.stat(path).st_mtime_ns)
    except OSError:
        return ""


def artifact_sig(path: str) -> str:
    """A signature that changes when a meta file of the artifact is added, removed or edited."""
    parts = _stat_parts(path, META_FILES) or _stat_parts(path, MLC_META_FILES)
    if parts and _racy(parts):
        parts.append(RACY)
    return "|".join(parts)


# A file modified within the file system's timestamp resolution of being indexed could be edited
# again without changing its (mtime, size): such a signature is marked and re-read next time.
RACY = "racy"
_RACY_WINDOW_NS = 2_000_000_000


def _racy(parts: list[str]) -> bool:
    import time

    now = time.time_ns()
    return any(now - int(p.split(":")[1]) < _RACY_WINDOW_NS for p in parts)


def _stat_parts(path: str, names: tuple[str, ...]) -> list[str]:
    parts = []
    for name in names:
        try:
            st = os.stat(os.path.join(path, name))
        except OSError:
            continue
        parts.append(f"{_FILE_KINDS[name]}:{st.st_mtime_ns}:{st.st_size}")
    return parts


def load_row(repo: RepoInfo, order: int, auto_dir: str, path: str,
             default_auto: tuple[str, str] = ("", "")) -> Row | None:
    """Load one artifact directory; None when it holds no meta file."""
    sig = artifact_sig(path)
    if not sig:
        return None
    row = Row(path=path, repo_order=order, repo_alias=repo.alias, repo_uid=repo.uid, auto_dir=auto_dir,
              automation_uid=default_auto[1], automation_alias=default_auto[0], uid="",
              alias=os.path.basename(path), tags=[], meta={}, sig=sig)
    try:
        meta = _read_meta(path, sig)
    except CMError as exc:
        row.error = str(exc)
        if not default_auto[0] and not default_auto[1]:
            # no readable sibling tells the automation: the folder is named after it (CM's layout),
            # so the broken artifact is still reported, not silently invisible
            row.automation_alias = os.path.basename(auto_dir)
        return row
    row.meta = meta
    row.uid = str(meta.get("uid") or "")
    row.alias = str(meta.get("alias") or "") if "alias" in meta else os.path.basename(path)
    row.automation_uid = str(meta.get("automation_uid") or default_auto[1])
    row.automation_alias = str(meta.get("automation_alias") or default_auto[0])
    tags = meta.get("tags") or []
    row.tags = [str(t) for t in tags] if isinstance(tags, list) else []
    row.base = str(meta.get("_base") or "")
    return row


def _read_meta(path: str, sig: str) -> dict[str, Any]:
    """YAML first, JSON merged over it (JSON wins), reading only the files the signature names."""
    meta: dict[str, Any] = {}
    for part in sig.split("|"):
        kind = part.split(":", 1)[0]
        if kind == RACY:
            continue
        file = os.path.join(path, KIND_FILES[kind])
        data = load_yaml_file(file) if kind.endswith("yaml") else load_json_file(file)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise BadFile(f"detected problem in {file}: the top level must be a mapping")
        meta.update(data)
    for key in ("uid", "alias", "automation_uid", "automation_alias"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            meta[key] = str(value)
    return meta


def scan_automation_dir(repo: RepoInfo, order: int, auto_dir: str) -> list[Row]:
    """All artifacts of one automation directory of a repo, in sorted order."""
    rows: list[Row] = []
    default = ("", "")
    for name in list_dirs(auto_dir):
        row = load_row(repo, order, auto_dir, os.path.join(auto_dir, name), default)
        if row is None:
            continue
        if default == ("", "") and (row.automation_uid or row.automation_alias):
            default = (row.automation_alias, row.automation_uid)
        rows.append(row)
    for row in rows:
        if not row.automation_uid and not row.automation_alias:
            row.automation_alias, row.automation_uid = default
    return rows


def scan_repo(repo: RepoInfo, order: int) -> list[Row]:
    rows: list[Row] = []
    for name in list_dirs(repo.content_path):
        rows.extend(scan_automation_dir(repo, order, os.path.join(repo.content_path, name)))
    return rows
