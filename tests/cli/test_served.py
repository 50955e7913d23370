"""``cm find`` answered by the running index monitor: real ``cm`` processes, a real monitor.

Every served answer must be byte for byte what the same command prints when it runs itself
(``CM_INDEX_MONITOR=no``): stdout, stderr, their interleaving and the exit status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import colmind
from colmind.store.monitor import exchange

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")]


def _ok(i: Any) -> None:
    r = colmind.access(i)
    assert r["return"] == 0, r


@pytest.fixture
def home(cm_home: Path, monitored: Any) -> Path:
    """``foo`` (module.py of the template: stdlib imports only) with a1 (x,y), a2 (y) and a
    broken artifact; ``bar`` whose module.py imports PyYAML; a running monitor."""
    _ok("add automation foo")
    _ok("add foo a1 --tags=x,y")
    _ok("add foo a2 --tags=y")
    _ok("add automation bar")
    module = cm_home / "repos" / "local" / "automation" / "bar" / "module.py"
    module.write_text("import yaml  # noqa\n" + module.read_text())
    _ok("add bar b1 --tags=x")
    broken = cm_home / "repos" / "local" / "foo" / "zz-broken"
    broken.mkdir()
    (broken / "_cm.json").write_text("{not json")
    monitored.wait(cm_home)
    return cm_home


def _cm(*argv: str, served: bool, env: dict[str, str] | None = None, merged: bool = False) -> tuple[int, str, str]:
    environ = {**os.environ, "CM_INDEX_MONITOR": "yes" if served else "no", **(env or {})}
    environ.pop("PYTHONWARNINGS", None)
    proc = subprocess.run([sys.executable, "-m", "colmind", *argv], env=environ, capture_output=not merged,
                          stdout=subprocess.PIPE if merged else None,
                          stderr=subprocess.STDOUT if merged else None, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr or ""


def _stats(home: Path) -> dict[str, str]:
    words = (exchange(str(home), b"stats\n") or b"").decode().split(maxsplit=5)
    return {"answered": words[1], "refused": words[3], "last": words[5] if len(words) > 5 else ""}


CASES = [
    ("find", "foo", "--tags=y"),
    ("find", "foo", "--tags=x,-y"),
    ("search", "foo", "--tags=nothing-has-this"),
    ("ls", "foo"),
    ("list", "foo", "a*"),
    ("find", "foo", "a1"),
    ("find", "foo", "local:a2"),
    ("find", "foo", "no-such-artifact"),
    ("find", "foo", "zz-broken"),
    ("find", "no-such-automation"),
    ("find", "repo"),
    ("find", "automation", "--tags=automation"),
]


@pytest.mark.parametrize("argv", CASES, ids=" ".join)
def test_a_served_answer_is_what_the_command_prints_itself(home: Path, argv: tuple[str, ...]) -> None:
    before = int(_stats(home)["answered"])
    served = _cm(*argv, served=True)
    assert int(_stats(home)["answered"]) == before + 1, _stats(home)
    assert served == _cm(*argv, served=False)
    assert _cm(*argv, served=True, merged=True) == _cm(*argv, served=False, merged=True)


def test_warnings_and_results_keep_their_order(home: Path) -> None:
    code, merged, _ = _cm("find", "foo", served=True, merged=True)
    assert code == 0
    assert "skipping a broken artifact" in merged and "zz-broken" in merged
    assert merged.index("WARNING") < merged.index(str(home / "repos" / "local" / "foo" / "a1"))
    assert (code, merged) == _cm("find", "foo", served=False, merged=True)[:2]


def test_an_edit_finished_before_the_command_is_in_its_answer(home: Path) -> None:
    meta = home / "repos" / "local" / "foo" / "a2" / "_cm.json"
    for k in range(5):
        data = json.loads(meta.read_text())
        data["tags"] = ["y", f"round{k}"]
        meta.write_text(json.dumps(data))
        code, out, _ = _cm("find", "foo", f"--tags=round{k}", served=True)
        assert (code, out.split()) == (0, [str(home / "repos" / "local" / "foo" / "a2")])
    _ok("rm foo a2 --force")
    assert _cm("find", "foo", "a2", served=True) == _cm("find", "foo", "a2", served=False)


def test_repository_code_beyond_the_standard_library_is_run_by_the_client(home: Path) -> None:
    before = _stats(home)
    served = _cm("find", "bar", "--tags=x", served=True)
    after = _stats(home)
    assert int(after["refused"]) == int(before["refused"]) + 1
    assert "imports yaml" in after["last"]
    assert served == _cm("find", "bar", "--tags=x", served=False)
    assert served[1].strip() == str(home / "repos" / "local" / "bar" / "b1")


def test_another_spelling_of_cm_repos_is_refused(home: Path, tmp_path: Path) -> None:
    link = tmp_path / "cm-link"
    link.symlink_to(home)
    before = int(_stats(home)["refused"])
    served = _cm("find", "foo", "--tags=x", served=True, env={"CM_REPOS": str(link)})
    assert int(_stats(home)["refused"]) == before + 1
    assert "spelled" in _stats(home)["last"]
    assert served == _cm("find", "foo", "--tags=x", served=False, env={"CM_REPOS": str(link)})
    assert str(link) in served[1]


@pytest.mark.parametrize("argv", [("find", "foo", "--tags=x", "--out=json"), ("run", "script", "--tags=nope")])
def test_other_commands_never_reach_the_monitor(home: Path, argv: tuple[str, ...]) -> None:
    before = _stats(home)
    assert _cm(*argv, served=True)[0] == _cm(*argv, served=False)[0]
    assert _stats(home) == before


def test_without_a_monitor_the_command_runs_itself(cm_home: Path) -> None:
    _ok("add automation foo")
    _ok("add foo a1 --tags=x")
    assert exchange(str(cm_home), b"stats\n") is None
    # auto: below its threshold this command starts no monitor either
    code, out, _ = _cm("find", "foo", "--tags=x", served=True, env={"CM_INDEX_MONITOR": "auto"})
    assert (code, out.strip()) == (0, str(cm_home / "repos" / "local" / "foo" / "a1"))


def test_a_served_query_loads_neither_sqlite_nor_the_core(home: Path) -> None:
    heavy = ("_sqlite3", "sqlite3", "json", "colmind.core", "colmind.api", "colmind.store.index", "pathlib")
    code = ("import sys\nfrom colmind.cli.main import try_served\n"
            "status = try_served(['find', 'foo', '--tags=x'])\n"
            f"print('@@', status, sorted(m for m in {heavy!r} if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "CM_INDEX_MONITOR": "yes"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [str(home / "repos" / "local" / "foo" / "a1"), "@@ 0 []"]


def test_concurrent_clients_all_get_the_right_answer(home: Path) -> None:
    """8 ``cm find`` processes at once, 3 rounds: the monitor answers one at a time and refuses
    the others while busy; each refused client runs the query itself. Every output is right."""
    expected = sorted(str(home / "repos" / "local" / "foo" / a) for a in ("a1", "a2"))
    before = _stats(home)
    env = {**os.environ, "CM_INDEX_MONITOR": "yes"}
    for _round in range(3):
        procs = [subprocess.Popen([sys.executable, "-m", "colmind", "find", "foo", "--tags=y"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert sorted(out.split()) == expected
    after = _stats(home)
    served = int(after["answered"]) - int(before["answered"])
    refused = int(after["refused"]) - int(before["refused"])
    assert served + refused == 24 and served >= 1


def test_ctrl_c_while_waiting_for_the_monitor_is_a_quiet_exit_130(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from colmind.cli import main as cli_main
    from colmind.cli import served

    def interrupted(argv: list[str]) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(served, "_ask", interrupted)
    monkeypatch.setattr(sys, "argv", ["cm", "find", "foo", "--tags=x"])
    with pytest.raises(SystemExit) as stop:
        cli_main.run()
    assert stop.value.code == 130
    assert capsys.readouterr().err == "\nInterrupted.\n"
