"""A minimal Linux inotify binding (ctypes): watch directories, read and decode events.

Only the index monitor (``colmind.store.monitord``) uses it; nothing on a command's path imports it.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

IN_MODIFY = 0x2
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_UNMOUNT = 0x2000
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000

IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

CHILDREN = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
SELF_GONE = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT

_HEADER = struct.Struct("iIII")


@dataclass(frozen=True)
class Event:
    """One inotify event: the watch it came from, what happened, and the child name (may be "")."""

    wd: int
    mask: int
    cookie: int
    name: str

    @property
    def is_dir(self) -> bool:
        return bool(self.mask & IN_ISDIR)


def parse_events(data: bytes) -> list[Event]:
    """Decode a buffer returned by ``read()`` on an inotify descriptor."""
    events, offset = [], 0
    while offset + _HEADER.size <= len(data):
        wd, mask, cookie, length = _HEADER.unpack_from(data, offset)
        offset += _HEADER.size
        raw = data[offset:offset + length].split(b"\0", 1)[0]
        offset += length
        events.append(Event(wd, mask, cookie, os.fsdecode(raw)))
    return events


def pack_event(wd: int, mask: int, cookie: int, name: str) -> bytes:
    """The kernel's encoding of one event (for tests): the name NUL-padded to 16 bytes."""
    raw = os.fsencode(name)
    length = (len(raw) // 16 + 1) * 16 if raw else 0
    return _HEADER.pack(wd, mask, cookie, length) + raw.ljust(length, b"\0")


class Inotify:
    """An inotify instance (non-blocking, close-on-exec)."""

    def __init__(self) -> None:
        import ctypes

        self._libc = ctypes.CDLL(None, use_errno=True)
        self._ctypes = ctypes
        fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            self._raise("inotify_init1", "")
        self.fd: int = fd

    def _raise(self, call: str, path: str) -> None:
        err = self._ctypes.get_errno()
        raise OSError(err, f"{call}: {os.strerror(err)}", path)

    def add_watch(self, path: str, mask: int) -> int:
        """Watch ``path``; raises OSError (ENOSPC: the user's watch limit is reached)."""
        wd = int(self._libc.inotify_add_watch(self.fd, os.fsencode(path), mask))
        if wd < 0:
            self._raise("inotify_add_watch", path)
        return wd

    def rm_watch(self, wd: int) -> None:
        self._libc.inotify_rm_watch(self.fd, wd)  # a watch already gone is not an error here

    def read(self) -> list[Event]:
        """Events queued now (empty when none): never blocks."""
        events: list[Event] = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return events
            events.extend(parse_events(data))

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def available() -> bool:
    """Whether this platform has inotify (Linux)."""
    import sys

    return sys.platform.startswith("linux")
