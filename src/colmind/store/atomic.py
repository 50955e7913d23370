"""Atomic file writes: write to a temporary file in the same folder, then rename.

Readers never lock: they always see either the complete old file or the complete new one.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_TMP_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


# Files are created 0666 and folders 0777 less the process umask, as any other tool would: 0644
# under umask 022, 0664 under 002 (a group sharing $CM_REPOS or a cache). Not ``tempfile``'s 0600.
FILE_MODE = 0o666


def _make_temp(folder: str, prefix: str) -> tuple[int, str]:
    """Create a fresh ``<prefix><random>.tmp`` file (mode 0666 less the umask: it becomes the file)."""
    for _ in range(100):
        tmp = os.path.join(folder, f"{prefix}{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, _TMP_FLAGS, FILE_MODE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no usable temporary file name in {folder}")


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (threads may be
    creating files meanwhile); elsewhere by setting and restoring it."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def executable_mode() -> int:
    """The mode of a new executable file (a script colmind writes): 0777 less the umask."""
    return 0o777 & ~current_umask()


def _hostname() -> str:
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def write_bytes(path: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder + ``os.replace``).

    ``durable=False`` skips the ``fsync`` (still atomic for readers): for reports that a crash
    may lose, such as run records, where the fsync would cost more than the work it records."""
    folder, name = os.path.split(os.fspath(path))
    folder = folder or "."
    os.makedirs(folder, exist_ok=True)
    _sweep_if_changed(folder, name)
    prefix = f".{name}.{_hostname()}.{os.getpid()}."
    fd, tmp = _make_temp(folder, prefix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _note_own_write(folder)


def staging_folder(path: str, kind: str) -> str:
    """``<parent>/.cm-<kind>-<hash of the name>``: where a new folder is filled before it is renamed
    into place (``kind`` "adding"), or where one is renamed before it is deleted ("deleting").
    Scans never see it (a dot name); named per target, so the next writer of that target (under
    its lock) finds and removes what a killed one left."""
    import hashlib

    parent, name = os.path.split(os.fspath(path))
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return os.path.join(parent, f".cm-{kind}-{digest}")


def write_report(path: str | os.PathLike[str], text: str) -> None:
    """Write a report (a run record) that a crash may lose: like ``write_text(durable=False)``
    (readers see the old file or the new one, never a part), except that a reader may also find
    no file at that instant. The old file is renamed aside before the new one is renamed in, so
    that no rename replaces an existing file: on ext4 such a replace makes the kernel allocate the
    new file's blocks at once (``auto_da_alloc``), 0.2-0.5 ms, a tenth of a cached ``cm run``."""
    target = os.fspath(path)
    folder, name = os.path.split(target)
    folder = folder or "."
    os.makedirs(folder, exist_ok=True)
    _sweep_if_changed(folder, name)
    fd, tmp = _make_temp(folder, f".{name}.{_hostname()}.{os.getpid()}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        aside = _move_aside(target, tmp[:-len(".tmp")] + ".old")
    except BaseException:
        _unlink_quietly(tmp)
        raise
    try:
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        if aside:
            os.replace(aside, target)  # the old report back
        raise
    if aside:
        _unlink_quietly(aside)
    _note_own_write(folder)


# folder -> its mtime right after this process's last write there: while it is unchanged, nobody
# (no killed writer either) has created anything in it since, and the sweep's listing is skipped
_QUIET: dict[str, int] = {}


def _sweep_if_changed(folder: str, name: str) -> None:
    known = _QUIET.get(folder)
    if known is not None:
        try:
            if os.stat(folder).st_mtime_ns == known:
                return
        except OSError:
            pass
    sweep_stale(folder, name)


def _note_own_write(folder: str) -> None:
    try:
        _QUIET[folder] = os.stat(folder).st_mtime_ns
    except OSError:
        _QUIET.pop(folder, None)
    if len(_QUIET) > 4096:
        _QUIET.clear()


def sweep_stale(folder: str, name: str) -> int:
    """Repair what a killed writer of ``folder/name`` on this host left: remove its temporary files,
    and put back a report it had moved aside when no new one replaced it. Returns how many."""
    start = f".{name}.{_hostname()}."
    try:
        with os.scandir(folder) as entries:
            stale = [e.name for e in entries if e.name.startswith(start)]
    except OSError:
        return 0
    repaired = 0
    for entry in stale:
        pid_text, _, rest = entry[len(start):].partition(".")
        if not pid_text.isdigit() or _alive(int(pid_text)) or not rest.endswith((".tmp", ".old")):
            continue
        path = os.path.join(folder, entry)
        if rest.endswith(".old") and not os.path.exists(os.path.join(folder, name)):
            _replace_quietly(path, os.path.join(folder, name))
        else:
            _unlink_quietly(path)
        repaired += 1
    return repaired


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _replace_quietly(source: str, target: str) -> None:
    try:
        os.replace(source, target)
    except OSError:
        pass


def _move_aside(path: str, aside: str) -> str:
    """Rename ``path`` to ``aside``; "" when there was nothing to move."""
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return ""
    return aside


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_text(path: str | os.PathLike[str], text: str, *, durable: bool = True) -> None:
    """Write UTF-8 text atomically."""
    write_bytes(path, text.encode("utf-8"), durable=durable)


def dump_json(data: Any, *, sort_keys: bool = True) -> str:
    """CM's JSON style: indent 2, sorted keys, non-ASCII kept, trailing newline."""
    import json  # lazy: readers must not pay for it

    return json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"


def write_json(path: str | os.PathLike[str], data: Any, *, sort_keys: bool = True) -> None:
    """Write ``data`` as JSON atomically in CM's style."""
    write_text(path, dump_json(data, sort_keys=sort_keys))


def write_yaml(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as YAML (sorted keys, like CM's ``save_yaml``) atomically."""
    import yaml  # lazy: keeps start-up light

    write_text(path, yaml.safe_dump(data, sort_keys=True, allow_unicode=True, default_flow_style=False))
