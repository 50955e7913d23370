"""Table tests for colmind.compat.mlc_utils against mlcflow 1.3.8's observed behaviour."""

from __future__ import annotations

import pytest

from colmind.compat import mlc_utils as m


@pytest.mark.parametrize("options, x", [
    ({}, [2, 3]), ({"append_lists": True}, [1, 2, 2, 3]), ({"append_lists": True, "append_unique": True}, [1, 2, 3]),
])
def test_merge_dicts(options: dict, x: list) -> None:
    d1 = {"a": {"x": [1, 2]}, "b": 1}
    r = m.merge_dicts({"dict1": d1, "dict2": {"a": {"x": [2, 3]}}, **options})
    assert r["merged"] is d1 and r["dict1"] is d1 and d1["a"]["x"] == x


def test_merge_dicts_not_in_place() -> None:
    d1 = {"b": 1}
    r = m.merge_dicts({"dict1": d1, "dict2": {"b": 2}}, in_place=False)
    assert r["merged"] == {"b": 2} and d1 == {"b": 1}


def test_json_yaml_txt(tmp_path) -> None:
    j = tmp_path / "m.json"
    assert m.save_json(str(j), {"b": 1, "a": 2}) == {"return": 0, "error": ""}
    assert j.read_text() == '{\n    "b": 1,\n    "a": 2\n}'
    assert m.load_json(str(j)) == {"return": 0, "meta": {"b": 1, "a": 2}}
    assert m.read_json(str(j)) == {"b": 1, "a": 2}
    missing = str(tmp_path / "nope.json")
    assert m.load_json(missing) == {"return": 1, "error": f"File '{missing}' not found."}
    assert m.read_json(missing) is None and m.read_yaml(missing) is None
    (tmp_path / "bad.json").write_text("{bad")
    assert m.load_json(str(tmp_path / "bad.json")) == {
        "return": 1, "error": f"Error decoding JSON in file '{tmp_path / 'bad.json'}'."}
    y = tmp_path / "m.yaml"
    assert m.save_yaml(str(y), {"b": 1, "a": 2}) == {"return": 0, "error": ""}
    assert y.read_text() == "a: 2\nb: 1\n" and m.read_yaml(str(y)) == {"a": 2, "b": 1}
    assert m.load_yaml(str(y))["meta"] == {"a": 2, "b": 1}
    t = tmp_path / "t.txt"
    assert m.save_txt(str(t), "hello 1.2.3\nline2\n") == {"return": 0, "error": ""}
    assert m.load_txt(str(t), split=True)["list"] == ["hello 1.2.3", "line2"]
    assert "match" not in m.load_txt(str(t), match_text="zz")
    assert m.load_txt(str(t), match_text=r"hello (\S+)")["match"].group(1) == "1.2.3"
    assert m.load_txt(str(t), match_text="zz", fail_if_no_match="nv") == {"return": 1, "error": "nv"}
    nope = str(tmp_path / "nope.txt")
    assert m.load_txt(nope, check_if_exists=True) == {"return": 1, "error": f"File '{nope}' does not exist."}
    assert m.load_txt(nope)["return"] == 1


@pytest.mark.parametrize("a, b, result", [
    ("3.9.6", "3.9", 1), ("3.9", "3.9.0", 0), ("1.10", "1.9", 1), ("4.2.0", "4.2.1", -1),
    ("1.a", "1.2", -1), ("1.2", "1.a", 1), ("1.2.3rc1", "1.2.3", -1), ("v1.2", "1.2", 0), ("1.2-beta", "1.2", -1),
])
def test_compare_versions(a: str, b: str, result: int) -> None:
    assert m.compare_versions(a, b) == result


@pytest.mark.parametrize("bad", ["a", ""])
def test_compare_versions_invalid(bad: str) -> None:
    with pytest.raises(ValueError, match="Invalid version"):
        m.compare_versions(bad, "1")


@pytest.mark.parametrize("fn, args, expected", [
    ("convert_tags_to_list", (" a, b,a ,,c",), {"return": 0, "tags": ["a", "b", "a", "c"]}),
    ("convert_tags_to_list", ("",), {"return": 0, "tags": []}),
    ("convert_tags_to_list", ({"tags": "x,y"},), {"return": 0, "tags": ["x", "y"]}),
    ("assemble_object", ("a", "u"), "a, u"), ("assemble_object", ("a", ""), "a"), ("assemble_object", ("", "u"), "u"),
    ("is_uid", ("1234567890abcdef",), True), ("is_uid", ("1234567890.abcde",), False),
    ("is_uid", ("ABCDEF0123456789",), True), ("is_uid", ("xyz",), False),
    ("convert_env_to_dict", ("A=1\nB=2=3\n\nC\n D = 4 \n",), {"return": 0, "dict": {"A": "1", "B": "2=3", "D": "4"}}),
    ("sub_input", ({"a": 1, "b": 2}, ["a", "z"]), {"return": 0, "result": {"a": 1}}),
    ("convert_args_to_dictionary", (["--a=1", "--b", "--c.d=2", "--c.e=3", "x", "-q", "--t,=a,b", "--e.K=V=2"],),
     {"return": 0, "args_dict": {"a": "1", "b": True, "c": {"d": "2", "e": "3"}, "q": True, "t": ["a", "b"],
                                 "e": {"K": "V=2"}}}),
    ("is_valid_url", ("https://x.org/a",), True), ("is_valid_url", ("nope",), False),
    ("is_true", ("True",), True), ("is_true", ("1",), True), ("is_true", (True,), True),
    ("is_true", ("y",), False), ("is_true", (" yes ",), False), ("is_true", (None,), False),
    ("is_false", ("no",), True), ("is_false", ("0",), True), ("is_false", (False,), True),
    ("is_false", ("",), False), ("is_false", (None,), False),
])
def test_pure_helpers(fn: str, args: tuple, expected: object) -> None:
    assert getattr(m, fn)(*args) == expected


def test_uid_tmp_and_module(tmp_path) -> None:
    assert m.is_uid(m.get_new_uid()["uid"]) and m.is_uid(m.gen_uid()["uid"])
    name = m.generate_temp_file({"prefix": "p", "suffix": ".x"})["file_name"]
    assert name.startswith("p") and name.endswith(".x") and "/" not in name
    (tmp_path / "api.py").write_text("Y = 3\n")
    r = m.load_python_module({"path": str(tmp_path), "name": "api"})
    assert r["return"] == 0 and r["code"].Y == 3 and r["path"] == str(tmp_path / "api.py")
    assert m.load_python_module({"path": str(tmp_path), "name": "no"}) == {
        "return": 1, "error": f"Error: The file at '{tmp_path / 'no.py'}' does not exist."}
    assert m.get_current_date_time({})["return"] == 0


@pytest.mark.slow
def test_run_system_cmd(tmp_path) -> None:
    assert m.run_system_cmd({"cmd": "echo hi; pwd", "path": str(tmp_path)}) == {
        "return": 0, "output": f"hi\n{tmp_path}", "error_output": ""}
    assert m.run_system_cmd({"cmd": "exit 3", "path": str(tmp_path)})["error"] == (
        "Command execution failed with error code 3.")


def test_printers(capsys) -> None:
    m.printd({"b": 1, "a": 2})
    m.print_env({"K": "V"}, yaml=False, begin_spaces=2)
    assert capsys.readouterr().out == 'a: 2\nb: 1\n  {\n    "K": "V"\n  }\n'
