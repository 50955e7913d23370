"""``cm docker script`` / ``cm dockerfile script`` / ``cm run script --docker`` in-process, against a
recorded stand-in engine (``fake_engine.py``): results come back, exit codes propagate, an
unchanged recipe builds nothing, a changed one rebuilds, the dry run needs no engine at all."""

from __future__ import annotations

import json
import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from colmind.testing import run_cli

HERE = Path(__file__).parent


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``podman`` first on PATH (and no docker daemon); returns its record folder."""
    bin_dir, record = tmp_path / "bin", tmp_path / "engine"
    bin_dir.mkdir()
    record.mkdir()
    fake = bin_dir / "podman"
    fake.write_text(f"#!{sys.executable}\n" + (HERE / "fake_engine.py").read_text())
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_ENGINE_DIR", str(record))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    return record


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    repo = tmp_path / "myrepo"
    assert run_cli("init", "repo", "myrepo", f"--path={repo}").code == 0
    assert run_cli("add", "script", "myrepo:boxed", "--tags=boxed,demo").code == 0
    return repo / "script" / "boxed"


def builds(engine: Path) -> list[str]:
    log = engine / "builds.log"
    return log.read_text().split() if log.exists() else []


def test_dry_run_without_any_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    res = run_cli("docker", "script", "--tags=print,hello-world", "--test1=abc", "--docker_dry_run")
    assert res.code == 0, res.stderr
    for text in ("FROM ubuntu:22.04", "# image: local/colmind-script-print-hello-world:", "# build command:",
                 "docker build", "docker run --rm", "--test1=abc", "/colmind-state"):
        assert text in res.stdout
    assert not (tmp_path / "CM" / "containers").exists() or not any((tmp_path / "CM" / "containers").iterdir())


def test_results_come_back_and_reuse(engine: Path, recipe: Path) -> None:
    first = run_cli("docker", "script", "--tags=boxed,demo", "--docker_tool=podman", "--msg=hi", "-j")
    assert first.code == 0, first.stderr
    result = json.loads(first.stderr[first.stderr.index("{"):])
    assert result["new_env"] == {"FROM_CONTAINER": "yes"}
    assert result["container"]["built"] is True and result["container"]["tool"] == "podman"
    assert "--msg=hi" in result["inner"]
    assert len(builds(engine)) == 1
    containers = engine.parent / "CM" / "containers"
    assert [p.name for p in containers.iterdir()] == []  # context and state folder removed after use
    second = run_cli("docker", "script", "--tags=boxed,demo", "--docker_tool=podman", "--msg=hi")
    assert second.code == 0 and "nothing to build" in second.stdout
    assert len(builds(engine)) == 1  # an unchanged recipe builds nothing
    (recipe / "run.sh").write_text((recipe / "run.sh").read_text() + "\necho changed\n")
    assert run_cli("docker", "script", "--tags=boxed,demo", "--docker_tool=podman").code == 0
    assert len(builds(engine)) == 2 and builds(engine)[0] != builds(engine)[1]  # changed -> new tag


def test_context_holds_wheels_and_the_recipe_repository(engine: Path, recipe: Path, tmp_path: Path) -> None:
    res = run_cli("dockerfile", "script", "--tags=boxed,demo", "--docker_tool=podman")
    assert res.code == 0, res.stderr
    context = Path(res.stdout.split("Wrote ")[1].strip()).parent
    assert (context / "repos" / "myrepo" / "script" / "boxed" / "run.sh").is_file()
    wheel = next((context / "wheels").glob("colmind-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry = zf.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "colmind/__init__.py" in names and "colmind/repo/script/print-hello-world/run.sh" in names
    assert not any("__pycache__" in n for n in names) and "cm = colmind.cli.main:run" in entry
    assert next((context / "wheels").glob("filelock-*.whl"))
    assert 'RUN ["cm", "import", "repo", "--path=/opt/colmind/repos/myrepo"]' in (context / "Dockerfile").read_text()
    assert builds(engine) == []  # dockerfile builds nothing


@pytest.mark.parametrize("rc, result, code, error", [
    ("3", "", 3, "exited with code 3"),            # the recipe's failure is the command's exit code
    ("5", "none", 5, "wrote no result"),
    ("0", "none", 1, "wrote no result"),
])
def test_exit_code_propagates(engine: Path, recipe: Path, monkeypatch: pytest.MonkeyPatch,
                              rc: str, result: str, code: int, error: str) -> None:
    monkeypatch.setenv("FAKE_RUN_RC", rc)
    monkeypatch.setenv("FAKE_RUN_RESULT", result)
    res = run_cli("docker", "script", "--tags=boxed,demo", "--docker_tool=podman")
    assert res.code == code and error in res.stderr


def test_container_is_removed_unless_keep(engine: Path, recipe: Path) -> None:
    run_cli("docker", "script", "--tags=boxed,demo", "--docker_tool=podman")
    run_cli("docker", "script", "--tags=boxed,demo", "--docker_tool=podman", "--docker_keep")
    runs = [json.loads(line) for line in (engine / "calls.log").read_text().splitlines() if '"run"' in line]
    assert "--rm" in runs[0] and "--rm" not in runs[1]


def test_unknown_docker_flag_warns(recipe: Path) -> None:
    res = run_cli("docker", "script", "--tags=boxed,demo", "--docker_dry_run", "--docker_colour=red")
    assert res.code == 0 and "unknown flag --docker_colour" in res.stderr


def test_run_script_docker_redirects_unless_the_recipe_maps_it(engine: Path, recipe: Path) -> None:
    res = run_cli("run", "script", "--tags=boxed,demo", "--docker", "--docker_tool=podman")
    assert res.code == 0 and builds(engine)  # went through the container
    meta_file = recipe / "_cm.json"
    meta = json.loads(meta_file.read_text())
    meta["input_mapping"]["docker"] = "CM_RUN_DOCKER_CONTAINER"
    meta_file.write_text(json.dumps(meta))
    before = len((engine / "calls.log").read_text().splitlines())
    res = run_cli("run", "script", "--tags=boxed,demo", "--docker")
    assert res.code == 0, res.stderr
    assert len((engine / "calls.log").read_text().splitlines()) == before  # an ordinary input: ran here


def test_no_engine_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    res = run_cli("docker", "script", "--tags=print,hello-world")
    assert res.code != 0 and "no container tool found" in res.stderr


def test_help_lists_flags() -> None:
    res = run_cli("docker", "script", "--help")
    assert res.code == 0 and "--docker_tool:" in res.stdout and "--docker_dry_run:" in res.stdout


def test_cmrd_console_script(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from colmind.cli.main import run_docker

    monkeypatch.setattr(sys, "argv", ["cmrd", "print hello-world", "--docker_dry_run"])
    with pytest.raises(SystemExit) as exited:
        run_docker()
    assert exited.value.code == 0
    assert "# image: " in capsys.readouterr().out


def test_run_script_docker_dry_run_redirect() -> None:
    res = run_cli("run", "script", "--tags=print,hello-world", "--docker", "--docker_dry_run")
    assert res.code == 0 and "FROM ubuntu:22.04" in res.stdout and "HELLO WORLD" not in res.stdout
