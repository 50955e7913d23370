"""File locks with timeouts that name the lock file, re-entrant inside one process."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from colmind.errors import LockTimeout

DEFAULT_TIMEOUT = float(os.environ.get("COLMIND_LOCK_TIMEOUT", "120"))

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
    Raises:
        LockTimeout: the lock could not be taken within ``timeout`` seconds.
    """
    from filelock import FileLock, Timeout  # lazy import

    key = os.path.abspath(os.fspath(path))
    held = _held()
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    Path(key).parent.mkdir(parents=True, exist_ok=True)
    wait = DEFAULT_TIMEOUT if timeout is None else timeout
    lock = FileLock(key)
    start = time.monotonic()
    try:
        lock.acquire(timeout=wait, poll_interval=0.05)
    except Timeout:
        raise LockTimeout(key, time.monotonic() - start) from None
    held[key] = 1
    try:
        yield
    finally:
        held.pop(key, None)
        lock.release()
