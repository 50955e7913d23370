"""Safe archive handling: zip / tar(.gz|.xz|.bz2) extraction that never writes outside its target."""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable
from dataclasses import dataclass

from colmind.errors import CMError
from colmind.store import atomic

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar")


class UnsafeArchive(CMError):
    """An archive entry would escape the target folder."""


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _check_name(archive: str, name: str) -> str:
    clean = name.replace("\\", "/")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":"):
        raise UnsafeArchive(f"refusing to extract {archive}: entry '{name}' has an absolute path")
    norm = posixpath.normpath(clean)
    if norm == ".." or norm.startswith("../"):
        raise UnsafeArchive(f"refusing to extract {archive}: entry '{name}' points outside the target (..)")
    return norm


def _check_link(archive: str, name: str, target: str) -> None:
    if target.startswith("/"):
        raise UnsafeArchive(f"refusing to extract {archive}: link '{name}' points to the absolute path {target}")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(_check_name(archive, name)), target))
    if joined == ".." or joined.startswith("../"):
        raise UnsafeArchive(f"refusing to extract {archive}: link '{name}' -> '{target}' points outside the target")


@dataclass(frozen=True)
class _Entry:
    name: str          # normalised, relative
    link: str = ""     # symlink target ("" when not a symlink)


def _resolves_inside(path: str, links: dict[str, str]) -> bool:
    """Resolve ``path`` through the archive's own symlinks; False when it leaves the root."""
    todo = [p for p in path.split("/") if p not in ("", ".")]
    stack: list[str] = []
    hops = 0
    while todo:
        part = todo.pop(0)
        if part == "..":
            if not stack:
                return False
            stack.pop()
            continue
        stack.append(part)
        target = links.get("/".join(stack))
        if target is not None:
            hops += 1
            if target.startswith("/") or hops > 40:
                return False
            stack.pop()
            todo[:0] = [p for p in target.split("/") if p not in ("", ".")]
    return True


def _check_entries(archive: str, entries: list[_Entry]) -> None:
    """Refuse links that resolve outside (also through other links) and entries stored under a link."""
    links = {e.name: e.link for e in entries if e.link}
    names = [e.name for e in entries if not e.link]
    for name in names:
        if name in links:
            raise UnsafeArchive(f"refusing to extract {archive}: '{name}' is both a link and a file")
        parts = name.split("/")
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            if prefix in links:
                raise UnsafeArchive(f"refusing to extract {archive}: entry '{name}' is stored under the link "
                                    f"'{prefix}'")
    for name, target in links.items():
        if not _resolves_inside(posixpath.join(posixpath.dirname(name), target), links):
            raise UnsafeArchive(f"refusing to extract {archive}: link '{name}' -> '{target}' points outside the target")


def extract(archive: str, target: str, is_zip: bool | None = None) -> None:
    """Extract ``archive`` into ``target`` after checking every entry (nothing is written on refusal).

    ``is_zip``: the format, when the file name does not tell (default: a ``.zip`` name is a zip)."""
    created = not os.path.exists(target)
    try:
        if archive.lower().endswith(".zip") if is_zip is None else is_zip:
            _extract_zip(archive, target)
        else:
            _extract_tar(archive, target)
    except BaseException:
        if created:
            import shutil

            shutil.rmtree(target, ignore_errors=True)
        raise


def _extract_zip(archive: str, target: str) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            entries = []
            for info in infos:
                name = _check_name(archive, info.filename).rstrip("/")
                link = ""
                if stat.S_ISLNK(info.external_attr >> 16):
                    link = zf.read(info).decode("utf-8", "replace")
                    _check_link(archive, info.filename, link)
                entries.append(_Entry(name, link))
            _check_entries(archive, entries)
            os.makedirs(target, exist_ok=True)
            umask = atomic.current_umask()
            for info, entry in zip(infos, entries, strict=True):
                if entry.link:
                    continue
                zf.extract(info, target)
                mode = info.external_attr >> 16
                if mode & 0o111 and not info.is_dir():
                    os.chmod(os.path.join(target, entry.name), mode & 0o777 & ~umask)  # as unzip does
            for entry in entries:
                if entry.link:
                    dest = os.path.join(target, entry.name)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    os.symlink(entry.link, dest)
    except zipfile.BadZipFile as exc:
        raise CMError(f"{archive} is not a valid zip archive: {exc}") from None


def _extract_tar(archive: str, target: str) -> None:
    import tarfile

    try:
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            _check_tar_members(archive, members)
            os.makedirs(target, exist_ok=True)
            if hasattr(tarfile, "data_filter"):
                tf.extractall(target, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                tf.extractall(target)
    except tarfile.TarError as exc:
        raise CMError(f"{archive} is not a valid tar archive: {exc}") from None


def _check_tar_members(archive: str, members: Iterable[object]) -> None:
    entries = []
    for member in members:
        name = getattr(member, "name", "")
        clean = _check_name(archive, name)
        link = ""
        if member.issym() or member.islnk():  # type: ignore[attr-defined]
            link = getattr(member, "linkname", "")
            if member.islnk():  # type: ignore[attr-defined]
                _check_name(archive, link)
                link = ""
            else:
                _check_link(archive, name, link)
        elif member.isdev():  # type: ignore[attr-defined]
            raise UnsafeArchive(f"refusing to extract {archive}: entry '{name}' is a device file")
        entries.append(_Entry(clean, link))
    _check_entries(archive, entries)


def check_tree_links(root: str) -> None:
    """Refuse a checked-out tree whose symlinks point outside it."""
    real_root = os.path.realpath(root)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                resolved = os.path.realpath(path)
                if resolved != real_root and not resolved.startswith(real_root + os.sep):
                    raise UnsafeArchive(f"refusing repository: link {path} points outside it ({os.readlink(path)})")


def make_zip(source: str, archive: str, skip: tuple[str, ...] = (".git",)) -> int:
    """Zip ``source`` into ``archive`` (paths relative to ``source``); returns the file count."""
    import zipfile

    count = 0
    tmp = archive + f".{os.getpid()}.tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for folder, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if d not in skip)
            for name in sorted(files):
                if name in skip:
                    continue
                path = os.path.join(folder, name)
                zf.write(path, os.path.relpath(path, source))
                count += 1
    os.replace(tmp, archive)
    return count
