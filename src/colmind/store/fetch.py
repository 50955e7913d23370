"""Getting a repository onto disk for ``cm pull repo``: git, local folder, or archive (file or URL).

Everything is fetched into a temporary folder next to the target and moved into place only
when complete and checked, so a failed pull leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from colmind.errors import CMError
from colmind.store.archive import check_tree_links, extract, is_archive_name
from colmind.store.gitops import GitOptions, clone, run_git

__all__ = ["Source", "classify", "alias_from_url", "fetch_into", "download", "git_info", "run_git"]

GITHUB = "https://github.com/"


@dataclass
class Source:
    kind: str          # "git" | "archive" | "folder"
    location: str      # URL or path
    alias: str


def classify(artifact: str, url: str = "") -> Source:
    """Decide what ``cm pull repo ARTIFACT [--url=URL]`` refers to."""
    target = url or artifact
    if not target:
        raise CMError("give a repository: cm pull repo owner@name | URL | PATH | FILE.zip")
    if is_archive_name(target.split("?")[0]):
        name = os.path.basename(target.split("?")[0])
        alias = artifact if (url and artifact) else _strip_archive_suffix(name)
        return Source("archive", target, alias)
    if os.path.isdir(os.path.expanduser(target)) and not target.startswith(("http://", "https://", "git@")):
        path = os.path.abspath(os.path.expanduser(target))
        kind = "git" if os.path.isdir(os.path.join(path, ".git")) else "folder"
        return Source(kind, path, artifact if (url and artifact) else os.path.basename(path.rstrip("/")))
    if target.startswith(("http://", "https://", "git@", "file://", "ssh://")) or target.endswith(".git"):
        return Source("git", target, artifact if (url and artifact) else alias_from_url(target))
    alias = target if "@" in target else f"mlcommons@{target}"
    return Source("git", GITHUB + alias.replace("@", "/", 1), alias)


def _strip_archive_suffix(name: str) -> str:
    for suffix in (".tar.gz", ".tar.xz", ".tar.bz2", ".tgz", ".txz", ".tbz2", ".zip", ".tar"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def alias_from_url(url: str) -> str:
    """``https://host/o/n(.git)`` and ``git@host:o/n`` -> ``o@n``."""
    text = url[:-4] if url.endswith(".git") else url
    text = text.rstrip("/")
    if text.startswith("git@"):
        text = text.split(":", 1)[-1]
    parts = [p for p in text.split("/") if p]
    if len(parts) >= 2:
        return f"{parts[-2]}@{parts[-1]}"
    return parts[-1] if parts else "repo"


def fetch_into(source: Source, dest: str, opts: GitOptions | None = None, unwrap: bool = True) -> None:
    """Materialise ``source`` at ``dest`` (which must not exist).

    ``unwrap``: an archive whose only top-level entry is a folder holding ``cmr.yaml`` lands as
    that folder (``--skip_zip_parent_dir`` turns it off)."""
    if source.kind == "git":
        clone(source.location, dest, opts or GitOptions())
    elif source.kind == "folder":
        shutil.copytree(source.location, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    else:
        _fetch_archive(source.location, dest, unwrap)
    check_tree_links(dest)


def _fetch_archive(location: str, dest: str, unwrap: bool = True) -> None:
    path = location
    downloaded = ""
    if "://" in location and not location.startswith("file://"):
        name = os.path.basename(location.split("?")[0])  # keeps .zip / .tar.gz: extract() goes by the name
        downloaded = path = download(location, f"{dest}.download-{name}")
    elif location.startswith("file://"):
        path = location[len("file://"):]
    if not os.path.isfile(path):
        raise CMError(f"archive {location} not found")
    unpack_dir = dest + ".unpack"
    try:
        extract(path, unpack_dir)
        root = _content_root(unpack_dir) if unwrap else unpack_dir
        os.replace(root, dest)
    finally:
        shutil.rmtree(unpack_dir, ignore_errors=True)
        if downloaded:
            os.unlink(downloaded)


def _content_root(folder: str) -> str:
    """The archive's root, or its single top-level folder when that holds ``cmr.yaml``."""
    if any(os.path.isfile(os.path.join(folder, n)) for n in ("cmr.yaml", "cmr.json")):
        return folder
    entries = [e for e in os.listdir(folder) if not e.startswith(".")]
    if len(entries) == 1 and os.path.isdir(os.path.join(folder, entries[0])):
        return os.path.join(folder, entries[0])
    return folder


def download(url: str, path: str) -> str:
    """Download ``url`` to ``path`` (atomic rename when complete)."""
    import urllib.error
    import urllib.request

    tmp = path + ".part"
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(tmp, "wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise CMError(f"cannot download {url}: {exc}") from None
    os.replace(tmp, path)
    return path


def git_info(path: str) -> dict[str, str]:
    """URL, branch and commit of a git checkout (empty values when unknown)."""
    info = {"url": "", "branch": "", "commit": ""}
    if not os.path.isdir(os.path.join(path, ".git")) or shutil.which("git") is None:
        return info
    for key, args in (("url", ["config", "--get", "remote.origin.url"]),
                      ("branch", ["rev-parse", "--abbrev-ref", "HEAD"]), ("commit", ["rev-parse", "HEAD"])):
        proc = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True)
        info[key] = proc.stdout.strip() if proc.returncode == 0 else ""
    return info
