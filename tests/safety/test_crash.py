"""kill -9 at random points (real processes, 50 trials each) while colmind writes metas (add,
update, cp, rm), ``repos.json``, the index and run records: afterwards every command works, every file parses,
the index equals the disk, and the next run removes what the dead one left (tests/safety/crash.py)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from colmind.testing import run_cli
from tests.safety.crash import kill_at_random_points, leftovers

TRIALS = int(os.environ.get("COLMIND_CRASH_TRIALS", "50"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.slow


def ok(*argv: str) -> str:
    res = run_cli(*argv)
    assert res.code == 0, (argv, res.stderr)
    assert "Traceback" not in res.stderr
    return res.stdout


@pytest.fixture
def world(cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    ok("add", "automation", "notes")
    ok("add", "notes", "a", "--tags=t")
    env = {**os.environ, "CM_REPOS": str(cm_home), "CM_INDEX_MONITOR": "no"}
    return {"home": cm_home, "work": work, "env": env}


def _writer(loop: str) -> str:
    return ("import itertools, colmind\n"
            "print('ready', flush=True)\n"
            "for n in itertools.count():\n" + "".join(f"    {line}\n" for line in loop.strip().splitlines()))


def _metas_parse(root: Path) -> None:
    """Every visible meta parses (a killed add/cp may leave a partial one in its hidden staging
    folder, which no scan sees and the next writer of that artifact removes: see ``leftovers``)."""
    for path in root.rglob("_cm.json"):
        if any(part.startswith(".cm-") for part in path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8")
        try:
            json.loads(text)
        except ValueError as exc:
            raise AssertionError(f"half-written {path}: {text[:200]!r}") from exc


def _folders_with_meta(auto_dir: Path) -> set[str]:
    return {p.name for p in auto_dir.iterdir()
            if p.is_dir() and not p.name.startswith(".") and any((p / n).is_file() for n in ("_cm.json", "_cm.yaml"))}


def test_kill_while_writing_metas(world: dict) -> None:
    home = world["home"]
    writer = _writer("""
colmind.access(['update', 'notes', 'a', f'--meta.n={n}', f'--tags=t{n % 3}'])
colmind.access(['add', 'notes', 'b', '--tags=b'])
colmind.access(['update', 'notes', 'b', f'--meta.n={n}'])
colmind.access(['rm', 'notes', 'b', '-f'])
colmind.access(['cp', 'notes', 'a', 'c', '--new_tags=copy'])
colmind.access(['rm', 'notes', 'c', '-f'])
""")

    def check(trial: int) -> None:
        notes = home / "repos" / "local" / "notes"
        _metas_parse(home / "repos")
        found = {Path(p).name for p in ok("find", "notes").split()}
        assert found == _folders_with_meta(notes), trial      # index == disk: no half-added artifact
        ok("update", "notes", "a", f"--meta.check={trial}")   # no stale lock
        run_cli("rm", "notes", "b", "-f")
        ok("add", "notes", "b")                               # repairs a killed add's staging folder
        ok("rm", "notes", "b", "-f")
        run_cli("rm", "notes", "c", "-f")
        ok("cp", "notes", "a", "c")                           # repairs a killed copy's staging folder
        ok("rm", "notes", "c", "-f")
        uids = [json.loads((notes / n / "_cm.json").read_text())["uid"] for n in _folders_with_meta(notes)]
        assert len(uids) == len(set(uids)), uids              # never a half-copied twin
        assert not leftovers(home / "repos"), leftovers(home / "repos")

    stats = kill_at_random_points(writer, check=check, env=world["env"], cwd=world["work"], trials=TRIALS, seed=1)
    assert stats.killed == TRIALS


def test_kill_while_writing_repos_json(world: dict, tmp_path: Path) -> None:
    home, base = world["home"], tmp_path / "repos-elsewhere"
    writer = _writer(f"""
name = f'r{{n % 4}}'
colmind.access(['init', 'repo', name, '--path={base}/' + name])
colmind.access(['rm', 'repo', name, '-f'])
""")

    def check(trial: int) -> None:
        entries = json.loads((home / "repos.json").read_text())
        assert isinstance(entries, list) and all(isinstance(e, str) for e in entries)
        ok("find", "repo")
        run_cli("rm", "repo", "check", "-f")
        ok("init", "repo", "check", f"--path={base}/check")
        ok("rm", "repo", "check", "-f")
        assert not [p for p in leftovers(home) if "/repos/" not in p], leftovers(home)

    stats = kill_at_random_points(writer, check=check, env=world["env"], cwd=world["work"], trials=TRIALS, seed=2)
    assert stats.killed == TRIALS


def test_kill_while_writing_the_index(world: dict) -> None:
    home = world["home"]
    for k in range(150):
        (home / "repos" / "local" / "notes" / f"n{k}").mkdir()
        (home / "repos" / "local" / "notes" / f"n{k}" / "_cm.json").write_text(
            json.dumps({"alias": f"n{k}", "automation_alias": "notes", "tags": [f"k{k % 7}"]}))
    writer = _writer("""
colmind.access(['reindex', 'repo'])
colmind.access(['find', 'notes', '--tags=k3'])
""")

    def check(trial: int) -> None:
        with sqlite3.connect(home / "index.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(ok("find", "notes").split()) == 151, trial
        assert len(ok("find", "notes", "--tags=k3").split()) == len([k for k in range(150) if k % 7 == 3])

    stats = kill_at_random_points(writer, check=check, env=world["env"], cwd=world["work"], trials=TRIALS, seed=3)
    assert stats.killed == TRIALS


def test_kill_while_writing_run_records(world: dict) -> None:
    ok("import", "repo", f"--path={FIXTURES / 'probes' / 'repo-cm'}")
    ok("run", "script", "--tags=probe,probe-cache", "--quiet")
    record = world["work"] / "cm-run-record.json"
    writer = _writer("""
colmind.access(['run', 'script', '--tags=probe,probe-cache', '--quiet'])
""")

    def check(trial: int) -> None:
        if record.exists():
            json.loads(record.read_text())                    # never half-written
        ok("run", "script", "--tags=probe,probe-cache", "--quiet")
        json.loads(record.read_text())
        assert not leftovers(world["work"]), leftovers(world["work"])
        _metas_parse(world["home"] / "repos")

    stats = kill_at_random_points(writer, check=check, env=world["env"], cwd=world["work"], trials=TRIALS, seed=4)
    assert stats.killed == TRIALS
