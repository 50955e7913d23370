"""CM's command-line grammar (spec cm-core 1.2, rules R1-R12, cases C08-C19) and our clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from colmind.cli.grammar import parse, split_flag
from colmind.errors import BadFile, CMError, NotFound

AUTO = [["automation", "bbeb15d8f0a944a4"]]


def _pi(cli: Any, *args: str) -> list[tuple[str, Any]]:
    """``cm print-input automation ARGS`` -> the printed dict as ordered items."""
    res = cli("print-input", "automation", *args)
    assert res.code == 0, res.stderr
    assert "Traceback" not in res.stderr
    return list(json.loads(res.stdout).items())


# --- R1-R12 on parse() directly --------------------------------------------------------------

@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # R2: action and automation are the first two tokens unless they start with - or @ or are blank
        (["find", "repo"], {"action": "find", "automation": "repo"}),
        (["find"], {"action": "find"}),
        ([], {}),
        (["--x", "find", "myauto"], {"x": True, "artifact": "find", "artifacts": ["myauto"]}),
        (["find", "--x", "myauto"], {"action": "find", "x": True, "artifact": "myauto"}),
        (["  ", "repo"], {"artifact": "  ", "artifacts": ["repo"]}),
        ([" find", "repo"], {"action": " find", "automation": "repo"}),
        # R3: the first bare -- ends parsing
        (["a", "b", "--", "x", "--y", "--"], {"action": "a", "automation": "b", "unparsed_cmd": ["x", "--y", "--"]}),
        (["a", "b", "--"], {"action": "a", "automation": "b", "unparsed_cmd": []}),
        # R5: positionals; artifacts only with >= 2 positionals; leading space is positional
        (["a", "b", "x"], {"action": "a", "automation": "b", "artifact": "x"}),
        (["a", "b", "x", "y", "z"], {"action": "a", "automation": "b", "artifact": "x", "artifacts": ["y", "z"]}),
        (["a", "b", " --t=1"], {"action": "a", "automation": "b", "artifact": " --t=1"}),
        # R6: split at first '=', values stripped, trailing '-' is False, at most two dashes stripped
        (["a", "b", "--k=a=b"], {"action": "a", "automation": "b", "k": "a=b"}),
        (["a", "b", "--s= v "], {"action": "a", "automation": "b", "s": "v"}),
        (["a", "b", "--k =v"], {"action": "a", "automation": "b", "k": "v"}),
        (["a", "b", "-x", "--y"], {"action": "a", "automation": "b", "x": True, "y": True}),
        (["a", "b", "--w-", "-v-"], {"action": "a", "automation": "b", "w": False, "v": False}),
        (["a", "b", "---z=3"], {"action": "a", "automation": "b", "_z": "3"}),
        (["a", "b", "-"], {"action": "a", "automation": "b", "": False}),
        (["a", "b", "--=5"], {"action": "a", "automation": "b", "": "5"}),
        (["a", "b", "--u="], {"action": "a", "automation": "b", "u": ""}),
        (["a", "b", "--n=5"], {"action": "a", "automation": "b", "n": "5"}),
        (["a", "b", "--x=-"], {"action": "a", "automation": "b", "x": "-"}),
        # R7: list suffix
        (["a", "b", "--x,=a,b,c"], {"action": "a", "automation": "b", "x": ["a", "b", "c"]}),
        (["a", "b", "--y,="], {"action": "a", "automation": "b", "y": []}),
        (["a", "b", "--z=a,b"], {"action": "a", "automation": "b", "z": "a,b"}),
        (["a", "b", "--tags,=a,-b"], {"action": "a", "automation": "b", "tags": ["a", "-b"]}),
        # R8/R9: dotted keys nest; - -> _ only in the first component; case kept
        (["a", "b", "--a.b=c", "--a.d=e"], {"action": "a", "automation": "b", "a": {"b": "c", "d": "e"}}),
        (["a", "b", "--x-y.z-w=1"], {"action": "a", "automation": "b", "x_y": {"z-w": "1"}}),
        (["a", "b", "--k-1=v"], {"action": "a", "automation": "b", "k_1": "v"}),
        (["a", "b", "--A.B-C.D-E=1", "--Flag=X"],
         {"action": "a", "automation": "b", "A": {"B-C": {"D-E": "1"}}, "Flag": "X"}),
        (["a", "b", "--a.b=2", "--a=1"], {"action": "a", "automation": "b", "a": "1"}),
        (["a", "b", "--meta.tags,=x"], {"action": "a", "automation": "b", "meta": {"tags": ["x"]}}),
        (["a", "b", "--m.x", "--m.y-"], {"action": "a", "automation": "b", "m": {"x": True, "y": False}}),
        # R10: left to right, last wins
        (["a", "b", "--x=1", "--x=2", "--x-"], {"action": "a", "automation": "b", "x": False}),
    ],
)
def test_parse_rules(argv: list[str], expected: dict[str, Any]) -> None:
    original = list(argv)
    result = parse(argv)
    cmd = result.pop("cmd")
    assert result == expected
    # R11: cmd is the caller's list after the two pops (the list is mutated like CM does)
    assert cmd is argv
    popped = len([k for k in ("action", "automation") if k in expected])
    assert argv == original[popped:]


@pytest.mark.parametrize(
    ("token", "key", "value"),
    [("--x", "x", True), ("-x", "x", True), ("--x-", "x", False), ("--x=", "x", ""), ("--x=1=2", "x", "1=2"),
     ("---x", "-x", True), ("----x=1", "--x", "1"), ("--x,=1,2", "x", ["1", "2"]), ("-", "", False),
     ("--", "", False)],
)
def test_split_flag(token: str, key: str, value: Any) -> None:
    assert split_flag(token) == (key, value)


def test_r1_string_is_shlex_split_and_cmd_is_the_string() -> None:
    text = 'print-input automation x "a b" --y'
    result = parse(text)
    assert result["artifact"] == "x"
    assert result["artifacts"] == ["a b"]
    assert result["y"] is True
    assert result["cmd"] == text


def test_r1_none_is_empty() -> None:
    assert parse(None) == {"cmd": []}


def test_r12_returns_a_plain_dict_and_key_order_is_argv_order() -> None:
    result = parse(["a", "b", "--z=1", "x", "--y=2"])
    assert list(result) == ["action", "automation", "z", "artifact", "y", "cmd"]


# --- our decisions against CM's crashes ------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["--x,"], "--x,"), (["--a=1", "--a.b=2"], "--a"), (["--a.b=1", "--a.b.c=2"], "--a.b"),
     (["--x,-"], "--x,-")],
)
def test_cm_crashes_are_clear_errors(cli: Any, args: list[str], fragment: str) -> None:
    res = cli("print-input", "automation", *args)
    assert res.code == 1
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("\nCM error: ")
    assert fragment in res.stderr
    assert res.stdout == ""


def test_list_flag_without_value_raises_cmerror() -> None:
    with pytest.raises(CMError, match="has no value"):
        parse(["a", "b", "--x,"])


def test_bad_cm_config_is_a_clear_error(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.core import reset_core

    monkeypatch.setenv("CM_CONFIG", str(tmp_path / "missing.yaml"))
    reset_core()
    res = cli("find", "repo")
    assert res.code == 1
    assert "CM_CONFIG" in res.stderr and "missing.yaml" in res.stderr
    assert "Traceback" not in res.stderr

    bad = tmp_path / "cfg.txt"
    bad.write_text("x")
    monkeypatch.setenv("CM_CONFIG", str(bad))
    reset_core()
    res = cli("find", "repo")
    assert res.code == 1 and ".json or .yaml" in res.stderr

    broken = tmp_path / "cfg.yaml"
    broken.write_text("a: [\n")
    monkeypatch.setenv("CM_CONFIG", str(broken))
    reset_core()
    res = cli("find", "repo")
    assert res.code == 4 and "cfg.yaml" in res.stderr and "line 2" in res.stderr

    listy = tmp_path / "cfg.json"
    listy.write_text("[1]")
    monkeypatch.setenv("CM_CONFIG", str(listy))
    reset_core()
    res = cli("find", "repo")
    assert res.code == 1 and "mapping" in res.stderr


def test_cm_config_replaces_action_substitutions(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """C61: a shallow merge; replacing ``action_substitutions`` drops the default ones."""
    from colmind.core import reset_core

    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"action_substitutions": {"lst": "search"}}))
    monkeypatch.setenv("CM_CONFIG", str(cfg))
    reset_core()
    assert cli("lst", "repo").code == 0
    res = cli("find", "repo")
    assert res.code == 4 and 'action "find" not found' in res.stderr


# --- C08-C16 through the CLI (exact dicts, in order) ----------------------------------------

def test_c08_positional_artifacts_flags_and_unparsed(cli: Any) -> None:
    got = _pi(cli, "art1", "art2", "art3", "--flag1=value1", "--flag2", "--", "something", "else")
    assert got == [
        ("action", "print-input"), ("automation", "automation"), ("artifact", "art1"),
        ("flag1", "value1"), ("flag2", True), ("unparsed_cmd", ["something", "else"]),
        ("artifacts", ["art2", "art3"]),
        ("cmd", ["art1", "art2", "art3", "--flag1=value1", "--flag2", "--", "something", "else"]),
        ("out", "con"), ("parsed_automation", AUTO),
        ("parsed_artifacts", [[["art2", ""]], [["art3", ""]]]), ("parsed_artifact", [["art1", ""]]),
    ]


def test_c09_dotted_keys(cli: Any) -> None:
    got = _pi(cli, "--a.b=c", "--a.d=e", "--x-y.z-w=1", "--k-1=v")
    assert got == [
        ("action", "print-input"), ("automation", "automation"), ("a", {"b": "c", "d": "e"}),
        ("x_y", {"z-w": "1"}), ("k_1", "v"), ("cmd", ["--a.b=c", "--a.d=e", "--x-y.z-w=1", "--k-1=v"]),
        ("out", "con"), ("parsed_automation", AUTO),
    ]


def test_c10_list_suffix(cli: Any) -> None:
    got = _pi(cli, "--x,=a,b,c", "--y,=", "--z=a,b")
    assert got == [
        ("action", "print-input"), ("automation", "automation"), ("x", ["a", "b", "c"]), ("y", []),
        ("z", "a,b"), ("cmd", ["--x,=a,b,c", "--y,=", "--z=a,b"]), ("out", "con"), ("parsed_automation", AUTO),
    ]


def test_c11_dashes(cli: Any) -> None:
    got = _pi(cli, "-x", "-y=2", "---z=3", "--w-", "-v-")
    assert got == [
        ("action", "print-input"), ("automation", "automation"), ("x", True), ("y", "2"), ("_z", "3"),
        ("w", False), ("v", False), ("cmd", ["-x", "-y=2", "---z=3", "--w-", "-v-"]), ("out", "con"),
        ("parsed_automation", AUTO),
    ]


def test_c12_split_strip_empty_lone_dash_leading_space(cli: Any) -> None:
    got = _pi(cli, "--k=a=b", "--s= v ", " --t=1", "-", "--u=")
    assert got == [
        ("action", "print-input"), ("automation", "automation"), ("k", "a=b"), ("s", "v"),
        ("artifact", " --t=1"), ("", False), ("u", ""), ("cmd", ["--k=a=b", "--s= v ", " --t=1", "-", "--u="]),
        ("out", "con"), ("parsed_automation", AUTO), ("parsed_artifact", [["--t=1", ""]]),
    ]


@pytest.fixture
def in_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in1.json").write_text(json.dumps({"a": 1, "b": {"c": 2}, "artifact": "fromjson", "tags": "x,y"}))
    (tmp_path / "in2.yaml").write_text("a: 10\nb:\n  d: 3\nlst:\n- 1\n- 2\n")
    (tmp_path / "act.json").write_text(json.dumps({"action": "version"}))
    (tmp_path / "act2.yaml").write_text("action: version\nautomation: ''\n")
    (tmp_path / "bad.json").write_text("{'a': 1}")
    (tmp_path / "bad.yaml").write_text("a: [\n")
    (tmp_path / "in.txt").write_text("a: 1\n")
    (tmp_path / "in.yml").write_text("a: 1\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "empty.yaml").write_text("")
    return tmp_path


def test_c13_files_shallow_update(cli: Any, in_files: Path) -> None:
    got = _pi(cli, "@in1.json", "@in2.yaml")
    assert got == [
        ("action", "print-input"), ("automation", "automation"), ("a", 10), ("b", {"d": 3}),
        ("artifact", "fromjson"), ("tags", "x,y"), ("lst", [1, 2]), ("cmd", ["@in1.json", "@in2.yaml"]),
        ("out", "con"), ("parsed_automation", AUTO), ("parsed_artifact", [["fromjson", ""]]),
    ]


def test_c14_left_to_right(cli: Any, in_files: Path) -> None:
    got = dict(_pi(cli, "@in2.yaml", "@in1.json", "--a=flag"))
    assert list(got)[:7] == ["action", "automation", "a", "b", "lst", "artifact", "tags"]
    assert got["a"] == "flag" and got["b"] == {"c": 2} and got["lst"] == [1, 2]
    got = dict(_pi(cli, "--a=flag", "@in1.json"))
    assert got["a"] == 1 and got["b"] == {"c": 2} and got["artifact"] == "fromjson"


@pytest.mark.parametrize("argv", [["print-input", "automation", "@act.json"], ["@act.json"], ["@act2.yaml"]])
def test_c15_file_overrides_action(cli: Any, in_files: Path, argv: list[str]) -> None:
    from colmind.version import __version__

    res = cli(*argv)
    assert res.code == 0
    assert res.stdout.strip() == __version__


def test_c16_bare_double_dash_and_out_json(cli: Any) -> None:
    got = _pi(cli, "--")
    assert got == [("action", "print-input"), ("automation", "automation"), ("unparsed_cmd", []), ("cmd", ["--"]),
                   ("out", "con"), ("parsed_automation", AUTO)]
    res = cli("print-input", "automation", "--out=json")
    assert res.code == 0
    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(res.stdout)
    assert list(first.items()) == [("action", "print-input"), ("automation", "automation"), ("out", "json"),
                                   ("cmd", ["--out=json"]), ("parsed_automation", AUTO)]
    assert json.loads(res.stdout[end:]) == {"return": 0}


def test_empty_yaml_file_is_an_empty_input(cli: Any, in_files: Path) -> None:
    got = dict(_pi(cli, "@empty.yaml", "--q=1"))
    assert got["q"] == "1"


# --- C17-C19: @file errors --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("arg", "code", "message"),
    [
        ("@missing.json", 16, "\nCM error: File missing.json not found!\n"),
        ("@bad.json", 4, "\nCM error: detected problem in bad.json: Expecting property name enclosed in double "
                         "quotes: line 1 column 2 (char 1)!\n"),
        ("@bad.yaml", 4, "\nCM error: detected problem in bad.yaml: while parsing a flow node\nexpected the node "
                         "content, but found '<stream end>'\n  in \"bad.yaml\", line 2, column 1!\n"),
        ("@in.txt", 1, "\nCM error: file extension must be .json or .yaml in in.txt!\n"),
        ("@in.yml", 1, "\nCM error: file extension must be .json or .yaml in in.yml!\n"),
    ],
)
def test_c17_c19_file_errors(cli: Any, in_files: Path, arg: str, code: int, message: str) -> None:
    res = cli("print-input", "automation", arg)
    # CM ends the whole (multi-line) message with '!'; colmind ends the first line (cli.main._error_text)
    assert (res.code, res.stderr.replace("!", ""), res.stdout) == (code, message.replace("!", ""), "")
    assert res.stderr.startswith("\nCM error: ") and "!" in res.stderr


def test_file_with_a_list_is_a_clear_error(cli: Any, in_files: Path) -> None:
    res = cli("print-input", "automation", "@list.json")
    assert res.code == 4
    assert "list.json" in res.stderr and "mapping" in res.stderr and "Traceback" not in res.stderr


def test_file_errors_from_parse_are_typed(in_files: Path) -> None:
    with pytest.raises(NotFound):
        parse(["a", "b", "@nope.json"])
    with pytest.raises(BadFile):
        parse(["a", "b", "@bad.json"])
    with pytest.raises(CMError):
        parse(["a", "b", "@in.txt"])
