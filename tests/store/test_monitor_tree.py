"""What the index monitor marks dirty for each kind of change on disk (real inotify events)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from colmind.store.inotify import Inotify
from colmind.store.monitor_tree import CMReposGone, Rewatch, WatchTree

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")


class Tree:
    """A ``$CM_REPOS`` with one repo ``r`` holding automation ``foo`` and artifact ``a1``."""

    def __init__(self, base: Path) -> None:
        self.cm = base / "CM"
        self.root = self.cm / "repos" / "r"
        self.art = self.root / "foo" / "a1"
        self.art.mkdir(parents=True)
        (self.art / "_cm.json").write_text('{"tags": ["x"]}')
        (self.cm / "repos.json").write_text("[]")
        self.inotify = Inotify()
        self.tree = WatchTree(self.inotify, str(self.cm))
        self.tree.watch_all([str(self.root)])

    def drain(self) -> set[str]:
        before = dict(self.tree.dirty)
        for event in self.inotify.read():
            self.tree.handle(event)
        return {p for p, s in self.tree.dirty.items() if before.get(p) != s}

    def rel(self, paths: set[str]) -> set[str]:
        return {os.path.relpath(p, self.cm) for p in paths}


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Tree]:
    t = Tree(tmp_path)
    yield t
    t.inotify.close()


def _edit_in_place(t: Tree) -> None:
    with open(t.art / "_cm.json", "r+") as f:
        f.write('{"tags": ["y"]}')


def _replace(t: Tree) -> None:
    (t.art / "tmp.json").write_text('{"tags": ["y"]}')
    os.replace(t.art / "tmp.json", t.art / "_cm.json")


def _yaml_beside(t: Tree) -> None:
    (t.art / "_cm.yaml").write_text("tags: [z]\n")


def _other_file(t: Tree) -> None:
    (t.art / "run.sh").write_text("echo hi\n")


def _new_artifact(t: Tree) -> None:
    (t.root / "foo" / "a2").mkdir()


def _delete_artifact(t: Tree) -> None:
    shutil.rmtree(t.art)


def _rename_artifact(t: Tree) -> None:
    os.rename(t.art, t.root / "foo" / "b1")


def _new_automation(t: Tree) -> None:
    (t.root / "bar").mkdir()


def _hidden_folder(t: Tree) -> None:
    (t.root / "foo" / ".git").mkdir()


CASES: list[tuple[str, Callable[[Tree], None], set[str]]] = [
    ("edit in place", _edit_in_place, {"repos/r/foo/a1"}),
    ("replace by rename", _replace, {"repos/r/foo/a1"}),
    ("yaml beside json", _yaml_beside, {"repos/r/foo/a1"}),
    ("a non-meta file", _other_file, set()),
    ("new artifact", _new_artifact, {"repos/r/foo/a2", "repos/r/foo"}),
    ("deleted artifact", _delete_artifact, {"repos/r/foo/a1", "repos/r/foo"}),
    ("renamed artifact", _rename_artifact, {"repos/r/foo/a1", "repos/r/foo/b1", "repos/r/foo"}),
    ("new automation", _new_automation, {"repos/r/bar", "repos/r"}),
    ("hidden folder", _hidden_folder, set()),
]


@pytest.mark.parametrize("name, change, expected", CASES, ids=[c[0] for c in CASES])
def test_changes_mark_the_right_paths(tree: Tree, name: str, change: Callable[[Tree], None],
                                      expected: set[str]) -> None:
    assert tree.drain() == set()
    change(tree)
    assert tree.rel(tree.drain()) == expected


def test_a_new_artifact_is_watched_for_later_edits(tree: Tree) -> None:
    new = tree.root / "foo" / "a2"
    new.mkdir()
    tree.drain()
    (new / "_cm.json").write_text("{}")
    assert tree.rel(tree.drain()) == {"repos/r/foo/a2"}


def test_a_renamed_artifact_is_watched_under_its_new_name(tree: Tree) -> None:
    os.rename(tree.art, tree.root / "foo" / "b1")
    tree.drain()
    (tree.root / "foo" / "b1" / "_cm.json").write_text("{}")
    assert tree.rel(tree.drain()) == {"repos/r/foo/b1"}


def test_a_new_automation_folder_and_its_artifacts_are_watched(tree: Tree) -> None:
    staged = tree.cm / "staged"
    (staged / "c1").mkdir(parents=True)
    os.rename(staged, tree.root / "bar")  # a whole automation folder moved in at once
    tree.drain()
    (tree.root / "bar" / "c1" / "_cm.json").write_text("{}")
    assert tree.rel(tree.drain()) == {"repos/r/bar/c1"}


def test_sequence_numbers_grow_and_filter(tree: Tree) -> None:
    _edit_in_place(tree)
    tree.drain()
    first = tree.tree.seq
    _new_artifact(tree)
    tree.drain()
    assert tree.tree.seq > first
    assert set(tree.rel(set(tree.tree.changed_since(first)))) == {"repos/r/foo/a2", "repos/r/foo"}
    assert tree.tree.changed_since(tree.tree.seq) == {}


def test_repos_json_change_asks_for_a_rewatch(tree: Tree) -> None:
    (tree.cm / "repos.json").write_text('["x"]')
    with pytest.raises(Rewatch, match="repos.json"):
        tree.drain()


def test_deleting_a_repository_asks_for_a_rewatch(tree: Tree) -> None:
    shutil.rmtree(tree.root)
    with pytest.raises(Rewatch, match="deleted or moved"):
        tree.drain()


def test_deleting_cm_repos_stops_the_monitor(tmp_path: Path) -> None:
    cm, repo = tmp_path / "CM", tmp_path / "elsewhere" / "repo"
    (cm / "repos").mkdir(parents=True)
    (repo / "foo").mkdir(parents=True)
    notify = Inotify()
    try:
        tree = WatchTree(notify, str(cm))
        tree.watch_all([str(repo)])
        shutil.rmtree(cm)
        with pytest.raises(CMReposGone):
            for event in notify.read():
                tree.handle(event)
    finally:
        notify.close()


def test_unwatchable_root_is_not_reported_as_watched(tmp_path: Path) -> None:
    t = Tree(tmp_path)
    try:
        tree = WatchTree(t.inotify, str(t.cm))
        tree.watch_all([str(t.root), str(tmp_path / "missing")])
        assert tree.roots == {str(t.root)}
    finally:
        t.inotify.close()
