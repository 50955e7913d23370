"""Shared fixtures: every test gets its own ``CM_REPOS`` and a fresh core."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from colmind.testing import CliResult, run_cli  # noqa: F401  (re-exported fixtures helpers)


@pytest.fixture(autouse=True)
def cm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point ``CM_REPOS`` at a temporary folder, work in it, and clear other CM settings."""
    from colmind.core import reset_core

    home = tmp_path / "CM"
    for name in list(os.environ):
        if name.startswith("CM_") or name.startswith("MLC_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CM_REPOS", str(home))
    # no background index monitor unless a test asks for one (fixture ``monitored``)
    monkeypatch.setenv("CM_INDEX_MONITOR", "no")
    # run records, reports and tmp files of recipes land in the test's folder, never in the checkout
    monkeypatch.chdir(tmp_path)
    reset_core()
    yield home
    reset_core()


@pytest.fixture
def cli():
    """``cli('find', 'repo')`` runs ``cm`` in-process and returns a ``CliResult``."""
    return run_cli


class MonitorControl:
    """Starts, waits for and stops index monitors (``colmind.store.monitord``) in tests."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def wait(self, repos_path: str | os.PathLike[str], timeout: float = 30.0) -> Any:
        """Start the monitor of ``repos_path`` if needed and return its first report."""
        import time

        from colmind.store.monitor import request, start

        path = os.fspath(repos_path)
        self.started.append(path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            report = request(path, "since 0")
            if report is not None:
                return report
            start(path)  # no-op while one runs or starts; a stopping one may still hold the lock
            time.sleep(0.1)
        log = os.path.join(path, ".colmind", "monitor.log")
        text = open(log).read() if os.path.exists(log) else "(no log)"
        raise AssertionError(f"the index monitor of {path} did not answer within {timeout} s:\n{text}")

    def stop(self, repos_path: str | os.PathLike[str], timeout: float = 10.0) -> None:
        """Ask the monitor to stop and wait until it no longer answers."""
        import time

        from colmind.store.monitor import request

        path = os.fspath(repos_path)
        if not os.path.isdir(path):
            return  # it stops by itself when its $CM_REPOS goes away
        request(path, "stop")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and request(path, "since 0", timeout=0.5) is not None:
            time.sleep(0.05)
        _end_starting_monitors(path)

    def stop_all(self) -> None:
        for path in self.started:
            self.stop(path)


def _end_starting_monitors(path: str) -> None:
    """A monitor spawned just before the stop (a query of the test started it) may not listen yet
    and so misses the stop request: end every monitor process of ``path`` still alive."""
    import signal

    wanted = ["-m", "colmind.store.monitord", path]
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                args = [a.decode(errors="replace") for a in handle.read().split(b"\0") if a]
        except OSError:
            continue
        if args[-3:] == wanted:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture
def monitored(cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MonitorControl]:
    """The index monitor on (``CM_INDEX_MONITOR=yes``); every monitor started is stopped after."""
    monkeypatch.setenv("CM_INDEX_MONITOR", "yes")
    monkeypatch.setenv("CM_INDEX_MONITOR_IDLE", "300")
    control = MonitorControl()
    yield control
    control.stop_all()
