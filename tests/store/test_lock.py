"""File locks: exclusive across processes, re-entrant in a thread, timeouts name the lock file."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from colmind.errors import LockTimeout
from colmind.store.lock import locked


def _hold(path: str, ready: object, release: object) -> None:
    with locked(path):
        ready.set()  # type: ignore[attr-defined]
        release.wait(30)  # type: ignore[attr-defined]


def test_reentrant_in_one_thread(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with locked(lock, timeout=1):
        with locked(lock, timeout=1):
            with locked(str(lock), timeout=1):
                pass
        # still held by us: another thread cannot take it
        result: list[BaseException] = []

        def other() -> None:
            try:
                with locked(lock, timeout=0.2):
                    pass
            except LockTimeout as exc:
                result.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert len(result) == 1
    with locked(lock, timeout=1):  # released after the outermost exit
        pass


def test_timeout_names_the_lock_file(tmp_path: Path) -> None:
    lock = tmp_path / "sub" / "repos.json.lock"
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(lock), ready, release))
    proc.start()
    try:
        assert ready.wait(60)
        with pytest.raises(LockTimeout) as exc:
            with locked(lock, timeout=0.2):
                pass
        assert exc.value.path == str(lock)
        assert str(lock) in str(exc.value) and "timed out" in str(exc.value)
        assert exc.value.to_dict()["return"] == 1
    finally:
        release.set()
        proc.join(30)
    with locked(lock, timeout=10):
        pass


def test_lock_released_on_exception(tmp_path: Path) -> None:
    lock = tmp_path / "y.lock"
    with pytest.raises(RuntimeError):
        with locked(lock):
            raise RuntimeError("x")
    done: list[bool] = []
    t = threading.Thread(target=lambda: done.append(bool(locked(lock, timeout=1).__enter__() is None)))
    t.start()
    t.join()
    assert done == [True]


def test_lock_timeout_pickles() -> None:
    import pickle

    exc = LockTimeout("/x/y.lock", 1.5)
    back = pickle.loads(pickle.dumps(exc))
    assert isinstance(back, LockTimeout) and back.path == "/x/y.lock" and "/x/y.lock" in str(back)


def test_core_lock_timeout_through_access(cm_home: Path) -> None:
    """A held artifact lock turns into CM error 1 naming the lock file, not a hang or a traceback."""
    import hashlib
    import os

    import colmind
    from colmind.store import lock as lock_mod

    assert colmind.access("add automation myauto")["return"] == 0
    path = colmind.access("add myauto a1")["path"]
    digest = hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:24]
    target = str(cm_home / ".locks" / "artifacts" / f"{digest}.lock")
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(target, ready, release))
    proc.start()
    try:
        assert ready.wait(60)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(lock_mod, "DEFAULT_TIMEOUT", 0.3)
            r = colmind.access("update myauto a1 --meta.x=1")
        assert r["return"] == 1 and target in r["error"]
    finally:
        release.set()
        proc.join(30)
    assert colmind.access("update myauto a1 --meta.x=1")["return"] == 0
