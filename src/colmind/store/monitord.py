"""The index monitor: a small background process that watches ``$CM_REPOS`` with inotify.

Run as ``python -m colmind.store.monitord <CM_REPOS>`` (``colmind.store.monitor.start`` does it).
Steps: take the monitor lock (one monitor per ``$CM_REPOS``), watch every repository, automation
and artifact folder, then serve requests on an abstract Unix socket until idle for
``CM_INDEX_MONITOR_IDLE`` seconds (default 1800), asked to stop, or ``$CM_REPOS`` disappears.
The protocol is in ``colmind.store.monitor_protocol``.
"""

from __future__ import annotations

import fcntl
import os
import selectors
import socket
import struct
import sys
import threading
import time
from typing import Any

from colmind.store.inotify import Inotify
from colmind.store.monitor_protocol import Report, address, encode_report
from colmind.store.monitor_tree import CMReposGone, Rewatch, WatchLimit, WatchTree

DEFAULT_IDLE = 1800.0
# The query serving lives above the CLI (it runs ``cm find``); loaded by name so that the storage
# layer imports nothing above it (the import contracts in pyproject.toml check that).
QUERY_WORKER = ("colmind.indexd.query", "QueryWorker")


def _query_worker_class() -> Any:
    import importlib

    module, name = QUERY_WORKER
    return getattr(importlib.import_module(module), name)


def log(text: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} [{os.getpid()}] {text}", file=sys.stderr, flush=True)


class _InotifyUnavailable(Exception):
    """No inotify instance could be created (limit of instances, a sandbox without inotify)."""


class Stop(Exception):
    """Leave the serving loop (the reason is the message)."""


class MonitorDaemon:
    """Watches one ``$CM_REPOS`` and answers its clients."""

    def __init__(self, repos_path: str, idle: float) -> None:
        self.repos_path = repos_path
        self.idle = idle
        self.instance = os.urandom(8).hex()
        self.epoch = 0
        self.inotify: Inotify | None = None
        self.tree: WatchTree | None = None
        self.selector = selectors.DefaultSelector()
        self.last_request = time.monotonic()
        self.identity = _identity(repos_path)  # the folder its socket is named after
        # the query thread (colmind.indexd.query) shares the tree: it holds ``lock`` to read it and leaves
        # what only this thread may do (rebuild the watches, stop) in ``pending``/``fatal``
        self.lock = threading.Lock()
        self.pending = ""
        self.fatal: BaseException | None = None
        self.worker: Any = None  # a QueryWorker (see QUERY_WORKER)
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.selector.register(self._wake_r, selectors.EVENT_READ, "wake")

    # -- watching ------------------------------------------------------------------------------
    def rewatch(self, reason: str) -> None:
        """(Re)build every watch from the disk under a new epoch."""
        if not os.path.isfile(os.path.join(self.repos_path, "repos.json")):
            # deleted (perhaps with all of $CM_REPOS): stop rather than write anything there;
            # the next command recreates it and starts a monitor when one pays off
            raise CMReposGone(f"{self.repos_path}/repos.json was deleted")
        if _identity(self.repos_path) != self.identity:
            # replaced by another folder of the same name: clients now look for another socket
            raise CMReposGone(f"{self.repos_path} was replaced by another folder")
        if self.inotify is not None:
            self.selector.unregister(self.inotify.fd)
            self.inotify.close()
        self.epoch += 1
        started = time.monotonic()
        try:
            self.inotify = Inotify()
        except OSError as exc:
            raise _InotifyUnavailable(f"inotify is not available: {exc}") from exc
        self.tree = WatchTree(self.inotify, self.repos_path)
        self.tree.watch_all(self._repo_roots())
        self.selector.register(self.inotify.fd, selectors.EVENT_READ, "events")
        log(f"epoch {self.epoch} ({reason}): {self.tree.watch_count} folders of {len(self.tree.roots)} "
            f"repositories watched in {time.monotonic() - started:.2f} s")

    def _repo_roots(self) -> list[str]:
        from pathlib import Path

        from colmind.store.repos import Registry

        return [repo.content_path for repo in Registry(Path(self.repos_path)).load(save_cache=False)]

    def drain(self) -> None:
        """Apply every event queued now, rebuilding the watches if one asks for it."""
        with self.lock:
            reason = self.pending or self._apply_events()
            self.pending = ""
            if reason:
                self.rewatch(reason)

    def _apply_events(self) -> str:
        """Apply every event queued now; the reason to rebuild the watches, if one asks for it."""
        assert self.inotify is not None and self.tree is not None
        try:
            for event in self.inotify.read():
                self.tree.handle(event)
        except Rewatch as exc:
            return str(exc)
        return ""

    def report(self, since: int) -> Report:
        assert self.tree is not None
        return Report(self.repos_path, self.instance, self.epoch, self.tree.seq,
                      frozenset(self.tree.roots), self.tree.changed_since(since))

    def local_report(self, since: int) -> Report | None:
        """The report for a query this process answers (called by the query thread): the events
        queued now applied; None (the index then checks the disk in full) when the watches must
        be rebuilt first, which only the main thread does."""
        with self.lock:
            if self.pending or self.fatal is not None:
                return None
            try:
                self.pending = self._apply_events()
            except CMReposGone as exc:
                self.fatal = exc
            if self.pending or self.fatal is not None:
                self._wake()
                return None
            return self.report(since)

    def stop_soon(self, reason: str) -> None:
        """Called by the query thread: the main thread stops at its next turn."""
        self.fatal = Stop(reason)
        self._wake()

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"!")
        except BlockingIOError:
            pass  # already woken

    # -- serving -------------------------------------------------------------------------------
    def serve(self, listener: socket.socket) -> None:
        from colmind.store.monitor import answer_in_monitor

        answer_in_monitor(self.local_report)
        self.worker = _query_worker_class()(self.repos_path, self.stop_soon).start()
        self.selector.register(listener, selectors.EVENT_READ, "client")
        while True:
            for key, _ in self.selector.select(timeout=min(60.0, self.idle)):
                if key.data == "events":
                    self.drain()
                elif key.data == "wake":
                    _empty(self._wake_r)
                    self.drain()
                else:
                    self.answer(listener)
            if self.fatal is not None:
                raise self.fatal
            if time.monotonic() - self.last_request > self.idle:
                raise Stop(f"idle for {self.idle:.0f} s")

    def answer(self, listener: socket.socket) -> None:
        conn, _ = listener.accept()
        handed_over = False
        try:
            conn.settimeout(2.0)
            if _peer_uid(conn) != os.getuid():
                return
            line, rest = _read_line(conn)
            self.last_request = time.monotonic()
            handed_over = self._hand_over(conn, line, rest)
            if not handed_over:
                conn.sendall(self.reply(line))
        except (OSError, ValueError) as exc:
            log(f"a client request failed: {exc}")
        finally:
            if not handed_over:
                conn.close()

    def _hand_over(self, conn: socket.socket, line: str, rest: bytes) -> bool:
        """Give a query to the query thread; False (and a refusal sent) when it is busy."""
        verb, _, size = line.partition(" ")
        if verb != "query" or not size.isdigit() or self.worker is None:
            return False
        if self.worker.offer(conn, int(size), rest):
            return True
        self.worker.refused += 1
        conn.sendall(b"refused busy with another query\n")
        return False

    def reply(self, line: str) -> bytes:
        if line == "stop":
            raise Stop("asked to stop")
        if line == "stats":
            return (self.worker.stats() if self.worker else "no query thread").encode() + b"\n"
        verb, _, arg = line.partition(" ")
        if verb != "since" or not arg.isdigit():
            return b"error\0unknown request"
        self.drain()
        with self.lock:
            return encode_report(self.report(int(arg)))


def _identity(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_dev, st.st_ino)


def _empty(fd: int) -> None:
    try:
        while os.read(fd, 256):
            pass
    except BlockingIOError:
        pass


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _read_line(conn: socket.socket) -> tuple[str, bytes]:
    """The request line, and whatever the client sent after it (a query's payload begins there)."""
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(4096)
        if not chunk or len(data) > 4096:
            raise ValueError("incomplete request")
        data += chunk
    line, _, rest = data.partition(b"\n")
    return line.decode().strip(), rest


def _take_lock(repos_path: str) -> int | None:
    state = os.path.join(repos_path, ".colmind")
    os.makedirs(state, exist_ok=True)
    fd = os.open(os.path.join(state, "monitor.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _disable(repos_path: str, reason: str) -> None:
    from colmind.store.atomic import write_text

    write_text(os.path.join(repos_path, ".colmind", "monitor.disabled"),
               f"{reason}\nThe index works without the monitor (it checks the disk on each query). "
               "colmind tries again an hour after this file was written, or as soon as it is deleted.\n")


def run(repos_path: str) -> int:
    """The monitor's steps: lock, watch, listen, serve; returns the exit status."""
    repos_path = os.path.abspath(repos_path)
    lock = _take_lock(repos_path)
    if lock is None:
        return 0  # another monitor runs (or starts) for this $CM_REPOS
    idle = float(os.environ.get("CM_INDEX_MONITOR_IDLE", "") or DEFAULT_IDLE)
    daemon = MonitorDaemon(repos_path, idle)
    try:
        daemon.rewatch("start")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(address(repos_path))
            listener.listen(64)
            try:
                daemon.serve(listener)
            except (Stop, CMReposGone) as exc:  # logged while clients still see the socket
                log(f"stopping: {exc}")
                return 0
    except (WatchLimit, _InotifyUnavailable) as exc:
        log(f"stopping: {exc}")
        _disable(repos_path, str(exc))
        return 1
    except (Stop, CMReposGone) as exc:
        log(f"stopping: {exc}")
    except Exception as exc:  # never a traceback in a log nobody reads without the reason first
        log(f"stopping after an error: {type(exc).__name__}: {exc}")
        return 1
    return 0


USAGE = "usage: python -m colmind.store.monitord [--status | --stop] <CM_REPOS>"


def main(argv: list[str]) -> int:
    """Run the monitor, or with ``--status`` / ``--stop`` ask the running one."""
    if len(argv) == 2 and argv[0] in ("--status", "--stop"):
        return _control(argv[0][2:], os.path.abspath(argv[1]))
    if len(argv) != 1 or argv[0].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    return run(argv[0])


def _control(verb: str, repos_path: str) -> int:
    from colmind.store.monitor import request

    report = request(repos_path, "since 0")
    if report is None:
        print(f"no index monitor answers for {repos_path}")
        return 1 if verb == "status" else 0
    if verb == "stop":
        request(repos_path, "stop")
        print(f"stopped the index monitor of {repos_path}")
        return 0
    from colmind.store.monitor import exchange

    stats = (exchange(repos_path, b"stats\n") or b"").decode(errors="replace").strip()
    print(f"index monitor of {repos_path}: instance {report.instance}, epoch {report.epoch}, "
          f"{report.seq} changes seen, queries {stats or 'unknown'}, watching {len(report.roots)} repositories:")
    for root in sorted(report.roots):
        print(f"  {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
