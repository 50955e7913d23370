"""The index's side of the index monitor: ask it what changed, start it when it pays off.

Checking that the index is right costs two ``stat`` calls per artifact of the queried automations
(0.4 s at 50,000 artifacts). The index monitor (``colmind.store.monitord``, Linux inotify) watches
every repository, automation and artifact folder and answers "what changed since N" in well
under a millisecond, so a query re-reads only what changed. It is an accelerator, never a source
of truth: without an answer (no monitor, another platform, a timeout, an answer from another
instance or epoch) the index checks the disk in full, exactly as before.

``CM_INDEX_MONITOR``: ``auto`` (default: start the monitor in the background once a query had to
check more than ``AUTO_THRESHOLD`` artifacts on disk), ``yes`` (start it on the first query),
``no`` (never use it). The monitor exits by itself after ``CM_INDEX_MONITOR_IDLE`` seconds
(default 1800) without a query.
"""

from __future__ import annotations

import os
import sys

from colmind.store.monitor_protocol import Report, address, decode_report

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# ~250 artifacts cost ~6 ms of stat checks per query: a community recipe collection (cm4mlops,
# mlperf-automations: 300+ scripts) crosses it, colmind's own built-in recipes (20) do not
AUTO_THRESHOLD = 250
REPLY_TIMEOUT = 1.0  # a healthy monitor answers in well under a millisecond
_SETTINGS = {"auto": "auto", "": "auto", "yes": "yes", "on": "yes", "true": "yes", "1": "yes",
             "no": "no", "off": "no", "false": "no", "0": "no"}


def setting() -> str:
    """``auto``, ``yes`` or ``no`` from ``CM_INDEX_MONITOR`` (anything else counts as ``auto``)."""
    import sys

    if not sys.platform.startswith("linux"):
        return "no"
    return _SETTINGS.get(os.environ.get("CM_INDEX_MONITOR", "").strip().lower(), "auto")


class Monitor:
    """One sync's view of the monitor's report (``report`` is None without a usable answer)."""

    def __init__(self, repos_path: str, report: Report | None, mode: str) -> None:
        self.repos_path = repos_path
        self.report = report
        self.mode = mode
        self.started = False
        self._children: dict[str, list[tuple[str, int]]] = {}
        if report is not None:
            for path, seq in report.dirty.items():
                self._children.setdefault(os.path.dirname(path), []).append((path, seq))

    @classmethod
    def ask(cls, repos_path: str, tokens: list[str]) -> Monitor:
        """Ask the running monitor (if any) for everything changed since the oldest token."""
        mode = setting()
        if _SPAWNED:
            reap()
        if mode == "no":
            return cls(repos_path, None, mode)
        seqs = [int(t.rpartition(":")[2]) for t in tokens if t and t.rpartition(":")[2].isdigit()]
        since = min(seqs) if seqs else 0
        if _IN_MONITOR:  # a query the monitor answers itself: ask it directly, not over its socket
            return cls(repos_path, _IN_MONITOR[0](since), mode)
        report = request(repos_path, f"since {since}")
        if report is not None and report.repos_path != os.path.abspath(repos_path):
            report = None  # another $CM_REPOS that happens to share the address: not ours
        return cls(repos_path, report, mode)

    def since(self, entry: Any, root: str) -> int | None:
        """The sequence number the index last synced ``entry`` (a ``dirs`` row) at, if the monitor
        watches ``root`` and ``entry`` was synced under this monitor's instance and epoch."""
        if self.report is None or entry is None or root not in self.report.roots:
            return None
        return self.report.since(entry[6] or "")

    def token_for(self, root: str) -> str:
        return self.report.token if self.report is not None and root in self.report.roots else ""

    def is_dirty(self, path: str, since: int) -> bool:
        return self.report is not None and self.report.dirty.get(path, 0) > since

    def dirty_children(self, folder: str, since: int) -> list[str]:
        return sorted(p for p, seq in self._children.get(folder, ()) if seq > since)

    def after_sync(self, checked: int) -> None:
        """Start the monitor when none answered and this sync had to check many artifacts."""
        if self.started or self.report is not None or self.mode == "no":
            return
        if self.mode == "yes" or checked >= AUTO_THRESHOLD:
            self.started = start(self.repos_path)


# Inside the monitor process, while it answers a query itself: its own report function.
_IN_MONITOR: list[Callable[[int], Report | None]] = []


def answer_in_monitor(report: Callable[[int], Report | None]) -> None:
    """Make this process's index syncs take the monitor's report from ``report`` (the monitor)."""
    _IN_MONITOR[:] = [report]


def request(repos_path: str, line: str, timeout: float = REPLY_TIMEOUT) -> Report | None:
    """Send one request to the monitor of ``repos_path``; None when none answers properly."""
    data = exchange(repos_path, line.encode() + b"\n", timeout)
    try:
        return decode_report(data) if data is not None and data.startswith(b"ok\0") else None
    except ValueError:
        return None


def exchange(repos_path: str, message: bytes, timeout: float = REPLY_TIMEOUT,
             kill_late: bool = True) -> bytes | None:
    """Send ``message`` to the monitor of ``repos_path`` and return its whole reply; None when no
    monitor of ours answers in time (with ``kill_late``, one that accepted but did not answer is
    stuck, and killed)."""
    import _socket

    try:
        name = address(repos_path)
    except OSError:
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    peer = (0, -1)
    try:
        sock.settimeout(timeout)
        sock.connect(name)
        peer = _peer(sock)
        if peer[1] != os.getuid():
            return None  # somebody else's socket under our name: never trust it
        sock.sendall(message)
        return _read_all(sock)
    except TimeoutError:
        if kill_late:
            _kill_stuck(peer)
        return None
    except OSError:
        return None
    finally:
        sock.close()


def _peer(sock: Any) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a Unix socket (``struct ucred``: three C ints)."""
    import _socket

    creds = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return (int.from_bytes(creds[0:4], sys.byteorder, signed=True),
            int.from_bytes(creds[4:8], sys.byteorder, signed=True))


def _kill_stuck(peer: tuple[int, int]) -> None:
    """A monitor of ours that accepted the question but did not answer in time is stuck (stopped,
    or wedged): end it, so that the next command starts a fresh one instead of waiting again."""
    import signal

    pid, uid = peer
    if pid > 0 and uid == os.getuid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _read_all(sock: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = sock.recv(1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def start(repos_path: str) -> bool:
    """Start a monitor for ``repos_path`` in the background unless one is running or starting.

    Returns whether one was started. Its output goes to ``$CM_REPOS/.colmind/monitor.log``.
    """
    import fcntl
    import sys

    state = os.path.join(repos_path, ".colmind")
    try:
        os.makedirs(state, exist_ok=True)
        fd = os.open(os.path.join(state, "monitor.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a running or starting monitor?
    except OSError:
        os.close(fd)
        return False
    os.close(fd)
    if _recently_disabled(os.path.join(state, "monitor.disabled")):
        return False  # it could not watch everything lately; that file says why
    return _spawn(sys.executable, repos_path, os.path.join(state, "monitor.log"))


DISABLED_FOR = 3600.0


def _recently_disabled(marker: str) -> bool:
    import time

    try:
        return time.time() - os.stat(marker).st_mtime < DISABLED_FOR
    except OSError:
        return False


def _spawn(python: str, repos_path: str, log: str) -> bool:
    # colmind's folder from this file (``import colmind`` would load the package's public API)
    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    try:
        pid = os.posix_spawn(python, [python, "-m", "colmind.store.monitord", repos_path], env,
                             file_actions=actions, setsid=True)
    except OSError:
        return False
    _SPAWNED.append(pid)
    return True


# Monitors this process started: a long-lived process (a Python program calling access()) reaps
# them once they exit, so none lingers as a zombie; a ``cm`` command exits first (init reaps).
_SPAWNED: list[int] = []


def reap() -> None:
    """Collect the exit status of monitors this process started that have exited (never blocks)."""
    for pid in list(_SPAWNED):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere (e.g. a SIGCHLD handler of the program)
            done = pid
        if done:
            _SPAWNED.remove(pid)
