"""The real community collections (cm4mlops, mlc-scripts) run by colmind, compared with what cmind
4.2.0 / mlcflow 1.3.8 returned on this machine (spec 5.1). Skipped unless the benchmark setup
(benchmarks/.venvs/PATHS.json) exists; CI runs the fixture-based tests instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colmind.testing import CliResult, run_cli

PATHS = Path(__file__).resolve().parents[2] / "benchmarks" / ".venvs" / "PATHS.json"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not PATHS.is_file(), reason="community collections are not installed")]


def collection(name: str) -> str:
    path = json.loads(PATHS.read_text())[name]
    if not Path(path).is_dir():
        pytest.skip(f"{path} is missing")
    return str(path)


def result_of(r: CliResult) -> dict:
    start = r.stderr.index('{\n  "return"')
    return json.loads(r.stderr[start:r.stderr.index("\n}\n", start) + 2])


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cm4mlops_hello_world_and_conditions(work):
    assert run_cli("import", "repo", f"--path={collection('cm4mlops_repo')}").code == 0
    r = run_cli("run", "script", "--tags=print,hello-world,_text.HELLO_CM,_skip_print_env", "--test1=FROM_INPUT",
                "--env.CM_ENV_TEST2=FROM_CLI_ENV", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert r.stdout.split() == ["HELLO", "WORLD!", "HELLO_CM"]
    new_env = result_of(r)["new_env"]
    assert new_env["CM_ENV_TEST1"] == "FROM_INPUT" and new_env["CM_ENV_TEST2"] == "TEST2"  # meta env beats --env
    r = run_cli("run", "script", "--tags=test,deps,conditions", "--test1", "-j", "--quiet")
    assert r.code == 0, r.stderr
    base = "print,native,hello-world,_skip_print_env"
    assert result_of(r)["deps"] == [base, base + ",_text.SKIP_IF_ALL_ENV", base + ",_text.ENABLE_IF_ANY_ENV"]  # cmind


def test_cm4mlops_detect_os_matches_cmind(work):
    assert run_cli("import", "repo", f"--path={collection('cm4mlops_repo')}").code == 0
    r = run_cli("run", "script", "--tags=detect,os", "-j", "--quiet")
    assert r.code == 0, r.stderr
    out = result_of(r)
    assert out["new_env"]["CM_HOST_OS_TYPE"] == "linux"
    assert "+CM_HOST_OS_DEFAULT_LIBRARY_PATH" in out["new_env"]
    assert set(out["new_state"]) == {"os_uname_machine", "os_uname_all"}


def test_mlc_scripts_detect_os_is_cached_with_expiration(work, cm_home):
    assert run_cli("import", "repo", f"--path={collection('mlc_scripts_repo')}").code == 0
    for _ in range(2):
        r = run_cli("run", "script", "--tags=detect,os", "-j", "--quiet")
        assert r.code == 0, r.stderr
    assert "! load " in r.stderr
    assert result_of(r)["new_env"]["MLC_HOST_OS_TYPE"] == "linux"
    (meta,) = [json.loads(p.read_text()) for p in (cm_home / "repos" / "local" / "cache").glob("*/_cm.json")]
    assert meta["cache_expiration"] > 0
