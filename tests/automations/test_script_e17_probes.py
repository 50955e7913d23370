"""Issue 17 on small probe recipes of both formats (tests/fixtures/probes-e17), each checked
against what cmind 4.2.0 and mlcflow 1.3.8 did with the same recipe (noted at each test):

- a version probe that finds nothing is return 16, and the recipe goes on to install;
- the native script runs in the directory preprocess chdir'ed to;
- a recipe's own ``$``-values expand in its native script (a benchmarked program that exits 3
  fails), while the user's values stay literal (compatibility E9);
- a hook that returns 512 is a failure with a non-zero exit status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from colmind.testing import CliResult, run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "probes-e17"
SRC = Path(__file__).resolve().parents[2] / "src"
FORMATS = [("cm", "CM_"), ("mlc", "MLC_")]


def result_of(r: CliResult) -> dict:
    start = r.stderr.index('{\n  "return"')
    return json.loads(r.stderr[start:r.stderr.index("\n}\n", start) + 2])


@pytest.fixture
def only(cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Register ONE format's probe repo and work in a fresh folder: ``only('mlc')``."""

    def setup(coll: str) -> Path:
        assert run_cli("import", "repo", f"--path={FIXTURES / ('repo-' + coll)}").code == 0
        w = tmp_path / f"work-{coll}"
        w.mkdir()
        monkeypatch.chdir(w)
        return w
    return setup


@pytest.mark.slow
@pytest.mark.parametrize(("coll", "p"), FORMATS)
def test_version_probe_not_found_is_return_16_then_install(only, coll, p):
    # cmind and mlcflow: detect_version_using_script -> 16, install.sh runs, rc 0
    only(coll)
    r = run_cli("run", "script", "--tags=probe,probe-detect16", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert "installing" in r.stdout
    env = result_of(r)["new_env"]
    assert env[p + "PROBE_DETECT_RETURN"] == "16" and env[p + "PROBE_INSTALLED"] == "yes"
    assert ": !" not in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("coll", "p"), FORMATS)
def test_native_script_runs_where_preprocess_went(only, coll, p):
    # cmind and mlcflow: run.sh and postprocess see <work>/inner; the file is made there
    w = only(coll)
    r = run_cli("run", "script", "--tags=probe,probe-chdir", "-j", "--quiet")
    assert r.code == 0, r.stderr
    env = result_of(r)["new_env"]
    inner = str(w / "inner")
    assert env[p + "PROBE_PRE_CWD"] == env[p + "PROBE_RUN_CWD"] == env[p + "PROBE_POST_CWD"] == inner
    assert (w / "inner" / "made-here.txt").is_file() and not (w / "made-here.txt").exists()
    assert not (w / "inner" / "tmp-run.sh").exists()  # cleaned where it was written
    assert os.getcwd() == str(w)  # the caller's directory is restored


@pytest.mark.slow
@pytest.mark.parametrize(("coll", "p"), FORMATS)
def test_benchmarked_program_that_fails_fails(only, coll, p):
    # cmind: return 2 "return code = 768"; mlcflow: exit 1 (E10: colmind returns 2 for both)
    only(coll)
    r = run_cli("run", "script", "--tags=probe,probe-dollar", "--quiet")
    assert r.code == 2, r.stderr
    assert "the program exited with 3" in r.stdout
    assert "exit status 3" in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("coll", "p"), FORMATS)
def test_recipe_dollar_values_expand_user_values_stay_literal(only, coll, p, tmp_path, monkeypatch):
    only(coll)
    monkeypatch.setenv("HOME", str(tmp_path))
    r = run_cli("run", "script", "--tags=probe,probe-dollar,_ok", "-j", "--quiet", f"--env.{p}PROBE_USER=$HOME")
    assert r.code == 0, r.stderr
    env = result_of(r)["new_env"]
    assert env[p + "PROBE_SEEN_HOOK_HOME"] == str(tmp_path)        # hook value '$HOME' (as cmind/mlcflow)
    assert env[p + "PROBE_SEEN_META"] == str(tmp_path) + "/x"      # meta env '${HOME}/x' (as cmind/mlcflow)
    assert env[p + "PROBE_SEEN_USER"] == "$HOME"                   # the user's value: literal (E9)
    assert env[p + "PROBE_SEEN_QUOTES"] == 'say "hi" "there" \\'   # quotes never break the export


@pytest.mark.slow
@pytest.mark.parametrize(("coll", "p"), FORMATS)
def test_hook_returning_512_fails_in_process(only, coll, p):
    only(coll)
    r = run_cli("run", "script", "--tags=probe,probe-ret512", "--quiet")
    assert r.code == 512
    assert "returned 512 without an error message!" in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("entry", [
    ["-m", "colmind", "run", "script"],
    ["-c", "import sys; from colmind.cli.main import run_script; sys.argv[0] = 'cmr'; run_script()"],
    ["-c", "import sys; from colmind.cli.main import run; run()", "run", "script"],
    ["-c", "import sys, colmind; colmind.halt(colmind.access(['run', 'script'] + sys.argv[1:]))"],
])
def test_hook_returning_512_exits_non_zero_everywhere(cm_home, tmp_path, entry):
    # cmind 4.2.0 and mlcflow 1.3.8 exit 1 here; sys.exit(512) would be read as 0 by the shell
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CM_", "MLC_"))}
    env.update({"CM_REPOS": str(cm_home), "CM_INDEX_MONITOR": "no", "PYTHONPATH": str(SRC)})
    subprocess.run([sys.executable, "-m", "colmind", "import", "repo", f"--path={FIXTURES / 'repo-cm'}"],
                   env=env, cwd=tmp_path, check=True, capture_output=True)
    proc = subprocess.run([sys.executable, *entry, "--tags=probe,probe-ret512", "--quiet"], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "returned 512" in proc.stderr
