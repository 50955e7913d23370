"""Tests for the module-loading and inheritance helpers of colmind.compat.cmind_utils."""

from __future__ import annotations

from typing import Any

import pytest

from colmind.compat import cmind_utils as u


def test_load_python_module(tmp_path) -> None:
    (tmp_path / "api.py").write_text("X = 41 + 1\n")
    r = u.load_python_module({"path": str(tmp_path), "name": "api"})
    assert r["return"] == 0 and r["code"].X == 42 and r["code_uid"] == ""
    assert r["path"] == str(tmp_path / "api.py")
    assert u.load_python_module({"path": str(tmp_path), "name": "nope"}) == {
        "return": 1, "error": f"can't find Python module file {tmp_path / 'nope.py'}"}
    (tmp_path / "brk.py").write_text("raise ValueError('x')\n")
    r = u.load_python_module({"path": str(tmp_path), "name": "brk"})
    assert r == {"return": 1, "error": f"can't load Python module code (path={tmp_path}, name=brk, err=x)"}


def test_load_module_and_call_internal_module(tmp_path) -> None:
    (tmp_path / "ci_mod.py").write_text(
        "def f(i):\n    return {'return': 0, 'keys': sorted(i), 'self': i['self_module']}\n")
    r = u.load_module(None, str(tmp_path), "ci_mod.py")
    assert r["sub_module_obj"] is not None and r["sub_module_path"] == str(tmp_path / "ci_mod.py")
    assert u.load_module(None, str(tmp_path), "none.py")["sub_module_obj"] is None
    r = u.call_internal_module("SELF", str(tmp_path / "module.py"), "ci_mod", "f", {"x": 1})
    assert r == {"return": 0, "keys": ["self_module", "x"], "self": "SELF"}
    assert u.call_internal_module("S", str(tmp_path / "module.py"), "missing", "f", {})["return"] == 1


class FakeCM:
    """A ``cmind`` stand-in whose ``access`` finds artifacts in a dict."""

    def __init__(self, metas: dict[str, dict[str, Any]]) -> None:
        self.metas = metas
        self.calls: list[dict[str, Any]] = []

    def access(self, i: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(i)
        found = [{"meta": m} for k, m in self.metas.items() if k == f"{i['automation']}::{i['artifact']}"]
        return {"return": 0, "list": found}


def test_process_meta_for_inheritance_merges_base_first() -> None:
    cm = FakeCM({"script::base": {"tags": ["b"], "env": {"A": "1", "B": "1"}, "_base": "top"},
                 "script::top": {"tags": ["t"], "x": 1}})
    meta = {"_base": "script::base", "tags": ["own"], "env": {"B": "2"}}
    r = u.process_meta_for_inheritance({"automation": "script", "meta": meta, "cmind": cm})
    assert r == {"return": 0, "meta": {"tags": ["t", "b", "own"], "x": 1, "env": {"A": "1", "B": "2"}}}
    assert all(c["ignore_inheritance"] is True for c in cm.calls)
    assert meta["_base"] == "script::base"


@pytest.mark.parametrize("metas, code", [
    ({}, 1),
    ({"script::loop": {"_base": "loop"}}, 8),
])
def test_process_meta_for_inheritance_errors(metas: dict, code: int) -> None:
    r = u.process_meta_for_inheritance({"automation": "script", "meta": {"_base": "loop"}, "cmind": FakeCM(metas)})
    assert r["return"] == code


def test_process_meta_without_base_is_unchanged() -> None:
    meta = {"a": 1}
    assert u.process_meta_for_inheritance({"meta": meta, "cmind": None})["meta"] is meta


def test_process_input_decomposes_parsed_objects() -> None:
    i: dict[str, Any] = {"control": {"_parsed_automation": [("script", "5b4e0237da074764")],
                                     "_parsed_artifact": [("a", ""), ("r", "")],
                                     "_parsed_artifacts": [[("b", "")], [("c", "1234567890abcdef")]]}}
    assert u.process_input(i) == {"return": 0}
    assert i["automation"] == "script,5b4e0237da074764" and i["artifact"] == "r:a"
    assert i["artifacts"] == ["b", "c,1234567890abcdef"]
    assert i["control"]["_artifact"]["repo_alias"] == "r"
    assert "_parsed_automation" not in i["control"]
    j: dict[str, Any] = {"control": {"_parsed_automation": [("x", "")]}}
    u.process_input(j, update_input=False)
    assert "automation" not in j and j["control"]["_automation"]["name"] == "x"


def test_debug_here_gated_by_uid_and_clipboard_skip_fail(monkeypatch) -> None:
    r = u.debug_here("m.py", env={"CM_TMP_DEBUG_UID": "other"}, env_debug_uid="mine")
    assert r == {"return": 0, "started": False}
    import colmind.compat.cm_system as system

    def broken(text: str) -> None:
        raise RuntimeError("no display")

    monkeypatch.setitem(__import__("sys").modules, "pyperclip", None)
    monkeypatch.setattr(system, "_copy_with_tkinter", broken)
    assert u.copy_to_clipboard({"string": "x", "skip_fail": True}) == {"return": 0, "warning": "no display"}
    assert u.copy_to_clipboard({"string": "x"}) == {"return": 1, "error": "no display"}


def test_rm_read_only_retries_after_chmod(tmp_path) -> None:
    import os
    import shutil
    import stat

    d = tmp_path / "ro"
    d.mkdir()
    f = d / "f.txt"
    f.write_text("x")
    os.chmod(f, stat.S_IREAD)
    calls: list[str] = []

    def remove(p: str) -> None:
        calls.append(p)
        os.remove(p)

    u.rm_read_only(remove, str(f), None)
    assert calls == [str(f)] and not f.exists()
    shutil.rmtree(d, onerror=u.rm_read_only)
    assert not d.exists()
