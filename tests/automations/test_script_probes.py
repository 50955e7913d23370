"""Golden tests: colmind runs the probe repos (CM and MLC format) and must reproduce what cmind
4.2.0 and mlcflow 1.3.8 printed (tests/fixtures/probes/observed), except the deliberate
differences recorded in docs/compatibility.md (values split at the first '=', exact-key cache).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from colmind.testing import run_cli

PROBES = Path(__file__).resolve().parents[1] / "fixtures" / "probes"
OBSERVED = PROBES / "observed"

ENV_CASES = ["env_plain", "env_input", "env_cliinput_v2", "env_clienv", "env_const", "env_v2", "env_extra",
             "env_dyn", "env_v2dyn", "env_excl", "env_alias", "env_version"]
PARENT_CASES = ["pparent_1", "pparent_enable", "pparent_adr", "pparent_adrinput", "pparent_version",
                "pparent_fake", "pparent_printdeps", "pparent_silent", "pparent_verbose"]


def import_repo(fmt: str) -> None:
    r = run_cli("import", "repo", f"--path={PROBES / ('repo-' + fmt)}")
    assert r.code == 0, r.stderr


def observed(case_id: str) -> dict:
    text = (OBSERVED / f"{case_id}.txt").read_text()
    row = text.splitlines()[1]
    cmd = row.split("`")[1]
    rc = int(row.split("|")[3])
    stdout = text.split("## stdout\n", 1)[1].split("## stderr", 1)[0]
    stderr = text.split("## stderr", 1)[1]
    return {"argv": shlex.split(cmd)[3:], "rc": rc, "stdout": stdout, "stderr": stderr}


def observed_json(stderr: str) -> dict | None:
    m = re.search(r"(?:INFO:root:|INFO \] - )\{\n(.*?\n)\}", stderr, re.S)
    return json.loads("{\n" + m.group(1) + "}") if m else None


def normalize(text: str, fmt: str, work: Path, home: Path) -> str:
    text = text.replace(f"<repo-{fmt}>", str(PROBES / f"repo-{fmt}")).replace("<work>", str(work))
    text = text.replace("<HOME>/CM/repos", str(home / "repos")).replace("<HOME>/MLC/repos", str(home / "repos"))
    text = re.sub(r"/cache/[0-9a-zA-Z_\-]+", "/cache/ENTRY", text)
    text = re.sub(r"pid=\d+", "pid=PID", text)
    text = re.sub(r'"PROBE_CACHE_PID": "\d+"', '"PROBE_CACHE_PID": "PID"', text)
    # deliberate difference: tmp-run-env.out values are split at the FIRST '=' (CM kept 'a')
    text = text.replace("PROBE_FROM_RUN='a'", "PROBE_FROM_RUN='a=b=c'")
    return text.replace('"PROBE_FROM_RUN": "a"', '"PROBE_FROM_RUN": "a=b=c"')


def scrub(text: str) -> str:
    """The same run-specific bits normalised in what colmind printed."""
    text = re.sub(r"/cache/[0-9a-zA-Z_\-]+", "/cache/ENTRY", text)
    text = re.sub(r"pid=\d+", "pid=PID", text)
    return re.sub(r'"PROBE_CACHE_PID": "\d+"', '"PROBE_CACHE_PID": "PID"', text)


def json_of(stderr: str) -> dict:
    stderr = scrub(stderr)
    start = stderr.index('{\n  "return"')
    return json.loads(stderr[start:stderr.index("\n}\n", start) + 2])


def run_case(case_id: str, fmt: str, work: Path, home: Path, monkeypatch: pytest.MonkeyPatch):
    obs = observed(case_id)
    monkeypatch.chdir(work)
    r = run_cli("run", "script", *obs["argv"])
    return obs, r


@pytest.fixture
def work(tmp_path: Path) -> Path:
    w = tmp_path / "work"
    w.mkdir()
    return w


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["cm", "mlc"])
@pytest.mark.parametrize("case", ENV_CASES)
def test_probe_env(case, fmt, work, cm_home, monkeypatch):
    import_repo(fmt)
    obs, r = run_case(f"{fmt}_probe_{case}", fmt, work, cm_home, monkeypatch)
    assert r.code == obs["rc"], r.stderr
    assert r.stdout == normalize(obs["stdout"], fmt, work, cm_home)
    want = observed_json(normalize(obs["stderr"], fmt, work, cm_home))
    got = json_of(r.stderr)
    for key in ("env", "new_env", "state", "new_state", "deps"):
        assert got[key] == want[key], key
    assert not (work / "tmp-run.sh").exists()  # tmp files cleaned after a non-cached run


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["cm", "mlc"])
@pytest.mark.parametrize("case", PARENT_CASES)
def test_probe_parent(case, fmt, work, cm_home, monkeypatch):
    import_repo(fmt)
    monkeypatch.chdir(work)
    warm = run_cli("run", "script", "--tags=probe,probe-cache", "--quiet")  # observed runs had it cached
    assert warm.code == 0, warm.stderr
    obs, r = run_case(f"{fmt}_{case}", fmt, work, cm_home, monkeypatch)
    assert r.code == obs["rc"], r.stderr
    assert scrub(r.stdout) == normalize(obs["stdout"], fmt, work, cm_home)
    want = observed_json(normalize(obs["stderr"], fmt, work, cm_home))
    if want is not None:
        got = json_of(r.stderr)
        assert got["new_env"] == want["new_env"]
        assert got["env"] == want["env"]
        if fmt == "cm":
            assert got["deps"] == want["deps"]
    if case == "pparent_silent":
        assert r.stderr == ""
    if case == "pparent_printdeps":
        assert r.stderr.count("cm run script --tags=probe,probe-echo") == 5


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["cm", "mlc"])
def test_variation_group_conflict(fmt, work, cm_home, monkeypatch):
    import_repo(fmt)
    obs, r = run_case(f"{fmt}_probe_env_v1v2", fmt, work, cm_home, monkeypatch)
    assert r.code == 1
    assert 'Multiple variation tags selected for the variation group "g"' in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["cm", "mlc"])
def test_tilde_variation_rejected(fmt, work, cm_home, monkeypatch):
    import_repo(fmt)
    monkeypatch.chdir(work)
    r = run_cli("run", "script", "--tags=probe,probe-env,_~foo", "--quiet")
    assert r.code == 16
    assert "no scripts were found with above tags and variations" in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["cm", "mlc"])
def test_failure_explains_itself(fmt, work, cm_home, monkeypatch):
    import_repo(fmt)
    monkeypatch.chdir(work)
    r = run_cli("run", "script", "--tags=probe,probe-fail", "--quiet")
    assert r.code == 2
    assert r.stdout == "about to fail\n"
    err = r.stderr
    assert "Portable CM script failed (name = probe-fail, exit status 3)" in err
    assert "| about to fail" in err
    log = work / "tmp-run.log"
    assert f"full log: {log}" in err and log.read_text() == "about to fail\n"
    assert "re-run only this recipe: cm run script --tags=probe,probe-fail --quiet" in err
    assert "768" not in err
