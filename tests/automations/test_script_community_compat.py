"""Behaviours of the CM/MLC engines that unmodified community recipes (cm4mlops, mlperf-automations)
rely on, each reproduced by a small fixture recipe (tests/fixtures/community): ``validate_cache``
on a hit, ``extra_cache_tags_from_env``, MLC ``cache_expiration`` / ``inherit_cache_expiration``,
``update_tags_if_env``, dep-level ``update_meta_if_env``, cache-aware script selection,
``--print_versions``, ``--shell`` and the failure report of a nested recipe.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from colmind.testing import CliResult, run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "community"


def import_repo(fmt: str) -> None:
    r = run_cli("import", "repo", f"--path={FIXTURES / ('repo-' + fmt)}")
    assert r.code == 0, r.stderr


def result_of(r: CliResult) -> dict:
    start = r.stderr.index('{\n  "return"')
    return json.loads(r.stderr[start:r.stderr.index("\n}\n", start) + 2])


def entries(home: Path) -> list[dict]:
    root = home / "repos" / "local" / "cache"
    return [json.loads(p.read_text()) for p in sorted(root.glob("*/_cm.json"))] if root.is_dir() else []


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    w = tmp_path / "work"
    w.mkdir()
    monkeypatch.chdir(w)
    return w


# --------------------------------------------------------------------- validate_cache (spec 2.7)
@pytest.fixture
def cv(work: Path) -> dict[str, Path]:
    import_repo("cm")
    paths = {"src": work / "version.txt", "log": work / "cv.log", "broken": work / "broken"}
    paths["src"].write_text("1.0\n")
    return paths


def run_cv(cv: dict[str, Path], *extra: str) -> CliResult:
    return run_cli("run", "script", "--tags=cv,cv-tool", "-j", "--quiet", f"--env.CV_VERSION_SRC={cv['src']}",
                   f"--env.CV_LOG={cv['log']}", f"--env.CV_BROKEN={cv['broken']}", *extra)


@pytest.mark.slow
def test_validate_cache_runs_dynamic_deps_then_the_script_on_a_hit(cv):
    first = run_cv(cv)
    assert first.code == 0, first.stderr
    assert lines(cv["log"]) == ["dyn", "run"]
    second = run_cv(cv)
    assert second.code == 0, second.stderr
    # dynamic dep before validate_cache, and again for the hit itself (as CM)
    assert lines(cv["log"]) == ["dyn", "run", "dyn", "validate", "dyn"]
    assert "! load " in second.stderr
    assert result_of(second)["new_env"] == {"CV_TOOL_VERSION": "1.0"}
    assert result_of(second)["deps"] == ["cv,cv-dyn"]  # validation's dep call is not reported


@pytest.mark.slow
def test_validate_cache_detecting_another_version_rebuilds(cv, cm_home):
    assert run_cv(cv).code == 0
    cv["src"].write_text("2.0\n")
    r = run_cv(cv)
    assert r.code == 0, r.stderr
    assert "validate_cache detected version 2.0, the entry was made for 1.0" in r.stderr
    assert lines(cv["log"])[-2:] == ["dyn", "run"]  # rebuilt
    assert result_of(r)["new_env"] == {"CV_TOOL_VERSION": "2.0"}
    assert [e.get("version") for e in entries(cm_home)] == ["2.0"]


@pytest.mark.slow
def test_validate_cache_failure_invalidates_the_entry(cv):
    assert run_cv(cv).code == 0
    cv["broken"].write_text("x")
    r = run_cv(cv)
    assert r.code == 0, r.stderr
    assert "validate_cache failed" in r.stderr
    assert lines(cv["log"])[-1] == "run"


@pytest.mark.slow
def test_print_versions_lists_resolved_versions(cv):
    r = run_cv(cv, "--print_versions")
    assert r.code == 0, r.stderr
    assert "Versions of dependencies:\n* cv,cv-tool: 1.0\n" in r.stderr
    assert "cv,cv-dyn:" not in r.stderr  # no version -> not listed


# --------------------------------------------------------------------- extra_cache_tags_from_env
@pytest.mark.slow
def test_extra_cache_tags_from_env_are_taken_after_the_deps(work, cm_home):
    import_repo("cm")
    log = work / "ect.log"
    r = run_cli("run", "script", "--tags=ect,ect-lib", "--quiet", f"--env.ECT_LOG={log}")
    assert r.code == 0, r.stderr
    (entry,) = entries(cm_home)
    assert {"deps-dep-version-7", "deps-dep-plain"} <= set(entry["tags"])
    # as a dep of a recipe whose env already has ECT_DEP_TAGS, the same entry is served
    r = run_cli("run", "script", "--tags=ect,ect-parent", "--quiet", f"--env.ECT_LOG={log}")
    assert r.code == 0, r.stderr
    assert lines(log) == ["lib"]
    assert len(entries(cm_home)) == 1


# --------------------------------------------------------------------- selection (spec 2.3)
@pytest.mark.slow
def test_selection_prefers_the_script_that_owns_a_cache_entry(work):
    import_repo("cm")
    r = run_cli("run", "script", "--tags=pick", "-j", "--quiet", "--skip_cache")
    assert result_of(r)["new_env"] == {"PICK_WHO": "pick-a"}  # first by (sort, path)
    assert run_cli("run", "script", "--tags=pick,pick-b", "--quiet").code == 0
    r = run_cli("run", "script", "--tags=pick", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert result_of(r)["new_env"] == {"PICK_WHO": "pick-b"}


# --------------------------------------------------------------------- MLC cache_expiration
@pytest.mark.slow
def test_cache_expiration_is_stored_and_expired_entries_are_rebuilt(work, cm_home):
    import_repo("mlc")
    log = work / "exp.log"
    before = time.time()
    assert run_cli("run", "script", "--tags=exp,exp-tool", "--quiet", f"--env.MLC_EXP_LOG={log}").code == 0
    (entry,) = entries(cm_home)
    assert before + 3600 - 5 < entry["cache_expiration"] < time.time() + 3600 + 5
    assert run_cli("run", "script", "--tags=exp,exp-tool", "--quiet", f"--env.MLC_EXP_LOG={log}").code == 0
    assert lines(log) == ["run"]  # served from cache
    for _ in range(2):  # variation sets "0": expired as soon as it is made
        r = run_cli("run", "script", "--tags=exp,exp-tool,_short", "--quiet", f"--env.MLC_EXP_LOG={log}")
        assert r.code == 0, r.stderr
    assert lines(log) == ["run", "run", "run"]
    assert "expired (cache_expiration)" in r.stderr


@pytest.mark.slow
def test_inherit_cache_expiration_passes_the_parents_value(work, cm_home):
    import_repo("mlc")
    r = run_cli("run", "script", "--tags=exp,exp-parent", "--quiet", f"--env.MLC_EXP_LOG={work / 'exp.log'}")
    assert r.code == 0, r.stderr
    (entry,) = entries(cm_home)
    assert entry["cache_expiration"] > time.time() + 2 * 86400 - 60  # 2d from the parent, not the tool's 1h


def test_cache_expiration_grammar():
    from colmind.engine import expiration
    from colmind.errors import CMError

    assert expiration.seconds("30m") == 1800
    assert expiration.seconds("2h") == 7200
    assert expiration.seconds("1d") == 86400
    assert expiration.seconds("0") == 0
    assert expiration.expired(time.time() - 1) and not expiration.expired(time.time() + 60)
    assert not expiration.expired(None) and not expiration.expired(True)
    with pytest.raises(CMError):
        expiration.seconds("5w")


# --------------------------------------------------------------------- MLC dep keys
@pytest.mark.slow
@pytest.mark.parametrize(("fast", "mode", "flag"), [("yes", "fast", "set-by-dep-meta"), ("no", "slow", None)])
def test_update_tags_if_env_and_dep_update_meta_if_env(work, fast, mode, flag):
    import_repo("mlc")
    r = run_cli("run", "script", "--tags=ut,ut-parent", "-j", "--quiet", f"--env.MLC_UT_FAST={fast}")
    assert r.code == 0, r.stderr
    new_env = result_of(r)["new_env"]
    assert new_env["MLC_UT_MODE"] == mode
    assert new_env.get("MLC_UT_PARENT_FLAG") == flag


# --------------------------------------------------------------------- --shell
@pytest.mark.slow
def test_shell_without_a_terminal_writes_env_and_says_how(cv, work):
    r = run_cv(cv, "--shell", "--skip_cache")
    assert r.code == 0, r.stderr
    assert "--shell: stdin is not a terminal" in r.stderr
    assert "CV_TOOL_VERSION" in (work / "tmp-env.sh").read_text()


# --------------------------------------------------------------------- failure report
@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "tags", "alias", "parent"), [
    ("cm", "fail,fail-parent", "fail-tool", "fail-parent"), ("mlc", "mfail,mfail-parent", "mfail-tool", "mfail-parent")])
def test_failed_community_recipe_explains_itself(work, fmt, tags, alias, parent):
    import_repo(fmt)
    r = run_cli("run", "script", f"--tags={tags}", "--quiet")
    assert r.code == 2
    assert f"name = {alias}, exit status 3" in r.stderr
    assert f"called via: {parent} -> {alias}" in r.stderr
    assert "last lines of output:" in r.stderr
    assert "full log: " in r.stderr and "tmp-run.log" in r.stderr
    assert f"re-run only this recipe: cm run script --tags={alias.split('-')[0]},{alias} --quiet" in r.stderr


# --------------------------------------------------------- print_env_at_the_end and entry tags
@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "tags", "p", "entry_variations"), [
    ("cm", "pe,pe-tool,_wget", "PE_", ["_wget"]),  # cmind: requested variations only
    ("mlc", "mpe,mpe-tool,_wget", "MLC_PE_", ["_detect", "_wget"]),  # mlcflow: with the default one
])
def test_print_env_at_the_end_is_logged_and_entry_tags_follow_the_format(work, cm_home, fmt, tags, p,
                                                                         entry_variations):
    import_repo(fmt)
    r = run_cli("run", "script", f"--tags={tags}", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert r.stdout.splitlines() == ["tool output for wget (detect)"]  # the log stays off stdout
    logged = [line for line in r.stderr.splitlines() if line.startswith(("Tool version", "ENV[", "Never set"))]
    assert logged == [f"ENV[{p}PATH]: /opt/pe", "Never set: None", "Tool version: 1.2"]  # sorted by key
    assert result_of(r)["new_env"] == {f"{p}VERSION": "1.2", f"{p}PATH": "/opt/pe", f"{p}MODE": "detect",
                                       f"{p}NAME": "wget"}
    (meta,) = entries(cm_home)
    assert sorted(t for t in meta["tags"] if t.startswith("_")) == entry_variations
    hit = run_cli("run", "script", f"--tags={tags}", "-j", "--quiet")
    assert hit.code == 0 and "! load " in hit.stderr and hit.stdout == ""
    assert "Tool version: 1.2" in hit.stderr
    failed = run_cli("run", "script", f"--tags={tags},_broken", "--version=2.0", "-j", "--quiet")
    assert failed.code == 2
    (partial,) = [e for e in entries(cm_home) if "tmp" in e["tags"]]
    assert "_broken" in partial["tags"] and not [t for t in partial["tags"] if t.startswith("version-")]
