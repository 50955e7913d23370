"""The index always answers like a full scan: random actions, hand edits, deletions and creations.

After every step ``core.find`` through the index (``CM_INDEX`` on) must equal the same query on a
core without index (a directory scan) and must equal a model of what is on disk.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

import colmind
from colmind.config import load_settings
from colmind.core import Core, get_core, reset_core
from colmind.store.ids import gen_uid

ALIASES = ["a1", "a2", "b1", "b2"]
TAGS = ["x", "y", "z"]
AUTO_UID = "cccccccccccccccc"
QUERIES: list[tuple[str, str]] = [
    ("", ""), ("a*", ""), ("?2", ""), ("", "x"), ("", "y"), ("", "x,y"), ("", "x,-y"), ("", "-z"), ("b*", "z"),
    ("0000000000000000", ""),
] + [(a, "") for a in ALIASES] + [(a.upper(), "") for a in ALIASES[:1]]

tag_lists = st.lists(st.sampled_from(TAGS), max_size=3, unique=True)
aliases = st.sampled_from(ALIASES)


@dataclasses.dataclass
class Art:
    uid: str
    tags: list[str]


def _meta(alias: str, art: Art) -> dict[str, Any]:
    return {"alias": alias, "uid": art.uid, "automation_alias": "myauto", "automation_uid": AUTO_UID,
            "tags": art.tags}


def _ok(i: Any) -> dict[str, Any]:
    r = colmind.access(i)
    assert r["return"] == 0, r
    return r


class IndexMachine(RuleBasedStateMachine):
    def __init__(self, base: Path) -> None:
        super().__init__()
        self.base = base

    @initialize()
    def fresh_home(self) -> None:
        home = self.base / gen_uid()
        os.environ["CM_REPOS"] = str(home)
        reset_core()
        _ok("add automation myauto," + AUTO_UID)
        _ok("add automation other")
        _ok("add other a1 --tags=x")  # same alias and tag in another automation: must never leak
        self.home = home
        self.folder = home / "repos" / "local" / "myauto"
        self.model: dict[str, Art] = {}
        self.scan = Core(dataclasses.replace(load_settings(), index=False))
        assert self.scan.index is None

    def teardown(self) -> None:
        reset_core()
        if hasattr(self, "home"):
            shutil.rmtree(self.home, ignore_errors=True)

    # -- through colmind ------------------------------------------------------------------
    @rule(alias=aliases, tags=tag_lists)
    def add(self, alias: str, tags: list[str]) -> None:
        r = colmind.access({"action": "add", "automation": "myauto", "artifact": alias, "tags": ",".join(tags)})
        if alias in self.model:
            assert r["return"] == 8, r
        else:
            assert r["return"] == 0, r
            self.model[alias] = Art(r["meta"]["uid"], list(tags))

    @rule(alias=aliases)
    def rm(self, alias: str) -> None:
        r = colmind.access({"action": "rm", "automation": "myauto", "artifact": alias, "force": True})
        if alias in self.model:
            assert r["return"] == 0, r
            del self.model[alias]
        else:
            assert r["return"] == 16, r

    @rule(alias=aliases, tags=tag_lists)
    def update(self, alias: str, tags: list[str]) -> None:
        r = _ok({"action": "update", "automation": "myauto", "artifact": alias, "tags": ",".join(tags)})
        if alias in self.model:
            art = self.model[alias]
            art.tags = art.tags + [t for t in tags if t not in art.tags]
        else:
            self.model[alias] = Art(r["list"][0].uid, list(tags))

    @rule(alias=aliases, new=aliases)
    def mv(self, alias: str, new: str) -> None:
        r = colmind.access({"action": "mv", "automation": "myauto", "artifact": alias, "artifacts": [new]})
        if alias not in self.model:
            assert r["return"] == 16, r
        elif new != alias and new in self.model:
            assert r["return"] == 1, r
        else:
            assert r["return"] == 0, r
            self.model[new] = self.model.pop(alias)

    # -- by hand -------------------------------------------------------------------------------
    @rule(alias=aliases, tags=tag_lists)
    def hand_edit_in_place(self, alias: str, tags: list[str]) -> None:
        if alias not in self.model:
            return
        self.model[alias].tags = list(tags)
        path = self.folder / alias / "_cm.json"
        if path.exists():
            text = json.dumps(_meta(alias, self.model[alias]))
        else:  # a YAML-only artifact
            import yaml

            path = self.folder / alias / "_cm.yaml"
            text = yaml.safe_dump(_meta(alias, self.model[alias]))
        with open(path, "r+", encoding="utf-8") as handle:
            handle.write(text)
            handle.truncate()

    @rule(alias=aliases, tags=tag_lists)
    def hand_edit_atomic(self, alias: str, tags: list[str]) -> None:
        if alias not in self.model:
            return
        self.model[alias].tags = list(tags)
        tmp = self.folder / alias / "_cm.json.tmp"
        tmp.write_text(json.dumps(_meta(alias, self.model[alias]), indent=4))
        os.replace(tmp, self.folder / alias / "_cm.json")  # JSON wins over a YAML-only meta

    @rule(alias=aliases, tags=tag_lists)
    def hand_edit_yaml_beside(self, alias: str, tags: list[str]) -> None:
        """A ``_cm.yaml`` appears next to ``_cm.json``; JSON wins, so only new keys count."""
        if alias not in self.model:
            return
        json_file = self.folder / alias / "_cm.json"
        if not json_file.exists():
            return
        import yaml

        if "tags" in json.loads(json_file.read_text()):
            (self.folder / alias / "_cm.yaml").write_text(yaml.safe_dump({"alias": alias, "extra": tags}))
        else:  # tags absent from the JSON: the YAML's tags show through
            (self.folder / alias / "_cm.yaml").write_text(yaml.safe_dump({"alias": alias, "tags": tags}))
            self.model[alias].tags = list(tags)

    @rule(alias=aliases)
    def hand_delete(self, alias: str) -> None:
        if alias in self.model:
            shutil.rmtree(self.folder / alias)
            del self.model[alias]

    @rule(alias=aliases, tags=tag_lists, as_yaml=st.booleans())
    def hand_create(self, alias: str, tags: list[str], as_yaml: bool) -> None:
        if alias in self.model:
            return
        art = Art(gen_uid(), list(tags))
        folder = self.folder / alias
        folder.mkdir(parents=True)
        if as_yaml:
            import yaml

            (folder / "_cm.yaml").write_text(yaml.safe_dump(_meta(alias, art)))
        else:
            (folder / "_cm.json").write_text(json.dumps(_meta(alias, art)))
        self.model[alias] = art

    @rule()
    def hand_delete_index(self) -> None:
        get_core().index.close()  # type: ignore[union-attr]
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(self.home / "index.db") + suffix)
            except FileNotFoundError:
                pass

    # -- the check -----------------------------------------------------------------------------
    def expected(self, artifact: str, tags: str) -> list[str]:
        from colmind.store.ids import matches
        from colmind.store.tags import TagQuery

        query = TagQuery.parse(tags)
        alias_q, uid_q = ("", artifact) if len(artifact) == 16 else (artifact, "")
        return sorted(str(self.folder / a) for a, art in self.model.items()
                      if matches(art.uid, a, uid_q, alias_q) and query.matches(art.tags))

    @invariant()
    def index_equals_scan_equals_model(self) -> None:
        if not hasattr(self, "home"):
            return
        core = get_core()
        core.begin_request()
        queries = QUERIES + [(art.uid, "") for art in self.model.values()]
        for artifact, tags in queries:
            indexed = sorted(a.path for a in core.find("myauto", artifact, tags))
            scanned = sorted(a.path for a in self.scan.find("myauto", artifact, tags))
            assert indexed == scanned, (artifact, tags)
            assert indexed == self.expected(artifact, tags), (artifact, tags)
        for a in core.find("myauto"):
            assert a.meta.get("tags", []) == self.model[a.alias].tags or not self.model[a.alias].tags
        other = [a.path for a in core.find("other", "", "x")]
        assert other == [str(self.home / "repos" / "local" / "other" / "a1")]


def small_builtin_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``CM_HOME`` with the built-in automations only (no recipes): keeps each full scan cheap."""
    from colmind.store.repos import builtin_repo_path

    home = tmp_path / "cmhome"
    shutil.copytree(os.path.join(builtin_repo_path(), "automation"), home / "repo" / "automation")
    shutil.copy(os.path.join(builtin_repo_path(), "cmr.yaml"), home / "repo" / "cmr.yaml")
    monkeypatch.setenv("CM_HOME", str(home))


def test_index_equals_scan_and_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small_builtin_repo(tmp_path, monkeypatch)
    monkeypatch.setattr(os, "fsync", lambda _fd: None)  # durability is not what this test is about
    run_state_machine_as_test(
        lambda: IndexMachine(tmp_path),
        settings=settings(max_examples=25, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")
def test_index_equals_scan_and_model_with_the_process_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process's own watch (no daemon): a request that skips its sync must still be right."""
    from colmind.core import Core
    from colmind.store import monitor as monitor_module

    small_builtin_repo(tmp_path, monkeypatch)
    monkeypatch.setattr(os, "fsync", lambda _fd: None)
    monkeypatch.setenv("CM_INDEX_MONITOR", "auto")
    monkeypatch.setattr(monitor_module, "AUTO_THRESHOLD", 10**9)
    skipped: list[bool] = []
    original = Core._unchanged_on_disk

    def counting(self: Core) -> bool:
        skipped.append(original(self))
        return skipped[-1]

    monkeypatch.setattr(Core, "_unchanged_on_disk", counting)
    run_state_machine_as_test(
        lambda: IndexMachine(tmp_path),
        settings=settings(max_examples=25, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
    assert any(skipped) and not all(skipped)  # the watch really answered, and changes were seen


class MonitoredIndexMachine(IndexMachine):
    """The same machine with the index monitor running: queries trust its reports."""

    control: Any = None
    reports: list[bool] = []

    @initialize()
    def fresh_home(self) -> None:
        super().fresh_home()
        self.control.wait(self.home)
        get_core().begin_request()
        get_core().find("myauto")  # the first sync under the monitor stores its tokens

    def teardown(self) -> None:
        if hasattr(self, "home"):
            self.control.stop(self.home)
        super().teardown()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")
def test_index_equals_scan_and_model_with_the_monitor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      monitored: Any) -> None:
    from colmind.store import monitor as monitor_module

    small_builtin_repo(tmp_path, monkeypatch)
    monkeypatch.setattr(os, "fsync", lambda _fd: None)
    answered: list[bool] = []
    original_ask = monitor_module.Monitor.ask.__func__  # type: ignore[attr-defined]

    def ask(cls: Any, repos_path: str, tokens: list[str]) -> Any:
        view = original_ask(cls, repos_path, tokens)
        answered.append(view.report is not None)
        return view

    monkeypatch.setattr(monitor_module.Monitor, "ask", classmethod(ask))
    MonitoredIndexMachine.control = monitored
    run_state_machine_as_test(
        lambda: MonitoredIndexMachine(tmp_path),
        settings=settings(max_examples=15, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
    assert sum(answered) > len(answered) // 2  # most syncs really used the monitor's reports


# --- damaged index files ------------------------------------------------------------------------------

def _paths(i: str) -> list[str]:
    return sorted(a.path for a in _ok(i)["list"])


def test_missing_index_db_is_rebuilt(cm_home: Path) -> None:
    _ok("add automation myauto")
    _ok("add myauto a1 --tags=x")
    expected = _paths("find myauto --tags=x")
    reset_core()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(cm_home / "index.db") + suffix):
            os.unlink(str(cm_home / "index.db") + suffix)
    assert _paths("find myauto --tags=x") == expected
    assert (cm_home / "index.db").exists()


@pytest.mark.parametrize("garbage", [b"\x00" * 100, b"SQLite format 3\x00" + b"\xff" * 5000, b"not a db"])
def test_corrupt_index_db_is_rebuilt(cm_home: Path, garbage: bytes) -> None:
    _ok("add automation myauto")
    _ok("add myauto a1 --tags=x")
    expected = _paths("find myauto --tags=x")
    reset_core()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(str(cm_home / "index.db") + suffix):
            os.unlink(str(cm_home / "index.db") + suffix)
    (cm_home / "index.db").write_bytes(garbage)
    assert _paths("find myauto --tags=x") == expected
    _ok("add myauto a2 --tags=x")
    assert len(_paths("find myauto --tags=x")) == 2


def test_reindex_rebuilds(cli: Any, cm_home: Path) -> None:
    _ok("add automation myauto")
    _ok("add myauto a1 --tags=x")
    res = cli("reindex", "repo")
    assert res.code == 0
    assert _paths("find myauto --tags=x") == [str(cm_home / "repos" / "local" / "myauto" / "a1")]


def test_index_disabled_writes_no_index(cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_INDEX", "no")
    reset_core()
    _ok("add automation myauto")
    _ok("add myauto a1 --tags=x")
    assert _paths("find myauto --tags=x") == [str(cm_home / "repos" / "local" / "myauto" / "a1")]
    assert not (cm_home / "index.db").exists()


def test_inherited_tags_are_searchable_with_and_without_index(cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Q02: the answer does not depend on the history of the index."""
    _ok("add automation myauto")
    _ok("add myauto base --tags=inh")
    _ok("add myauto child --meta._base=base")
    with_index = _paths("find myauto --tags=inh")
    monkeypatch.setenv("CM_INDEX", "no")
    reset_core()
    assert _paths("find myauto --tags=inh") == with_index and len(with_index) == 2


def test_duplicate_alias_across_repos_is_ambiguous_with_index(cm_home: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """No Q03: with and without index a duplicated automation alias is error 2 (C63)."""
    _ok({"action": "init", "automation": "repo", "artifact": "r2", "path": str(tmp_path / "r2")})
    _ok("add automation dup")
    _ok("add automation r2:dup")
    assert colmind.access("find dup")["return"] == 2
    monkeypatch.setenv("CM_INDEX", "off")
    reset_core()
    assert colmind.access("find dup")["return"] == 2
