"""A process's own watch (``colmind.store.process_watch``): from its second top-level request on,
a process skips the index sync while nothing changed, and still sees every change made before a
request. Real inotify, real folders, real forks."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import colmind
from colmind.core import get_core
from colmind.store import index as index_module
from colmind.store import monitor, process_watch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")


def _ok(i: Any) -> dict[str, Any]:
    r = colmind.access(i)
    assert r["return"] == 0, r
    return r


def _names(tags: str = "") -> list[str]:
    cmd = "find foo" + (f" --tags={tags}" if tags else "")
    return sorted(os.path.basename(a.path) for a in _ok(cmd)["list"])


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the index syncs (each one a monitor question or stat checks)."""
    counted: list[int] = []
    original = index_module.Index.sync

    def counting(self: Any, repos: Any, automations: Any = None) -> bool:
        counted.append(1)
        return original(self, repos, automations)

    monkeypatch.setattr(index_module.Index, "sync", counting)
    return counted


@pytest.fixture
def watched(cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Automation ``foo`` with a1 (tags x,y) and a2 (tag y); the process watch on, no daemon."""
    monkeypatch.setenv("CM_INDEX_MONITOR", "auto")
    monkeypatch.setattr(monitor, "AUTO_THRESHOLD", 10**9)
    _ok("add automation foo")
    _ok("add foo a1 --tags=x,y")
    _ok("add foo a2 --tags=y")
    assert _names() == ["a1", "a2"]
    assert get_core().watching
    return cm_home / "repos" / "local" / "foo"


def _rewrite_tags(folder: Path, tags: list[str]) -> None:
    path = folder / "_cm.json"
    meta = json.loads(path.read_text())
    meta["tags"] = tags
    with open(path, "r+") as f:  # in place: the folder itself does not change
        f.seek(0)
        f.write(json.dumps(meta))
        f.truncate()


def test_requests_without_changes_skip_the_sync(watched: Path, syncs: list[int]) -> None:
    assert _names("y") == ["a1", "a2"]
    assert _names("x") == ["a1"]
    assert syncs == []
    _rewrite_tags(watched / "a2", ["x"])
    assert _names("x") == ["a1", "a2"]
    after_change = len(syncs)
    assert after_change > 0  # the change costs this request its syncs, the next request none
    assert _names("x") == ["a1", "a2"]
    assert len(syncs) == after_change


def _new_artifact(foo: Path) -> None:
    shutil.copytree(foo / "a1", foo / "a3")
    meta = json.loads((foo / "a3" / "_cm.json").read_text())
    meta.update(alias="a3", uid="0123456789abcdef", tags=["x", "new"])
    (foo / "a3" / "_cm.json").write_text(json.dumps(meta))


def _to_yaml(folder: Path, tags: list[str]) -> None:
    uid = json.loads((folder / "_cm.json").read_text())["uid"]
    (folder / "_cm.yaml").write_text(f"alias: {folder.name}\nuid: '{uid}'\ntags: {tags}\nautomation_alias: foo\n")
    (folder / "_cm.json").unlink()


CHANGES = [
    ("meta edited in place", lambda foo: _rewrite_tags(foo / "a1", ["z"]), "z", ["a1"]),
    ("artifact deleted", lambda foo: shutil.rmtree(foo / "a1"), "x", []),
    ("artifact renamed", lambda foo: os.rename(foo / "a2", foo / "b2"), "y", ["a1", "b2"]),
    ("artifact added", _new_artifact, "new", ["a3"]),
    ("meta replaced by a YAML one", lambda foo: _to_yaml(foo / "a2", ["yaml"]), "yaml", ["a2"]),
]


@pytest.mark.parametrize("what, change, tags, expected", CHANGES, ids=[c[0] for c in CHANGES])
def test_every_change_before_a_request_is_seen(watched: Path, what: str, change: Any, tags: str,
                                                expected: list[str]) -> None:
    change(watched)
    assert _names(tags) == expected
    assert get_core().watching


def test_a_new_artifact_folder_is_watched_from_then_on(watched: Path) -> None:
    _new_artifact(watched)
    assert _names("new") == ["a3"]
    _rewrite_tags(watched / "a3", ["newer"])  # an edit inside the folder created after the watch
    assert _names("newer") == ["a3"]


def test_a_registered_repository_is_seen(watched: Path, tmp_path: Path) -> None:
    repo = tmp_path / "other"
    _ok(f"init repo other --path={repo}")
    _ok("add foo other:o1 --tags=y")
    assert _names("y") == ["a1", "a2", "o1"]
    (repo / "foo" / "o1" / "_cm.json").write_text(
        (repo / "foo" / "o1" / "_cm.json").read_text().replace('"y"', '"elsewhere"'))
    assert _names("elsewhere") == ["o1"]


def test_a_forked_child_does_not_steal_the_parents_events(watched: Path, syncs: list[int]) -> None:
    pid = os.fork()
    if pid == 0:  # the child: its copy of the watch is gone; its requests sync
        code = 1
        try:
            own = get_core()._watch
            if own is None or own.inotify is not None:  # the at-fork hook closed the child's copy
                os._exit(4)
            _rewrite_tags(watched / "a1", ["child"])
            code = 0 if (not get_core().watching and _names("child") == ["a1"]) else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _names("child") == ["a1"]  # the event is still in the parent's queue
    assert syncs


def test_an_event_the_watch_cannot_follow_ends_it_and_requests_sync_again(
        watched: Path, syncs: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.store.monitor_tree import Rewatch, WatchTree

    def overflow(self: Any, event: Any) -> None:
        raise Rewatch("the kernel's event queue overflowed")

    monkeypatch.setattr(WatchTree, "handle", overflow)
    _rewrite_tags(watched / "a1", ["after"])
    assert _names("after") == ["a1"]
    assert not get_core().watching
    ended = len(syncs)
    assert _names("after") == ["a1"]  # a new watch starts: this request syncs
    assert len(syncs) > ended


@pytest.mark.parametrize("setting", ["no", "too many artifacts"])
def test_no_watch_when_disabled_or_too_large(cm_home: Path, monkeypatch: pytest.MonkeyPatch,
                                             setting: str, syncs: list[int]) -> None:
    monkeypatch.setattr(monitor, "AUTO_THRESHOLD", 10**9)
    if setting == "no":
        monkeypatch.setenv("CM_INDEX_MONITOR", "no")
    else:
        monkeypatch.setenv("CM_INDEX_MONITOR", "auto")
        monkeypatch.setattr(process_watch, "MAX_ARTIFACTS", 1)
    _ok("add automation foo")
    _ok("add foo a1 --tags=x")
    for _ in range(3):
        assert _names("x") == ["a1"]
    assert not get_core().watching
    assert len(syncs) >= 3


@pytest.fixture
def bare_watch(tmp_path: Path) -> Iterator[tuple[process_watch.ProcessWatch, Path]]:
    """A watch of a bare ``$CM_REPOS`` with one artifact ``foo/a1`` (no core involved)."""
    repos = tmp_path / "CM"
    art = repos / "repos" / "local" / "foo" / "a1"
    art.mkdir(parents=True)
    (art / "_cm.json").write_text("{}")
    watch = process_watch.start(str(repos), [str(repos / "repos" / "local")])
    assert watch is not None
    yield watch, art
    watch.close()


def test_a_watch_reports_changes_that_matter_to_the_index(bare_watch: Any) -> None:
    watch, art = bare_watch
    assert watch.changed() is False
    (art / "_cm.json").write_text('{"tags": ["t"]}')
    assert watch.changed() is True
    watch.acknowledge()
    assert watch.changed() is False
    (art / "notes.txt").write_text("not a meta file")  # the index does not read it
    assert watch.changed() is False
    (art.parent / "a2").mkdir()
    assert watch.changed() is True
    watch.close()
    assert not watch.usable
    assert watch.changed() is True  # an ended watch always answers "changed"


def test_a_change_is_reported_until_acknowledged(bare_watch: Any) -> None:
    """Two threads starting requests together: the one that read the event and the one that
    asks before the first has dropped its sync both hear "changed"."""
    watch, art = bare_watch
    (art / "_cm.json").write_text('{"tags": ["t"]}')
    assert watch.changed() is True  # thread A read the event
    assert watch.changed() is True  # thread B, before A acknowledged
    watch.acknowledge()
    assert watch.changed() is False
