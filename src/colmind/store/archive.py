"""Safe archive handling: zip / tar(.gz|.xz|.bz2) extraction that never writes outside its target."""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable

from colmind.errors import CMError

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


def extract(archive: str, target: str) -> None:
    """Extract ``archive`` into ``target`` after checking every entry (nothing is written on refusal)."""
    os.makedirs(target, exist_ok=True)
    if archive.lower().endswith(".zip"):
        _extract_zip(archive, target)
    else:
        _extract_tar(archive, target)


def _extract_zip(archive: str, target: str) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            for info in infos:
                _check_name(archive, info.filename)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    _check_link(archive, info.filename, zf.read(info).decode("utf-8", "replace"))
            for info in infos:
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    dest = os.path.join(target, _check_name(archive, info.filename))
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    os.symlink(zf.read(info).decode("utf-8"), dest)
                else:
                    zf.extract(info, target)
                    if mode & 0o111 and not info.is_dir():
                        os.chmod(os.path.join(target, info.filename), mode & 0o777)
    except zipfile.BadZipFile as exc:
        raise CMError(f"{archive} is not a valid zip archive: {exc}") from None


def _extract_tar(archive: str, target: str) -> None:
    import tarfile

    try:
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            _check_tar_members(archive, members)
            if hasattr(tarfile, "data_filter"):
                tf.extractall(target, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                tf.extractall(target)
    except tarfile.TarError as exc:
        raise CMError(f"{archive} is not a valid tar archive: {exc}") from None


def _check_tar_members(archive: str, members: Iterable[object]) -> None:
    for member in members:
        name = getattr(member, "name", "")
        _check_name(archive, name)
        if member.issym() or member.islnk():
            link = getattr(member, "linkname", "")
            if member.islnk():
                _check_name(archive, link)
            else:
                _check_link(archive, name, link)
        elif member.isdev():
            raise UnsafeArchive(f"refusing to extract {archive}: entry '{name}' is a device file")


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
