"""The directories the index monitor watches, and what their events mean for the index.

Four kinds of watched directory, mirroring the index's layout:

- ``cmroot``: ``$CM_REPOS`` itself; a change of ``repos.json`` means the repositories changed;
- ``root``: a repository's content folder; its sub-folders are automation folders;
- ``auto``: an automation folder; its sub-folders are artifacts;
- ``art``: an artifact folder; only its meta files (``_cm.*``, ``meta.*``) matter.

Every event that can change what the index holds marks a path *dirty* with a new sequence number:
the artifact folder (its meta changed, it appeared or went away) or the automation / repository
folder (its list of children changed). Events that the monitor cannot follow precisely (a watched
repository folder moved or deleted, ``repos.json`` rewritten, the kernel queue overflowing) ask for
a *rewatch*: start again from the disk under a new epoch, so that clients check everything once.
"""

from __future__ import annotations

import errno
import os

from colmind.store import inotify as ino
from colmind.store.inotify import Event, Inotify
from colmind.store.scan import KIND_FILES, list_dirs

META_NAMES = frozenset(KIND_FILES.values())
_DIRS = ino.CHILDREN | ino.SELF_GONE | ino.IN_ONLYDIR
MASKS = {
    "cmroot": ino.CHILDREN | ino.IN_CLOSE_WRITE | ino.SELF_GONE | ino.IN_ONLYDIR,
    "root": _DIRS,
    "auto": _DIRS,
    "art": _DIRS | ino.IN_MODIFY | ino.IN_CLOSE_WRITE | ino.IN_EXCL_UNLINK,
}
CHILD_KIND = {"root": "auto", "auto": "art"}


class WatchLimit(Exception):
    """The kernel refused another watch (``fs.inotify.max_user_watches``)."""


class Rewatch(Exception):
    """The watched tree changed in a way that needs a fresh start (the reason is the message)."""


class CMReposGone(Exception):
    """``$CM_REPOS`` itself was deleted or moved: the monitor has nothing left to watch."""


class WatchTree:
    """Watches on ``$CM_REPOS`` and every repository root, automation and artifact folder."""

    def __init__(self, inotify: Inotify, repos_path: str) -> None:
        self.inotify = inotify
        self.repos_path = repos_path
        self.kinds: dict[int, tuple[str, str]] = {}
        self.wds: dict[str, int] = {}
        self.roots: set[str] = set()
        self.dirty: dict[str, int] = {}
        self.seq = 0

    # -- building ----------------------------------------------------------------------------
    def watch_all(self, roots: list[str]) -> None:
        """Watch ``$CM_REPOS`` and the given repository content folders (parents before children,
        so that a child created while we walk is seen either by the walk or as an event)."""
        self._add(self.repos_path, "cmroot")
        for root in roots:
            if self._add(root, "root"):
                self.roots.add(root)
                for name in list_dirs(root):
                    self._watch_children(os.path.join(root, name), "auto")

    def _watch_children(self, path: str, kind: str) -> None:
        if not self._add(path, kind) or kind not in CHILD_KIND:
            return
        for name in list_dirs(path):
            self._watch_children(os.path.join(path, name), CHILD_KIND[kind])

    def _add(self, path: str, kind: str) -> bool:
        try:
            wd = self.inotify.add_watch(path, MASKS[kind])
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise WatchLimit(f"the inotify watch limit is reached at {path} "
                                 "(raise fs.inotify.max_user_watches)") from exc
            return False  # gone already, or not a folder: its parent's event marks it dirty
        self.kinds[wd] = (kind, path)
        self.wds[path] = wd
        return True

    def _forget(self, path: str) -> None:
        """Stop watching ``path`` and everything under it."""
        prefix = path + os.sep
        for child in [p for p in self.wds if p == path or p.startswith(prefix)]:
            wd = self.wds.pop(child)
            self.kinds.pop(wd, None)
            self.inotify.rm_watch(wd)

    @property
    def watch_count(self) -> int:
        return len(self.wds)

    # -- events ------------------------------------------------------------------------------
    def mark(self, path: str) -> None:
        self.seq += 1
        self.dirty[path] = self.seq

    def handle(self, event: Event) -> None:
        """Apply one event; raises Rewatch or CMReposGone when the tree must be rebuilt."""
        if event.mask & ino.IN_Q_OVERFLOW:
            raise Rewatch("the kernel's event queue overflowed")
        where = self.kinds.get(event.wd)
        if where is None:
            return  # a watch we already dropped
        kind, path = where
        if event.mask & ino.IN_IGNORED:
            self.kinds.pop(event.wd, None)
            if self.wds.get(path) == event.wd:
                del self.wds[path]
            return
        if event.mask & ino.SELF_GONE:
            self._self_gone(kind, path)
        elif kind == "cmroot":
            if event.name == "repos.json":
                raise Rewatch("repos.json changed")
        elif kind == "art":
            if event.name in META_NAMES:
                self.mark(path)
        elif event.is_dir and not event.name.startswith("."):
            self._child_dir_event(kind, path, event)

    def _self_gone(self, kind: str, path: str) -> None:
        if kind == "cmroot":
            raise CMReposGone(f"{path} was deleted or moved")
        if kind in ("root", "auto") and self._parent_watched(path, kind):
            self._forget(path)  # the parent's event already marked it
            return
        if kind == "art":
            self._forget(path)
            self.mark(path)
            return
        raise Rewatch(f"the repository folder {path} was deleted or moved")

    def _parent_watched(self, path: str, kind: str) -> bool:
        parent = os.path.dirname(path)
        return kind == "auto" and self.kinds.get(self.wds.get(parent, -1), ("", ""))[0] == "root"

    def _child_dir_event(self, kind: str, path: str, event: Event) -> None:
        child = os.path.join(path, event.name)
        if event.mask & (ino.IN_CREATE | ino.IN_MOVED_TO):
            self._watch_children(child, CHILD_KIND[kind])
        elif event.mask & (ino.IN_DELETE | ino.IN_MOVED_FROM):
            self._forget(child)
        self.mark(child)
        self.mark(path)

    def changed_since(self, seq: int) -> dict[str, int]:
        return {p: s for p, s in self.dirty.items() if s > seq}
