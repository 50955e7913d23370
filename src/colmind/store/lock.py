"""File locks with timeouts that name the lock file, re-entrant inside one thread.

On POSIX the lock is ``fcntl.flock`` on the lock file: the kernel releases it when the
holder dies (a killed run never leaves a stale lock). Elsewhere we fall back to the
``filelock`` package. We do not use ``filelock`` on POSIX because importing it (it pulls in
``asyncio``) costs ~90 ms, which every ``cm`` command would pay.
"""

from __future__ import annotations

import os
import time
from _thread import get_ident

from colmind.errors import LockTimeout

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

DEFAULT_TIMEOUT = float(os.environ.get("COLMIND_LOCK_TIMEOUT", "120"))
_POLL = (0.01, 0.02, 0.05, 0.1, 0.2)

# thread id -> {lock file: nesting depth}; ``_thread`` rather than ``threading.local``: importing
# ``threading`` costs every command a few milliseconds.
_HELD: dict[int, dict[str, int]] = {}


class _Locked:
    """The context manager ``locked`` returns (a class, not ``contextlib``: start-up cost)."""

    __slots__ = ("path", "timeout", "key", "release")

    def __init__(self, path: str | os.PathLike[str], timeout: float | None) -> None:
        self.path = path
        self.timeout = timeout
        self.key = ""
        self.release: Callable[[], None] | None = None

    def __enter__(self) -> None:
        key = self.key = os.path.abspath(os.fspath(self.path))
        held = _HELD.get(get_ident())
        if held and held.get(key):
            held[key] += 1
            return
        os.makedirs(os.path.dirname(key), exist_ok=True)
        wait = DEFAULT_TIMEOUT if self.timeout is None else self.timeout
        self.release = _acquire(key, wait)
        _HELD.setdefault(get_ident(), {})[key] = 1

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        ident = get_ident()
        held = _HELD.get(ident, {})
        if self.release is None:  # a nested hold of a lock this thread already had
            held[self.key] -= 1
            return
        held.pop(self.key, None)
        if not held:
            _HELD.pop(ident, None)
        release, self.release = self.release, None
        release()


def locked(path: str | os.PathLike[str], timeout: float | None = None) -> _Locked:
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` body.

    Re-entrant per thread: a nested ``locked`` on the same path does not deadlock.
    ``timeout=0`` tries once.
    Raises:
        LockTimeout: the lock could not be taken within ``timeout`` seconds.
    """
    return _Locked(path, timeout)


def _acquire(key: str, wait: float) -> Callable[[], None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return _acquire_portable(key, wait)
    fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o666)  # less the umask, as every file
    start = time.monotonic()
    attempt = 0
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            waited = time.monotonic() - start
            if waited >= wait:
                os.close(fd)
                raise LockTimeout(key, waited) from None
            time.sleep(min(_POLL[min(attempt, len(_POLL) - 1)], max(wait - waited, 0.001)))
            attempt += 1

    def release() -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    return release


def _acquire_portable(key: str, wait: float) -> Callable[[], None]:  # pragma: no cover - Windows
    from filelock import FileLock, Timeout

    lock = FileLock(key)
    start = time.monotonic()
    try:
        lock.acquire(timeout=wait, poll_interval=0.05)
    except Timeout:
        raise LockTimeout(key, time.monotonic() - start) from None
    return lambda: lock.release()

