"""A long-running process's own inotify watch on its repositories: "has anything changed?".

Every top-level ``access()`` must see edits made since the previous one, so it syncs the index
with the disk: a question to the index monitor, or stat checks. A process that calls ``access()``
again and again (a workflow script, a notebook, CM scripts calling each other) pays that on every
call. From its second top-level request on, such a process watches the same folders the index
monitor watches (``monitor_tree.WatchTree``); a request that finds no event queued knows that the
disk is as its last sync left it, and keeps that sync instead of doing another one.

Correctness rests on inotify's ordering: an event is queued by the system call that changed the
folder, so an edit made before a request starts is in the queue when the request reads it. The
queue is read *before* a sync; an edit during the sync is read by the next request. Anything the
watch cannot follow (an overflow, ``repos.json`` or a repository folder replaced, the watch limit)
ends it; the process then syncs as before. A forked child drops its copy (it must not read the
parent's queue); the descriptor is close-on-exec.

Only on Linux, only while ``CM_INDEX_MONITOR`` is not ``no``, and only for homes of at most
``MAX_ARTIFACTS`` indexed artifacts (one watch per artifact folder).
"""

from __future__ import annotations

import _thread
import os
import sys

TYPE_CHECKING = False

if TYPE_CHECKING:
    from colmind.store.inotify import Inotify
    from colmind.store.monitor_tree import WatchTree

MAX_ARTIFACTS = 5000  # watches are a per-user kernel resource shared with the index monitor
_live: list[ProcessWatch] = []  # watches of this process, dropped in a forked child


class ProcessWatch:
    """Watches of one ``$CM_REPOS`` and its repositories, for this process only."""

    def __init__(self, repos_path: str, roots: list[str]) -> None:
        from colmind.store.inotify import Inotify
        from colmind.store.monitor_tree import WatchTree

        self.pid = os.getpid()
        self._lock = _thread.allocate_lock()  # threads of one process may start requests together
        self._pending = False  # a change reported but not yet acknowledged (see acknowledge)
        self.inotify: Inotify | None = Inotify()
        self.tree: WatchTree = WatchTree(self.inotify, repos_path)
        try:
            self.tree.watch_all(roots)
        except BaseException:
            self.close()
            raise
        _register(self)

    @property
    def usable(self) -> bool:
        return self.inotify is not None and self.pid == os.getpid()

    def changed(self) -> bool:
        """Read every queued event: whether any of them can change what the index holds (the
        monitor's rules: a meta file, a folder added, removed or renamed) since the last
        ``acknowledge``. Always True once the watch ended: the caller must sync, and should drop
        the watch."""
        with self._lock:
            if not self.usable:
                return True
            assert self.inotify is not None
            before = self.tree.seq
            try:
                for event in self.inotify.read():
                    self.tree.handle(event)  # marks what changed; watches new folders
            except Exception:  # overflow, repos.json or a root replaced, the watch limit: it is over
                self.close()
                return True
            self.tree.dirty.clear()  # only the sequence number is used here
            self._pending = self._pending or self.tree.seq != before
            return self._pending

    def acknowledge(self) -> None:
        """The caller has dropped what it synced: until then, other threads asking ``changed``
        are told so too (the events themselves were read by the first one)."""
        with self._lock:
            self._pending = False

    def close(self) -> None:
        if self.inotify is not None:
            if self.pid == os.getpid():
                self.inotify.close()
            self.inotify = None
        if self in _live:
            _live.remove(self)


def supported() -> bool:
    from colmind.store.monitor import setting

    return sys.platform.startswith("linux") and setting() != "no"


def start(repos_path: str, roots: list[str]) -> ProcessWatch | None:
    """A watch of ``roots``, or None where none can be set up (the caller syncs as before)."""
    try:
        return ProcessWatch(repos_path, roots)
    except Exception:  # no inotify, the watch limit reached, ...
        return None


def _register(watch: ProcessWatch) -> None:
    if not _live and not _hooked:
        os.register_at_fork(after_in_child=_drop_in_child)
        _hooked.append(True)
    _live.append(watch)


_hooked: list[bool] = []


def _drop_in_child() -> None:
    """A forked child shares the parent's event queue: reading it would steal the parent's events."""
    for watch in list(_live):
        if watch.inotify is not None:
            os.close(watch.inotify.fd)  # the parent keeps its own descriptor (same queue)
            watch.inotify.fd = -1
            watch.inotify = None
    _live.clear()
