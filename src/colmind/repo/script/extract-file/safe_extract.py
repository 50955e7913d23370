"""Extract zip / tar / tar.gz / tar.xz / tar.bz2 (and single .gz/.xz/.bz2 files) safely.

Every member is checked BEFORE anything is written: absolute names, `..` components, drive
letters, links whose target leaves the destination, device files and FIFOs are refused with an
error that names the archive and the member. Format is detected from the content, not the name.
CLI: `python safe_extract.py ARCHIVE [--to DIR]`.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
import posixpath
import shutil
import stat
import tarfile
import uuid
import zipfile
from dataclasses import dataclass

SINGLE_FILE = {b'\x1f\x8b': ('.gz', gzip.open), b'BZh': ('.bz2', bz2.open), b'\xfd7zXZ\x00': ('.xz', lzma.open)}


class UnsafeArchive(Exception):
    """An entry would land outside the destination (or is not a regular file/dir/link)."""


class ExtractError(Exception):
    """Not an archive, unreadable, or the destination cannot be written."""


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str          # 'file' | 'dir' | 'symlink' | 'hardlink' | 'other'
    link: str = ''


def check_name(name: str) -> str:
    """Normalised relative POSIX path of a member, or UnsafeArchive."""
    if not name or '\x00' in name:
        raise UnsafeArchive(f'empty or NUL-containing member name {name!r}')
    n = name.replace('\\', '/')
    if n.startswith('/') or (len(n) > 1 and n[1] == ':'):
        raise UnsafeArchive(f'absolute member path {name!r}')
    if '..' in n.split('/'):
        raise UnsafeArchive(f'member path {name!r} contains ".."')
    n = posixpath.normpath(n)
    if n == '.':
        return ''
    return n


def check_link(member: str, target: str, hard: bool = False) -> None:
    """A link is fine if its target, resolved from the member's directory, stays inside."""
    if not target:
        raise UnsafeArchive(f'link {member!r} has an empty target')
    t = target.replace('\\', '/')
    if t.startswith('/') or (len(t) > 1 and t[1] == ':'):
        raise UnsafeArchive(f'link {member!r} points to the absolute path {target!r}')
    base = '' if hard else posixpath.dirname(member)
    resolved = posixpath.normpath(posixpath.join(base, t))
    if resolved == '..' or resolved.startswith('../'):
        raise UnsafeArchive(f'link {member!r} -> {target!r} points outside the destination')


def validate(entries: list) -> None:
    links = {}
    for e in entries:
        name = check_name(e.name)
        if e.kind == 'other':
            raise UnsafeArchive(f'member {e.name!r} is a device, FIFO or other special file')
        if e.kind in ('symlink', 'hardlink'):
            check_link(name, e.link, hard=(e.kind == 'hardlink'))
            links[name] = e.link
    for e in entries:  # writing through an archived symlink to a directory
        parts = check_name(e.name).split('/')
        for k in range(1, len(parts)):
            if '/'.join(parts[:k]) in links:
                raise UnsafeArchive(f'member {e.name!r} would be written through the link {"/".join(parts[:k])!r}')


def _zip_entries(zf: zipfile.ZipFile) -> list:
    out = []
    for info in zf.infolist():
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            out.append(Entry(info.filename, 'symlink', zf.read(info).decode('utf-8', 'replace')))
        else:
            out.append(Entry(info.filename, 'dir' if info.is_dir() else 'file'))
    return out


def _tar_entries(tf: tarfile.TarFile) -> list:
    out = []
    for m in tf.getmembers():
        kind = ('file' if m.isfile() else 'dir' if m.isdir() else 'symlink' if m.issym()
                else 'hardlink' if m.islnk() else 'other')
        out.append(Entry(m.name, kind, m.linkname if kind in ('symlink', 'hardlink') else ''))
    return out


def _extract_zip(zf: zipfile.ZipFile, dest: str) -> None:
    for info in zf.infolist():
        name = check_name(info.filename)
        if not name:
            continue
        path = os.path.join(dest, *name.split('/'))
        mode = info.external_attr >> 16
        if info.is_dir():
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if stat.S_ISLNK(mode):
            os.symlink(zf.read(info).decode('utf-8'), path)
            continue
        with zf.open(info) as src, open(path, 'wb') as out:
            shutil.copyfileobj(src, out)
        if mode & 0o777:
            os.chmod(path, mode & 0o755 | 0o600)


def _extract_tar(tf: tarfile.TarFile, dest: str) -> None:
    if hasattr(tarfile, 'data_filter'):
        tf.extractall(dest, filter='data')  # second line of defence
    else:  # validated above; old Pythons without extraction filters
        tf.extractall(dest)


def _single_file(path: str) -> tuple | None:
    with open(path, 'rb') as f:
        head = f.read(6)
    for magic, (ext, opener) in SINGLE_FILE.items():
        if head.startswith(magic):
            return ext, opener
    return None


def _stage(dest: str) -> str:
    os.makedirs(dest, exist_ok=True)
    stage = os.path.join(dest, '.colmind-extract-' + uuid.uuid4().hex[:8])
    os.makedirs(stage)
    return stage


def _commit(stage: str, dest: str) -> list:
    """Move the staged top-level entries into dest (replacing same-named ones)."""
    names = sorted(os.listdir(stage))
    for n in names:
        target = os.path.join(dest, n)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        elif os.path.lexists(target):
            os.remove(target)
        os.replace(os.path.join(stage, n), target)
    os.rmdir(stage)
    return names


def extract(archive: str, dest: str) -> list:
    """Extract `archive` into `dest`; returns the top-level names created."""
    if not os.path.isfile(archive):
        raise ExtractError(f'{archive} does not exist or is not a file')
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                validate(_zip_entries(zf))
                stage = _stage(dest)
                _extract_zip(zf, stage)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                validate(_tar_entries(tf))
                stage = _stage(dest)
                _extract_tar(tf, stage)
        else:
            single = _single_file(archive)
            if single is None:
                raise ExtractError(f'{archive} is not a zip, tar or gz/xz/bz2 file')
            ext, opener = single
            base = os.path.basename(archive)
            name = base[:-len(ext)] if base.lower().endswith(ext) and len(base) > len(ext) else base + '.out'
            stage = _stage(dest)
            with opener(archive, 'rb') as src, open(os.path.join(stage, name), 'wb') as out:
                shutil.copyfileobj(src, out)
    except UnsafeArchive as e:
        raise UnsafeArchive(f'refusing to extract {archive}: {e}') from None
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, lzma.LZMAError) as e:
        if 'stage' in locals():
            shutil.rmtree(stage, ignore_errors=True)
        raise ExtractError(f'cannot extract {archive}: {e}') from e
    return _commit(stage, dest)


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('archive')
    ap.add_argument('--to', default='.')
    a = ap.parse_args()
    try:
        print('\n'.join(extract(a.archive, a.to)))
    except (UnsafeArchive, ExtractError) as err:
        raise SystemExit(f'error: {err}') from None
