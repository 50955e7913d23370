"""The index's remembered query results and its one-sync-for-all with a full monitor report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import colmind
from colmind.core import get_core
from colmind.store.index import Index
from colmind.store.monitor import Monitor
from colmind.store.monitor_protocol import Report


def _ok(i: Any) -> dict[str, Any]:
    r = colmind.access(i)
    assert r["return"] == 0, r
    return r


def _home_with_foo(cm_home: Path) -> Index:
    _ok("add automation foo")
    _ok("add foo a1 --tags=x")
    core = get_core()
    assert core.index is not None
    core.find("foo")
    return core.index


def _names(index: Index, tags: tuple[str, ...] = ("x",)) -> list[str]:
    return sorted(os.path.basename(r.path) for r in index.candidates({"foo"}, "", "", tags))


def test_a_commit_by_another_connection_is_seen(cm_home: Path) -> None:
    index = _home_with_foo(cm_home)
    assert _names(index) == ["a1"]
    other = Index(str(cm_home))  # another process, as far as SQLite is concerned
    row = index.candidates({"foo"}, "", "a1", ())[0]
    row.path, row.uid, row.alias = row.path[:-2] + "a2", "0123456789abcdef", "a2"
    other.put(row)
    other.close()
    assert _names(index) == ["a1", "a2"]


def test_an_own_commit_is_seen(cm_home: Path) -> None:
    index = _home_with_foo(cm_home)
    assert _names(index) == ["a1"]
    index.remove(index.candidates({"foo"}, "", "a1", ())[0].path)
    assert _names(index) == []


def test_each_query_gets_its_own_rows_and_metas(cm_home: Path) -> None:
    index = _home_with_foo(cm_home)
    first = index.candidates({"foo"}, "", "", ("x",))[0]
    first.meta["tags"].append("changed by a caller")
    first.tags.append("changed")
    again = index.candidates({"foo"}, "", "", ("x",))[0]
    assert again is not first
    assert again.tags == ["x"] and again.meta["tags"] == ["x"]


def _monitor_for(index: Index, roots: list[str]) -> Monitor:
    report = Report(index.repos_path, "inst", 1, 5, frozenset(roots), {})
    return Monitor(index.repos_path, report, "auto")


def test_a_report_covering_every_repository_syncs_every_automation(cm_home: Path) -> None:
    index = _home_with_foo(cm_home)
    repos = get_core().repos
    index.new_request()
    index._monitor = _monitor_for(index, [r.content_path for r in repos])
    assert index.sync(repos, {"foo"}) is True
    index._monitor = _monitor_for(index, [r.content_path for r in repos[1:]])  # one repository unwatched
    assert index.sync(repos, {"foo"}) is False
    index._monitor = Monitor(index.repos_path, None, "no")
    assert index.sync(repos, {"foo"}) is False
    assert index.sync(repos, None) is True
