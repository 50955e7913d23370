"""The index monitor end to end: a real background process, real hand edits, real queries.

The index must stay exactly right with the monitor on, while reading only what changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import colmind
from colmind.core import get_core, reset_core
from colmind.store import index as index_module
from colmind.store.monitor import AUTO_THRESHOLD, Monitor, request, setting

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")]


def _ok(i: Any) -> dict[str, Any]:
    r = colmind.access(i)
    assert r["return"] == 0, r
    return r


def _found(tags: str = "", automation: str = "foo") -> list[str]:
    reset_core()
    return sorted(os.path.basename(a.path) for a in get_core().find(automation, "", tags))


@pytest.fixture
def home(cm_home: Path, monitored: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``foo`` with a1 (tags x,y) and a2 (tag y), a running monitor, and an index synced with it."""
    _ok("add automation foo")
    _ok("add foo a1 --tags=x,y")
    _ok("add foo a2 --tags=y")
    monitored.wait(cm_home)
    _found()  # the first sync under this monitor checks the disk in full and stores its token
    return cm_home


@pytest.fixture
def no_stat_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the artifacts checked by ``stat`` (the monitor's answer should make it zero)."""
    counted: list[int] = []
    original = index_module._changed

    def counting(auto_dir: str, stored: dict[str, str]) -> list[tuple[str, str]]:
        counted.append(len(stored))
        return original(auto_dir, stored)

    monkeypatch.setattr(index_module, "_changed", counting)
    return counted


def _meta_file(home: Path, alias: str) -> Path:
    folder = home / "repos" / "local" / "foo" / alias
    return next(folder / n for n in ("_cm.json", "_cm.yaml") if (folder / n).exists())


def _set_tags_in_place(home: Path, alias: str, tags: list[str]) -> None:
    path = _meta_file(home, alias)
    meta = json.loads(path.read_text())
    meta["tags"] = tags
    with open(path, "r+") as f:  # in place: no folder changes, only the file's content
        f.seek(0)
        f.write(json.dumps(meta))
        f.truncate()


def test_edit_in_place_is_seen_without_stat_checks(home: Path, no_stat_checks: list[int]) -> None:
    _set_tags_in_place(home, "a1", ["z"])
    assert _found("z") == ["a1"]
    assert _found("x") == []
    assert sum(no_stat_checks) == 0


def test_every_edit_right_before_a_query_is_seen(home: Path) -> None:
    """No sleep between the edit and the query: the monitor reads the queue before answering."""
    for n in range(40):
        _set_tags_in_place(home, "a2", [f"t{n}"])
        assert _found(f"t{n}") == ["a2"], n


@pytest.mark.parametrize("change, expected", [
    ("new", ["a1", "a2", "a3"]),
    ("delete", ["a2"]),
    ("rename", ["a2", "b1"]),
    ("yaml beside", ["a1", "a2"]),
])
def test_hand_changes_to_folders_are_seen(home: Path, change: str, expected: list[str]) -> None:
    foo = home / "repos" / "local" / "foo"
    if change == "new":
        (foo / "a3").mkdir()
        (foo / "a3" / "_cm.json").write_text(json.dumps({"alias": "a3", "uid": "a3a3a3a3a3a3a3a3", "tags": ["y"]}))
    elif change == "delete":
        shutil.rmtree(foo / "a1")
    elif change == "rename":
        os.rename(foo / "a1", foo / "b1")
        meta = json.loads((foo / "b1" / "_cm.json").read_text())
        meta["alias"] = "b1"
        (foo / "b1" / "_cm.json").write_text(json.dumps(meta))
    else:
        (foo / "a1" / "_cm.yaml").write_text("tags: [w]\n")
    assert _found("y") == expected or change == "yaml beside"
    if change == "yaml beside":  # JSON wins over YAML for keys in both: tags stay x,y
        assert _found("y") == expected


def test_a_new_repository_is_seen(home: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    (extra / "foo" / "e1").mkdir(parents=True)
    (extra / "cmr.yaml").write_text("alias: extra\nuid: eeeeeeeeeeeeeeee\n")
    (extra / "foo" / "e1" / "_cm.json").write_text(json.dumps({"alias": "e1", "uid": "e1e1e1e1e1e1e1e1",
                                                                "automation_alias": "foo", "tags": ["y"]}))
    _ok(f"import repo --path={extra}")
    assert "e1" in _found("y")
    (extra / "foo" / "e1" / "_cm.json").write_text(json.dumps({"alias": "e1", "uid": "e1e1e1e1e1e1e1e1",
                                                                "automation_alias": "foo", "tags": ["q"]}))
    assert _found("q") == ["e1"]


def test_the_index_falls_back_to_the_disk_when_the_monitor_stops(home: Path, monitored: Any) -> None:
    monitored.stop(home)
    _set_tags_in_place(home, "a1", ["after-stop"])
    os.environ["CM_INDEX_MONITOR"] = "no"  # do not start a new one for this query
    assert _found("after-stop") == ["a1"]


def test_a_new_monitor_instance_means_a_full_check(home: Path, monitored: Any, no_stat_checks: list[int]) -> None:
    monitored.stop(home)
    monitored.wait(home)
    _found()
    assert sum(no_stat_checks) >= 2  # tokens of the old instance are not trusted


def test_stop_request_ends_the_process_and_the_log_says_why(home: Path, monitored: Any) -> None:
    monitored.stop(home)
    assert request(str(home), "since 0", timeout=0.5) is None
    log = (home / ".colmind" / "monitor.log").read_text()
    assert "watched" in log and "asked to stop" in log


def test_the_monitor_exits_when_idle(cm_home: Path, monitored: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_INDEX_MONITOR_IDLE", "1")
    _ok("find repo")  # creates $CM_REPOS
    monitored.wait(cm_home)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and request(str(cm_home), "since 0", timeout=0.5) is not None:
        time.sleep(1.5)  # each request resets the idle clock: poll slower than the idle time
    assert "idle for 1 s" in (cm_home / ".colmind" / "monitor.log").read_text()


def test_the_monitor_exits_when_cm_repos_is_deleted(cm_home: Path, monitored: Any) -> None:
    _ok("find repo")
    monitored.wait(cm_home)
    log = cm_home.parent / "monitor.log"
    shutil.copy(cm_home / ".colmind" / "monitor.log", log)
    pid = int(log.read_text().split("[", 1)[1].split("]", 1)[0])
    shutil.rmtree(cm_home)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_only_one_monitor_per_cm_repos(cm_home: Path, monitored: Any) -> None:
    _ok("find repo")
    first = monitored.wait(cm_home)
    python = sys.executable
    second = subprocess.run([python, "-m", "colmind.store.monitord", str(cm_home)], timeout=60)
    assert second.returncode == 0  # it saw the lock and left
    assert request(str(cm_home), "since 0").instance == first.instance


@pytest.mark.parametrize("value, expected", [
    ("", "auto"), ("auto", "auto"), ("yes", "yes"), ("on", "yes"), ("1", "yes"), ("no", "no"), ("off", "no"),
    ("false", "no"), ("bogus", "auto"),
])
def test_setting(value: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_INDEX_MONITOR", value)
    assert setting() == expected


def test_auto_starts_only_after_a_large_check(cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_INDEX_MONITOR", "auto")
    started: list[str] = []
    def fake_start(path: str) -> bool:
        started.append(path)
        return True

    monkeypatch.setattr("colmind.store.monitor.start", fake_start)
    Monitor(str(cm_home), None, "auto").after_sync(AUTO_THRESHOLD - 1)
    assert started == []
    Monitor(str(cm_home), None, "auto").after_sync(AUTO_THRESHOLD)
    assert started == [str(cm_home)]
    Monitor(str(cm_home), None, "no").after_sync(10 * AUTO_THRESHOLD)
    assert started == [str(cm_home)]


def test_a_disabled_marker_prevents_auto_start(cm_home: Path) -> None:
    from colmind.store.monitor import start

    (cm_home / ".colmind").mkdir(parents=True)
    (cm_home / ".colmind" / "monitor.disabled").write_text("watch limit\n")
    assert start(str(cm_home)) is False
    assert not (cm_home / ".colmind" / "monitor.log").exists()


def test_status_and_stop_from_the_command_line(home: Path) -> None:
    run = [sys.executable, "-m", "colmind.store.monitord"]
    status = subprocess.run([*run, "--status", str(home)], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0
    assert str(home / "repos" / "local") in status.stdout
    stop = subprocess.run([*run, "--stop", str(home)], capture_output=True, text=True, timeout=60)
    assert stop.returncode == 0 and "stopped" in stop.stdout
    after = subprocess.run([*run, "--status", str(home)], capture_output=True, text=True, timeout=60)
    assert after.returncode == 1 and "no index monitor" in after.stdout


def test_bad_usage_exits_2() -> None:
    bad = subprocess.run([sys.executable, "-m", "colmind.store.monitord"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "usage" in bad.stderr


def test_one_question_to_the_monitor_per_request(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.store import monitor as monitor_module

    asked: list[str] = []
    original = monitor_module.Monitor.ask.__func__  # type: ignore[attr-defined]

    def ask(cls: Any, repos_path: str, tokens: list[str]) -> Any:
        asked.append(repos_path)
        return original(cls, repos_path, tokens)

    monkeypatch.setattr(monitor_module.Monitor, "ask", classmethod(ask))
    reset_core()
    assert [os.path.basename(a.path) for a in _ok("find foo --tags=y")["list"]] == ["a1", "a2"]
    assert len(asked) == 1  # two syncs (the automation 'foo', then its artifacts), one question
    _set_tags_in_place(home, "a2", ["fresh"])
    assert [os.path.basename(a.path) for a in _ok("find foo --tags=fresh")["list"]] == ["a2"]
    assert len(asked) == 2  # a new request asks again


def test_a_monitor_started_by_this_process_is_reaped_after_it_exits(cm_home: Path, monitored: Any) -> None:
    from colmind.store import monitor as monitor_module

    earlier = set(monitor_module._SPAWNED)  # monitors of earlier tests in this process
    _ok("find repo")
    monitored.wait(cm_home)
    spawned = [pid for pid in monitor_module._SPAWNED if pid not in earlier]
    assert spawned  # started from this (long-lived) process
    monitored.stop(cm_home)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and set(spawned) & set(monitor_module._SPAWNED):
        monitor_module.Monitor.ask(str(cm_home), [])  # every sync reaps what has exited
        time.sleep(0.1)
    assert not set(spawned) & set(monitor_module._SPAWNED)
    assert not any(os.path.exists(f"/proc/{pid}") for pid in spawned)  # no zombie left


def test_a_stuck_monitor_costs_one_timeout_and_is_replaced(home: Path, monitored: Any) -> None:
    import signal

    log = (home / ".colmind" / "monitor.log").read_text()
    pid = int(log.strip().splitlines()[-1].split("[", 1)[1].split("]", 1)[0])
    os.kill(pid, signal.SIGSTOP)  # accepts connections (backlog) but never answers
    try:
        started = time.monotonic()
        assert request(str(home), "since 0") is None
        assert time.monotonic() - started < 5
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)
        assert not _alive(pid)  # killed, so the next command does not wait again
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    _set_tags_in_place(home, "a1", ["after-stuck"])
    assert _found("after-stuck") == ["a1"]  # answered from the disk meanwhile
    assert monitored.wait(home).instance  # and a fresh monitor can start


# -- the query thread's view of the tree (colmind.indexd.query) -------------------------------
@pytest.fixture
def daemon(cm_home: Path) -> Any:
    """A monitor's state in this process (no serving loop): the query thread's side alone."""
    from colmind.store.monitord import MonitorDaemon

    _ok("add automation foo")
    _ok("add foo a1 --tags=x")
    watcher = MonitorDaemon(str(cm_home), 60.0)
    watcher.rewatch("start")
    yield watcher
    assert watcher.inotify is not None
    watcher.inotify.close()


def _woken(watcher: Any) -> bool:
    try:
        return bool(os.read(watcher._wake_r, 16))
    except BlockingIOError:
        return False


def test_a_query_reads_events_queued_before_it_even_if_the_main_loop_did_not(daemon: Any, cm_home: Path) -> None:
    start = daemon.local_report(0)
    assert start is not None and start.dirty == {}
    meta = cm_home / "repos" / "local" / "foo" / "a1" / "_cm.json"
    meta.write_text(meta.read_text().replace('"x"', '"z"'))
    report = daemon.local_report(start.seq)  # nobody drained the queue: the query thread must
    assert report is not None and str(meta.parent) in report.dirty
    assert not _woken(daemon)


def test_a_rebuild_is_left_to_the_main_thread_and_queries_check_the_disk_meanwhile(daemon: Any, cm_home: Path) -> None:
    repos_json = cm_home / "repos.json"
    repos_json.write_text(repos_json.read_text())  # a re-registration: every watch is rebuilt
    assert daemon.local_report(0) is None
    assert daemon.pending == "repos.json changed" and _woken(daemon)
    assert daemon.local_report(0) is None  # still pending
    epoch = daemon.epoch
    daemon.drain()  # the main thread's turn
    assert daemon.epoch == epoch + 1 and daemon.pending == ""
    assert daemon.local_report(0) is not None


def test_cm_repos_gone_stops_the_monitor_at_the_main_threads_next_turn(daemon: Any, cm_home: Path) -> None:
    from colmind.store.monitor_tree import CMReposGone

    shutil.rmtree(cm_home)
    assert daemon.local_report(0) is None
    assert (daemon.pending or daemon.fatal) and _woken(daemon)
    with pytest.raises(CMReposGone):  # the main thread's turn: nothing left to watch
        if daemon.fatal is not None:
            raise daemon.fatal
        daemon.drain()


def test_a_rebuild_writes_nothing_into_cm_repos(daemon: Any, cm_home: Path) -> None:
    # a user deleting $CM_REPOS (rm -rf) while the monitor rebuilds must not find files recreated
    state = cm_home / ".colmind"
    for cached in state.glob("repo-metas-*"):
        cached.unlink()
    before = sorted(p.relative_to(cm_home) for p in cm_home.rglob("*"))
    repos_json = cm_home / "repos.json"
    repos_json.write_text(repos_json.read_text())
    daemon.drain()  # rebuilds the watches (reads every registered repository)
    assert daemon.pending == "" and daemon.epoch == 2
    assert sorted(p.relative_to(cm_home) for p in cm_home.rglob("*")) == before


def test_a_replaced_cm_repos_folder_ends_the_monitor(daemon: Any, cm_home: Path, tmp_path: Path) -> None:
    # the socket is named after the folder's inode: a monitor of a replaced folder would never be
    # asked again, and a new one would start beside it
    from colmind.store.monitor_tree import CMReposGone

    shutil.copytree(cm_home, tmp_path / "copy")
    shutil.rmtree(cm_home, ignore_errors=True)
    (tmp_path / "copy").rename(cm_home)
    with pytest.raises(CMReposGone, match="replaced by another folder"):
        daemon.rewatch("test")
