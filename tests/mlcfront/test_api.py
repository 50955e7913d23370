"""``mlc.access()``: mlcflow's Python API on colmind (``colmind.mlc``, the opt-in top-level stand-in and
the recipe-time stand-in)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import colmind.mlc as mlc


@pytest.mark.parametrize(("i", "error"), [
    ({"action": "find"}, "'target' is missing"),  # mlcflow: AttributeError
    ({"target": "script"}, "'action' is missing"),
    ({"action": "find", "target": "nosuch"}, "'find' action is not supported for nosuch."),
    ({"action": "find", "target": "script"}, "Tags are not specified"),
])
def test_errors_are_returned(i: dict[str, Any], error: str) -> None:
    r = mlc.access(i)
    assert r["return"] == 1 and error in r["error"]


def test_an_action_mlcflow_lacks_is_colmind_s() -> None:
    r = mlc.access({"action": "run", "target": "repo"})
    assert r["return"] == 4 and 'action "run" not found in automation "repo' in r["error"]


def test_find_items_have_path_meta_repo(registered: Path) -> None:
    for i in ({"action": "find", "target": "script", "tags": "mpe"},
              {"action": "search", "automation": "script", "tags": ["mpe", "mpe-tool"]},
              {"action": "find", "target": "script", "details": "mpe-tool"},
              {"action": "find", "automation": "script,5b4e0237da074764", "uid": "d0d0d0d0d0d00010"}):
        r = mlc.access(dict(i))
        assert r["return"] == 0, i
        (item,) = r["list"]
        assert item.path == str(registered / "script" / "mpe-tool")
        assert item.meta["uid"] == "d0d0d0d0d0d00010" and item.repo.path == str(registered)


def test_input_is_not_mutated(registered: Path) -> None:
    i = {"action": "find", "target": "script", "tags": "mpe"}
    mlc.access(i)
    assert i == {"action": "find", "target": "script", "tags": "mpe"}


def test_run_returns_the_engine_dict_and_failures(registered: Path, capfd: Any) -> None:
    r = mlc.access({"action": "run", "target": "script", "tags": "mpe-tool,_wget", "quiet": True})
    assert r["return"] == 0 and r["new_env"]["MLC_PE_VERSION"] == "1.2"
    failed = mlc.access({"action": "run", "target": "script", "tags": "mfail-tool", "quiet": True})
    assert failed["return"] > 0 and "mfail-tool" in failed["error"]  # mlcflow raises ScriptExecutionError


def test_find_repo_and_other_actions_fall_through(registered: Path) -> None:
    r = mlc.access({"action": "find", "target": "repo", "repo": "community-fixtures@mlc"})
    assert [x.path for x in r["list"]] == [str(registered)]
    loaded = mlc.access({"action": "load", "target": "script", "artifact": "mpe-tool"})
    assert loaded["return"] == 0 and loaded["meta"]["alias"] == "mpe-tool"


def test_recipe_time_stand_in_speaks_both(registered: Path) -> None:
    from colmind.compat.shim import recipe_imports

    with recipe_imports():
        import mlc as stand_in  # the recipe-time module, not colmind.mlc

        r = stand_in.access({"action": "search", "target": "script", "tags": "mpe"})
        assert r["return"] == 0 and [x.meta["alias"] for x in r["list"]] == ["mpe-tool"]
        r = stand_in.access({"action": "find", "automation": "script", "tags": "mpe"})
        assert r["return"] == 0 and len(r["list"]) == 1


def _python(code: str, extra_path: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    src = str(Path(mlc.__file__).resolve().parents[2])
    env = {**env, "PYTHONPATH": os.pathsep.join(p for p in (extra_path, src) if p)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_top_level_stand_in_is_opt_in(registered: Path) -> None:
    from colmind.mlc import toplevel

    env = dict(os.environ)
    plain = _python("import mlc", "", env)
    if plain.returncode == 0:
        pytest.skip("a real mlc package (mlcflow) is importable in this environment")
    assert "No module named 'mlc'" in plain.stderr  # colmind installs nothing named mlc
    code = ("import mlc; r = mlc.access({'action': 'find', 'target': 'script', 'tags': 'mpe'}); "
            "print(mlc.__version__, [x.meta['alias'] for x in r['list']], mlc.utils.is_true('yes'))")
    res = _python(code, toplevel.folder(), env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "1.3.8 ['mpe-tool'] True"


def test_install_is_refused_next_to_mlcflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.mlc import toplevel

    fake = tmp_path / "site" / "mlc"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "site"), *sys.path])
    monkeypatch.setattr(toplevel, "site_dir", lambda: str(tmp_path / "site"))
    with pytest.raises(SystemExit, match="already installed"):
        toplevel.install()
    assert not (tmp_path / "site" / toplevel.PTH_NAME).exists()


def test_install_and_uninstall_write_a_pth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.mlc import toplevel

    monkeypatch.setattr(toplevel, "real_mlc_location", lambda: "")
    monkeypatch.setattr(toplevel, "site_dir", lambda: str(tmp_path))
    pth = Path(toplevel.install())
    assert pth.read_text() == toplevel.folder() + "\n"
    toplevel.uninstall()
    assert not pth.exists()


def test_action_object_of_recipes_accepts_target(registered: Path) -> None:
    """MLC recipes call ``automation.action_object.access({'action': 'search', 'target': 'script', ...})``."""
    from colmind.automations.facade import CMFacade

    facade = CMFacade()
    r = facade.access({"action": "search", "target": "script", "tags": "mpe"})
    assert r["return"] == 0 and [x.meta["alias"] for x in r["list"]] == ["mpe-tool"]
    assert facade.access({"action": "find", "automation": "script", "artifact": "mpe-tool"})["return"] == 0
