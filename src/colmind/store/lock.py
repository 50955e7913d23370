"""File locks with timeouts that name the lock file, re-entrant inside one thread.

On POSIX the lock is ``fcntl.flock`` on the lock file: the kernel releases it when the
holder dies (a killed run never leaves a stale lock). Elsewhere we fall back to the
``filelock`` package. We do not use ``filelock`` on POSIX because importing it (it pulls in
``asyncio``) costs ~90 ms, which every ``cm`` command would pay.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from colmind.errors import LockTimeout

DEFAULT_TIMEOUT = float(os.environ.get("COLMIND_LOCK_TIMEOUT", "120"))
_POLL = (0.01, 0.02, 0.05, 0.1, 0.2)

_local = threading.local()


def _held() -> dict[str, int]:
    held = getattr(_local, "held", None)
    if held is None:
        held = {}
        _local.held = held
    return held


@contextmanager
def locked(path: str | os.PathLike[str], timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` body.

    Re-entrant per thread: a nested ``locked`` on the same path does not deadlock.
    ``timeout=0`` tries once.
    Raises:
        LockTimeout: the lock could not be taken within ``timeout`` seconds.
    """
    key = os.path.abspath(os.fspath(path))
    held = _held()
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    os.makedirs(os.path.dirname(key), exist_ok=True)
    wait = DEFAULT_TIMEOUT if timeout is None else timeout
    release = _acquire(key, wait)
    held[key] = 1
    try:
        yield
    finally:
        held.pop(key, None)
        release()


def _acquire(key: str, wait: float) -> Callable[[], None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return _acquire_portable(key, wait)
    fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
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

