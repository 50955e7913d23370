"""--dry-run, run record, hook errors, unsupported meta keys, compat imports, find/help/add."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colmind.testing import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def work(cm_home, tmp_path, monkeypatch):
    for repo in (FIXTURES / "probes" / "repo-cm", FIXTURES / "probes-extra" / "repo"):
        assert run_cli("import", "repo", f"--path={repo}").code == 0
    w = tmp_path / "work"
    w.mkdir()
    monkeypatch.chdir(w)
    return w


@pytest.mark.slow
def test_dry_run_runs_nothing(work, cm_home):
    r = run_cli("run", "script", "--tags=xprobe,writes-file,_big", "--dry-run")
    assert r.code == 0, r.stderr
    assert not (work / "was-run.txt").exists() and not (work / "preprocess-ran.txt").exists()
    assert not (work / "cm-run-record.json").exists()
    assert not (cm_home / "repos" / "local" / "cache").exists()  # no entry created for the cached dep
    out = r.stdout
    assert out.startswith("Dry run: nothing was executed. Plan:")
    assert "writes-file (8888888888888888) variations _big" in out
    assert "cached-file (6666666666666666) | cache miss (would build)" in out
    assert "skipped: enable_if_env XP_NEVER=<unset> (expects ['yes'])" in out
    real = run_cli("run", "script", "--tags=xprobe,writes-file", "--quiet")
    assert real.code == 0 and (work / "was-run.txt").is_file()
    again = run_cli("run", "script", "--tags=xprobe,writes-file", "--dry-run")
    assert "cache HIT" in again.stdout


@pytest.mark.slow
def test_run_record(work, tmp_path):
    r = run_cli("run", "script", "--tags=probe,probe-parent", "--quiet", "--version=9.9")
    assert r.code == 0, r.stderr
    rec = json.loads((work / "cm-run-record.json").read_text())
    assert rec["request"]["tags"] == "probe,probe-parent" and rec["request"]["version"] == "9.9"
    plan = rec["plan"]
    assert plan["uid"] == "3333333333333333" and plan["versions"] == {"version": "9.9"}
    kinds = [c["kind"] for c in plan["children"]]
    assert kinds == ["deps", "deps", "deps", "prehook_deps", "posthook_deps", "post_deps"]
    cached = plan["children"][1]
    assert cached["alias"] == "probe-cache" and len(cached["cache_key"]) == 64 and cached["variations"] == ["a"]
    assert plan["skipped"][0]["reason"].startswith("enable_if_env PROBE_ENABLE")
    assert rec["new_env"]["PROBE_PARENT_PRE"] == "yes" and rec["colmind_version"]
    target = tmp_path / "rec.json"
    assert run_cli("run", "script", "--tags=probe,probe-echo", f"--record={target}").code == 0
    assert json.loads(target.read_text())["plan"]["alias"] == "probe-echo"


@pytest.mark.slow
def test_failed_run_is_recorded(work):
    r = run_cli("run", "script", "--tags=probe,probe-fail", "--quiet")
    assert r.code == 2
    rec = json.loads((work / "cm-run-record.json").read_text())
    assert rec["return"] == 2 and rec["plan"]["status"] == "failed"


@pytest.mark.slow
def test_hook_error_names_file_and_line(work):
    r = run_cli("run", "script", "--tags=xprobe,hook-raises", "--quiet")
    assert r.code == 1
    assert "customize.py preprocess raised TypeError" in r.stderr
    assert "hook-raises/customize.py, line 3" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_compat_imports_helpers_and_unsupported_key_warning(work):
    r = run_cli("run", "script", "--tags=xprobe,uses-utils", "--quiet", "-j")
    assert r.code == 0, r.stderr
    assert r.stderr.count("meta key bogus_key is not supported") == 1
    assert "PATH starts with /opt/xprobe/bin" in r.stdout
    assert "XP_DIR=" + str(FIXTURES / "probes-extra" / "repo" / "script" / "uses-utils") in r.stdout
    start = r.stderr.index('{\n  "return"')
    env = json.loads(r.stderr[start:r.stderr.index("\n}\n", start) + 2])["new_env"]
    assert env["XP_UTILS"] == "ok" and env["XP_FOUND"] == "1"
    assert env["XP_REPO"] == str(FIXTURES / "probes-extra" / "repo") and env["+PATH"] == ["/opt/xprobe/bin"]


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["probe probe-echo"],                 # tags with spaces
    ["probe-echo"],                       # alias
    ["probe-echo,4444444444444444"],      # alias,uid
    ["--tags=probe,probe-echo"],
])
def test_positional_forms(work, argv):
    r = run_cli("run", "script", *argv, "--msg=hi", "--quiet")
    assert r.code == 0, r.stderr
    assert r.stdout.startswith("ECHO[hi]")


@pytest.mark.slow
def test_no_script_found_suggests(work):
    r = run_cli("run", "script", "--tags=probe,probe-ech", "--quiet")
    assert r.code == 1
    assert "closest: probe-echo" in r.stderr
    r2 = run_cli("run", "script", "--tags=probe,probe-env,_v3", "--quiet")
    assert r2.code == 16 and "closest: _v1, _v2" in r2.stderr


def test_find_with_variations_and_exclusions(work):
    r = run_cli("find", "script", "--tags=probe,_v2")
    assert r.code == 0 and [Path(p).name for p in r.stdout.split()] == ["probe-env"]
    r = run_cli("find", "script", "--tags=probe,-probe-env,-probe-fail,-probe-echo,-probe-parent")
    assert [Path(p).name for p in r.stdout.split()] == ["probe-cache"]


def test_help_lists_variations_inputs_defaults(work):
    r = run_cli("show", "script", "--tags=probe,probe-env")
    assert r.code == 0
    out = r.stdout
    assert "group g:" in out and "_v1 (default)" in out and "_al -> alias of _extra" in out
    assert "--b  -> env PROBE_B" in out and "PROBE_DEF=from_default_env" in out


@pytest.mark.slow
def test_add_creates_a_working_recipe(work):
    r = run_cli("add", "script", "my-recipe", "--tags=my,recipe")
    assert r.code == 0, r.stderr
    run = run_cli("run", "script", "--tags=my,recipe", "--message=hello there", "--quiet", "-j")
    assert run.code == 0, run.stderr
    assert run.stdout == "hello there\n"
    assert '"CM_RESULT": "done"' in run.stderr


@pytest.mark.slow
def test_ambiguous_tags_never_prompt_without_a_tty(work, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    r = run_cli("run", "script", "--tags=probe,-probe-fail", "-s")  # 4 scripts match, no --quiet
    assert r.code == 0, r.stderr
    assert "CACHE RUN" in r.stdout  # first by (sort, path): probe-cache
