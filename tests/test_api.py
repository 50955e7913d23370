"""``colmind.access``: dict / string / argv input, CM's return codes and messages, payload keys."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import colmind
from colmind.store.model import Artifact


def ok(i: Any) -> dict[str, Any]:
    r = colmind.access(i)
    assert r["return"] == 0, r
    return r


def test_dict_string_and_list_inputs_agree() -> None:
    ok({"action": "add", "automation": "automation", "artifact": "myauto"})
    ok("add myauto art1 --tags=x,y")
    argv = ["find", "myauto", "--tags=x"]
    r = ok(argv)
    assert argv == ["--tags=x"]  # R2: the caller's list is mutated like CM does
    by_string = ok("find myauto --tags=y")
    by_dict = ok({"action": "find", "automation": "myauto", "tags": "x,y"})
    assert [a.path for a in r["list"]] == [a.path for a in by_string["list"]] == [a.path for a in by_dict["list"]]


def test_string_input_keeps_cmd_and_quotes(capsys: Any) -> None:
    r = colmind.access('print-input automation x "a b" --y')
    assert r == {"return": 0}
    out = capsys.readouterr().out
    assert '"artifacts": [\n    "a b"\n  ]' in out
    assert '"cmd": "print-input automation x \\"a b\\" --y"' in out


def test_api_is_silent_unless_out_con(capsys: Any) -> None:
    ok({"action": "add", "automation": "automation", "artifact": "myauto"})
    ok({"action": "find", "automation": "myauto"})
    assert capsys.readouterr().out == ""
    ok({"action": "find", "automation": "automation", "artifact": "myauto", "out": "con"})
    assert capsys.readouterr().out.strip().endswith(os.path.join("automation", "myauto"))
    colmind.access({"action": "version"}, out="con")
    assert capsys.readouterr().out.strip() == colmind.__version__


def test_none_and_empty_inputs() -> None:
    assert colmind.access(None) == {"return": 0, "warning": "no action specified"}
    assert colmind.access({}) == {"return": 0, "warning": "no action specified"}
    assert colmind.access("") == {"return": 0, "warning": "no action specified"}


def test_bad_input_type_is_an_error() -> None:
    r = colmind.access(42)  # type: ignore[arg-type]
    assert r["return"] == 1 and "dict" in r["error"]


def test_version() -> None:
    assert colmind.access({"action": "version"}) == {"return": 0, "version": colmind.__version__}
    assert colmind.access({"version": True}) == {"return": 0, "version": colmind.__version__}


def test_input_dict_is_mutated_with_parsed_keys() -> None:
    i: dict[str, Any] = {"action": "find", "automation": "repo", "artifact": "local"}
    ok(i)
    assert i["parsed_automation"] == [("repo", "55c3e27e8a140e48")]
    assert i["parsed_artifact"] == [("local", "")]


# --- return codes -----------------------------------------------------------------------------

def test_code_1_unrecognised_object() -> None:
    assert colmind.access("find a:b:c") == {"return": 1, "error": "CM object a:b:c is not recognized"}
    assert colmind.access("find repo a,b,c") == {"return": 1, "error": "CM object a,b,c is not recognized"}


def test_code_1_common_more_than_one() -> None:
    ok("add automation myauto")
    ok("add myauto x1,1111111111111111")
    ok("add myauto x2,2222222222222222 --tags=t")
    ok("add myauto x3,3333333333333333 --tags=t")
    assert colmind.access("load myauto x*") == {"return": 1, "error": "more than 1 artifact found"}


def test_code_2_ambiguous_automation(tmp_path: Path) -> None:
    ok({"action": "init", "automation": "repo", "artifact": "r2", "path": str(tmp_path / "r2")})
    ok("add automation dup,aaaaaaaaaaaaaaaa")
    ok("add automation r2:dup,bbbbbbbbbbbbbbbb")
    r = colmind.access("find dup")
    assert r == {"return": 2, "error": "ambiguity because several automations were found for ('dup', '')"}
    assert colmind.access("find dup,aaaaaaaaaaaaaaaa")["return"] == 0
    assert colmind.access("find r2:dup")["return"] == 0


def test_code_3_automation_not_in_repo() -> None:
    r = colmind.access("find local:nothing")
    assert r == {"return": 3, "error": "automation was not found in a specified repo ('local', '')"}


@pytest.mark.parametrize(
    ("i", "error"),
    [("find nothing", 'automation "nothing" not found'),
     ({"action": "find", "automation": ""}, "automation was not specified"),
     ({"action": "find"}, "automation was not specified"),
     ("test", "automation was not specified"),
     ("nosuch repo", 'action "nosuch" not found in automation "repo,55c3e27e8a140e48"'),
     ("_private repo", 'action "_private" not found in automation "repo,55c3e27e8a140e48"')],
)
def test_code_4(i: Any, error: str) -> None:
    assert colmind.access(i) == {"return": 4, "error": error}


def test_code_8_already_exists(cm_home: Path) -> None:
    ok("add automation myauto")
    ok("add myauto art1")
    path = cm_home / "repos" / "local" / "myauto" / "art1"
    assert colmind.access("add myauto art1") == {"return": 8, "error": f"artifact already exists in the path {path}"}


def test_code_16_not_found() -> None:
    ok("add automation myauto")
    r = colmind.access({"action": "load", "automation": "myauto", "artifact": "nope"})
    assert r["return"] == 16 and r["error"].startswith("artifact not found: {")
    assert "'artifact': 'nope'" in r["error"]
    assert colmind.access("rm myauto nope") == {"return": 16, "error": "artifact(s) not found"}
    assert colmind.access("mv myauto nope other") == {"return": 16, "error": "artifact not found: {}"}
    assert colmind.access("cp myauto nope other") == {"return": 16, "error": "artifact(s) not found: {}"}
    r = colmind.access("info myauto nope")
    assert r["return"] == 16 and r["error"].startswith("artifact not found for the CM/CMX input:\n{")


# --- payloads -----------------------------------------------------------------------------------

def test_payload_keys(cm_home: Path) -> None:
    ok("add automation myauto")
    r = ok("add myauto art1,1234567890abcdef --tags=a,b --meta.k=v")
    path = str(cm_home / "repos" / "local" / "myauto" / "art1")
    assert r["path"] == path
    assert r["meta"] == {"alias": "art1", "uid": "1234567890abcdef", "automation_alias": "myauto",
                         "automation_uid": r["meta"]["automation_uid"], "tags": ["a", "b"], "k": "v"}
    r = ok("load myauto art1")
    assert set(r) >= {"return", "path", "meta", "original_meta", "artifact"}
    assert r["path"] == path and r["meta"]["k"] == "v"
    assert isinstance(r["artifact"], Artifact)
    r = ok("find myauto")
    (art,) = r["list"]
    assert art.path == path and art.meta["tags"] == ["a", "b"] and art.original_meta["uid"] == "1234567890abcdef"
    assert art.repo_path == str(cm_home / "repos" / "local") and art.repo_meta["alias"] == "local"
    assert ok("update myauto art1 --meta.k=w")["list"][0].meta["k"] == "w"
    assert [a.path for a in ok("info myauto art1")["list"]] == [path]
    r = ok("find repo local")
    assert [x.alias for x in r["list"]] == ["local"]
    r = ok("rm myauto art1 -f")
    assert [a.path for a in r["deleted_list"]] == [path]


def test_access_via_facade_is_reentrant() -> None:
    """An automation calling ``self.cmind.access`` inside an action gets a normal result."""
    from colmind.automations.facade import CMFacade

    facade = CMFacade()
    assert facade.access({"action": "find", "automation": "repo"})["return"] == 0
    assert facade.cfg["action_substitutions"]["rm"] == "delete"
    assert facade.error({"return": 4, "error": "x"}) == {"return": 4, "error": "x"}


def test_error_and_halt(capsys: Any) -> None:
    r = colmind.error({"return": 4, "error": "boom"})
    assert r["return"] == 4 and capsys.readouterr().err == "\nCM error: boom!\n"
    with pytest.raises(SystemExit) as exc:
        colmind.halt({"return": 16, "error": "gone"})
    assert exc.value.code == 16
