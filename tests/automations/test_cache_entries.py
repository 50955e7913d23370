"""Cache correctness: content keys (never another variation's or version's entry), CM layout,
validity checks with rebuild, --new/--renew, resuming partial entries, show/find/rm/prune."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from colmind.testing import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def repos(cm_home, tmp_path, monkeypatch):
    for repo in (FIXTURES / "probes" / "repo-cm", FIXTURES / "probes-extra" / "repo"):
        r = run_cli("import", "repo", f"--path={repo}")
        assert r.code == 0, r.stderr
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return cm_home


def run(*args):
    r = run_cli("run", "script", *args, "--quiet", "-j")
    assert r.code == 0, r.stderr
    start = r.stderr.index('{\n  "return"')
    return json.loads(r.stderr[start:r.stderr.index("\n}\n", start) + 2]), r


def entries(home: Path, tag: str = "") -> list[dict]:
    root = home / "repos" / "local" / "cache"
    out = []
    for d in sorted(root.iterdir()) if root.is_dir() else []:
        meta = json.loads((d / "_cm.json").read_text())
        if not tag or tag in meta["tags"]:
            out.append({"path": d, **meta})
    return out


def built(r) -> bool:
    return "CACHE RUN" in r.stdout or "! call" in r.stderr


@pytest.mark.slow
def test_variations_and_versions_never_share_entries(repos):
    seq = [(["--tags=probe,probe-cache"], True, "a", "1.0"),
           (["--tags=probe,probe-cache,_a"], False, "a", "1.0"),   # _a is the group default: same run
           (["--tags=probe,probe-cache,_b"], True, "b", "1.0"),
           (["--tags=probe,probe-cache,_b"], False, "b", "1.0"),
           (["--tags=probe,probe-cache", "--version=2.0"], True, "a", "2.0"),
           (["--tags=probe,probe-cache", "--version=2.0"], False, "a", "2.0"),
           (["--tags=probe,probe-cache"], False, "a", "1.0"),     # CM served _a here; version 1.0 still
           (["--tags=probe,probe-cache", "--extra_cache_tags=foo,bar"], True, "a", "1.0"),
           (["--tags=probe,probe-cache", "--extra_cache_tags=foo"], True, "a", "1.0"),  # exact, not subset
           (["--tags=probe,probe-cache", "--name=MyName"], True, "a", "1.0")]
    for args, expect_build, var, version in seq:
        out, r = run(*args)
        assert built(r) is expect_build, args
        env = out["new_env"]
        assert env["PROBE_CACHE_VAR"] == var and env["PROBE_CACHE_VERSION_SEEN"] == version, args
    all_entries = entries(repos)
    assert len(all_entries) == 6
    keys = {e["colmind_cache_key"] for e in all_entries}
    assert len(keys) == 6
    named = entries(repos, "name-myname")
    assert len(named) == 1
    for e in all_entries:
        assert "tmp" not in e["tags"] and "script-artifact-2222222222222222" in e["tags"]
        assert (e["path"] / "cm-cached-state.json").is_file() and (e["path"] / "tmp-env.sh").is_file()
        assert e["associated_script_artifact"] == "probe-cache,2222222222222222"
    v2 = entries(repos, "version-2.0")
    assert len(v2) == 1 and v2[0]["version"] == "2.0"
    found = run_cli("find", "cache", "--tags=probe-cache,_b")
    assert found.code == 0 and len(found.stdout.split()) == 1


@pytest.mark.slow
def test_invalid_entry_is_rebuilt_and_says_why(repos):
    out, _ = run("--tags=xprobe,cached-file")
    produced = Path(out["new_env"]["XP_FILE"])
    produced.unlink()
    out2, r = run("--tags=xprobe,cached-file")
    assert "is invalid" in r.stderr and str(produced) in r.stderr
    assert Path(out2["new_env"]["XP_FILE"]).is_file()
    assert len(entries(repos, "cached-file")) == 1


@pytest.mark.slow
def test_parent_rebuilt_when_dependency_entry_is_gone(repos):
    out, _ = run("--tags=xprobe,cached-parent")
    assert out["new_env"]["XP_PARENT"] == out["new_env"]["XP_FILE_PID"]
    _, hit = run("--tags=xprobe,cached-parent")
    assert "! load" in hit.stderr and "! call" not in hit.stderr
    dep = entries(repos, "cached-file")[0]
    r = run_cli("rm", "cache", dep["uid"], "-f")
    assert r.code == 0
    out3, again = run("--tags=xprobe,cached-parent")
    assert "dependency entry cached-file" in again.stderr
    assert out3["new_env"]["XP_FILE_PID"] != out["new_env"]["XP_FILE_PID"]
    assert len(entries(repos, "cached-parent")) == 1


@pytest.mark.slow
def test_new_and_renew(repos):
    first, _ = run("--tags=xprobe,cached-file")
    new, r = run("--tags=xprobe,cached-file", "--new")
    assert "! call" in r.stderr and new["new_env"]["XP_FILE"] != first["new_env"]["XP_FILE"]
    assert len(entries(repos, "cached-file")) == 2
    latest, _ = run("--tags=xprobe,cached-file")
    assert latest["new_env"]["XP_FILE"] == new["new_env"]["XP_FILE"]
    renewed, r2 = run("--tags=xprobe,cached-file", "--renew")
    assert "! call" in r2.stderr
    assert renewed["new_env"]["XP_FILE"] == new["new_env"]["XP_FILE"]
    assert renewed["new_env"]["XP_FILE_PID"] != new["new_env"]["XP_FILE_PID"]
    assert len(entries(repos, "cached-file")) == 2


@pytest.mark.slow
def test_failed_run_leaves_partial_entry_that_is_resumed(repos, tmp_path, monkeypatch):
    flag = tmp_path / "fail-now"
    flag.write_text("x")
    monkeypatch.setenv("XP_FAIL_FLAG", str(flag))
    r = run_cli("run", "script", "--tags=xprobe,cached-file", "--quiet")
    assert r.code == 2 and "exit status 5" in r.stderr
    partial = entries(repos, "cached-file")
    assert len(partial) == 1 and "tmp" in partial[0]["tags"]
    assert not (partial[0]["path"] / "cm-cached-state.json").exists()
    flag.unlink()
    out, r2 = run("--tags=xprobe,cached-file")
    assert "resuming incomplete cache entry" in r2.stderr
    final = entries(repos, "cached-file")
    assert len(final) == 1 and final[0]["uid"] == partial[0]["uid"] and "tmp" not in final[0]["tags"]


@pytest.mark.slow
def test_skipped_preprocess_leaves_no_complete_entry(repos):
    r = run_cli("run", "script", "--tags=xprobe,skip-pre", "--quiet")
    assert r.code == 0
    assert all("tmp" in e["tags"] for e in entries(repos, "skip-pre"))
    pruned = run_cli("prune", "cache")
    assert pruned.code == 0 and "incomplete" in pruned.stdout
    assert entries(repos, "skip-pre") == []


@pytest.mark.slow
def test_show_rm_and_prune_days(repos):
    run("--tags=probe,probe-cache,_b")
    shown = run_cli("show", "cache", "--tags=probe-cache", "--env")
    assert shown.code == 0
    assert "* Tags: probe,probe-cache,script-artifact-2222222222222222,version-1.0,_b" in shown.stdout
    assert '"PROBE_CACHE_VAR": "b"' in shown.stdout
    assert run_cli("prune", "cache", "--days=1").stdout == ""
    entry = entries(repos)[0]
    meta = {k: v for k, v in entry.items() if k != "path"}
    meta["colmind_completed"] = meta["colmind_created"] = 0
    (entry["path"] / "_cm.json").write_text(json.dumps(meta))
    os.utime(entry["path"], (0, 0))
    pruned = run_cli("prune", "cache", "--days=1")
    assert "older than 1 days" in pruned.stdout and entries(repos) == []
    assert run_cli("rm", "cache", "--tags=probe-cache", "-f").code == 16


@pytest.mark.slow
def test_skip_cache_runs_in_cwd_and_records_nothing(repos, tmp_path):
    out, r = run("--tags=probe,probe-cache", "--skip_cache")
    assert out["new_env"]["PROBE_CACHE_PATH"] == str(tmp_path / "work")
    assert entries(repos) == []
