"""Table tests for colmind.compat.cmind_utils against cmind 4.2.0's observed behaviour (spec section 8)."""

from __future__ import annotations

import json
import os
import re

import pytest

from colmind.compat import cmind_utils as u

SPEC_NAMES = """merge_dicts load_txt load_json save_json call_internal_module load_yaml_and_json save_txt gen_uid
sub_input get_current_date_time assemble_cm_object convert_tags_to_list debug_here gen_tmp_file is_cm_uid
compare_versions assemble_cm_object2 load_python_module load_yaml save_yaml load_json_or_yaml
convert_dictionary convert_env_to_dict is_file_json_or_yaml match_objects get_list_from_cli parse_cm_object
rm_read_only dump_safe_json find_api find_file_in_current_directory_or_above tags_matched update_yaml
copy_to_clipboard filter_tags get_disk_use get_memory_use list_all_files process_input
process_meta_for_inheritance assemble_cm_object1 check_and_create_dir check_if_none_false_no_off
check_if_true_yes_on decompose_cm_obj digits find_file_in_dir_and_above flatten_dict get_set
get_value_from_dict_with_flat_key load_bin load_module path2 safe_float safe_int safe_load_json
save_json_or_yaml substitute_template test_input update_dict_if_empty update_dict_with_flat_key""".split()


def test_all_61_spec_helpers_exist() -> None:
    assert len(set(SPEC_NAMES)) == 61
    missing = [n for n in SPEC_NAMES if not callable(getattr(u, n, None))]
    assert missing == []
    assert sorted(u.__all__) == sorted(SPEC_NAMES)


@pytest.mark.parametrize("obj, expected", [
    ("os", [("os", "")]),
    ("281d5c3e3f69d8e7", [("", "281d5c3e3f69d8e7")]),
    ("os,281d5c3e3f69d8e7", [("os", "281d5c3e3f69d8e7")]),
    ("281d5c3e3f69d8e7,os", [("os", "281d5c3e3f69d8e7")]),
    ("octoml@mlops,os", [("octoml@mlops", "os")]),
    ("octoml@mlops,dbfa91645e429380:os,281d5c3e3f69d8e7",
     [("os", "281d5c3e3f69d8e7"), ("octoml@mlops", "dbfa91645e429380")]),
    ("dbfa91645e429380:281d5c3e3f69d8e7", [("", "281d5c3e3f69d8e7"), ("", "dbfa91645e429380")]),
    ("a,b", [("a", "b")]),
    ("", [("", "")]),
    ("x:", [("", ""), ("x", "")]),
    (":y", [("y", ""), ("", "")]),
    ("ABCDEF0123456789", [("", "ABCDEF0123456789")]),
    ("1234567890.abcde", [("", "1234567890.abcde")]),
])
def test_parse_cm_object(obj: str, expected: list[tuple[str, str]]) -> None:
    assert u.parse_cm_object(obj) == {"return": 0, "cm_object": expected}


@pytest.mark.parametrize("obj", ["a,b,c", "a:b:c"])
def test_parse_cm_object_errors(obj: str) -> None:
    assert u.parse_cm_object(obj) == {"return": 1, "error": f"CM object {obj} is not recognized"}


def test_parse_cm_object_decompose_consumes_list() -> None:
    r = u.parse_cm_object("r:a,281d5c3e3f69d8e7", decompose=True)
    assert r["cm_object"] == []
    assert r["decomposed_object"] == {
        "artifact": "r:a,281d5c3e3f69d8e7", "name": "a,281d5c3e3f69d8e7", "name_alias": "a",
        "name_uid": "281d5c3e3f69d8e7", "repo": "r", "repo_alias": "r", "repo_uid": ""}
    assert u.parse_cm_object("a:b:c", max_length=3)["cm_object"] == [("c", ""), ("b", ""), ("a", "")]


@pytest.mark.parametrize("s, ok", [
    ("1234567890abcdef", True), ("1234567890.abcde", True), ("ABCDEF0123456789", True),
    ("xyz", False), ("1234567890abcdeg", False), ("1234567890abcdef0", False), (None, False),
])
def test_is_cm_uid(s: str, ok: bool) -> None:
    assert u.is_cm_uid(s) is ok


@pytest.mark.parametrize("args, match", [
    (("1111111111111111", "x", "1111111111111111", "wrong"), True),   # uid wins, alias ignored
    (("1111111111111111", "x", "2222222222222222", "x"), False),
    (("", "art", "1111111111111111", "", True), False),                 # more_strict
    (("", "art", "1111111111111111", "", False), True),
    (("u", "GArt", "", "g*"), True),                                     # wildcard, case-insensitive
    (("u", "gart", "", "h?rt"), False),
    ((None, "gart", None, "GART"), True),
    (("ABC", "a", "abc", ""), True),
    (("", "a", "", "b"), False),
    (("", "a", "", ""), True),
])
def test_match_objects(args: tuple, match: bool) -> None:
    assert u.match_objects(*args) == {"return": 0, "match": match}


@pytest.mark.parametrize("tags, and_tags, no_tags, ok", [
    (["a", "b"], ["a"], ["c"], True), (["a", "b"], ["a"], ["b"], False),
    (["a"], [], [], True), (["a"], ["A"], [], False), (["a"], ["a", "b"], [], False),
])
def test_tags_matched(tags: list[str], and_tags: list[str], no_tags: list[str], ok: bool) -> None:
    assert u.tags_matched(tags, and_tags, no_tags) is ok


@pytest.mark.parametrize("a, b, result", [
    ("3.9.6", "3.9", 1), ("3.9", "3.9.0", 0), ("1.10", "1.9", 1), ("4.2.0", "4.2.1", -1),
    ("2", "10", -1), ("1.02", "1.2", 0), ("a", "b", -1), ("1.a", "1.b", -1), ("v1", "v1", 0),
])
def test_compare_versions(a: str, b: str, result: int) -> None:
    assert u.compare_versions(a, b) == result


@pytest.mark.parametrize("a, b", [("1.a", "1.2"), ("", "1"), ("1.2", "1.2.a")])
def test_compare_versions_mixed_raises_type_error(a: str, b: str) -> None:
    with pytest.raises(TypeError):
        u.compare_versions(a, b)


@pytest.mark.parametrize("options, expected", [
    ({}, {"a": {"x": [2, 3], "y": 1}, "b": 1, "c": 2}),
    ({"append_lists": True}, {"a": {"x": [1, 2, 2, 3], "y": 1}, "b": 1, "c": 2}),
    # like CM, append_unique is not passed to nested levels
    ({"append_lists": True, "append_unique": True}, {"a": {"x": [1, 2, 2, 3], "y": 1}, "b": 1, "c": 2}),
    ({"ignore_keys": ["c"]}, {"a": {"x": [2, 3], "y": 1}, "b": 1}),
])
def test_merge_dicts(options: dict, expected: dict) -> None:
    d1 = {"a": {"x": [1, 2]}, "b": 1}
    r = u.merge_dicts({"dict1": d1, "dict2": {"a": {"x": [2, 3], "y": 1}, "c": 2}, **options})
    assert r == {"return": 0, "dict1": expected}
    assert d1 == expected


def test_merge_dicts_append_unique_top_level_and_copies() -> None:
    d2 = {"x": [2, 3, 3], "n": {"k": [1]}}
    d1: dict = {"x": [1, 2]}
    u.merge_dicts({"dict1": d1, "dict2": d2, "append_lists": True, "append_unique": True})
    assert d1["x"] == [1, 2, 3]
    d1["n"]["k"].append(9)
    assert d2["n"]["k"] == [1]


@pytest.mark.parametrize("value, expected", [
    ("a, b ,c", ["a", "b", "c"]), ("", [""]), (["x"], ["x"]), (None, []), ("a,,b", ["a", "", "b"]),
])
def test_get_list_from_cli(value: object, expected: list) -> None:
    i = {} if value is None else {"tags": value}
    assert u.get_list_from_cli(i, "tags") == expected


@pytest.mark.parametrize("i, expected", [
    ({"tags": " a, b,a ,,c"}, ["a", "b", "", "c"]), ({}, []), ({"tags": "x"}, ["x"]),
])
def test_convert_tags_to_list(i: dict, expected: list) -> None:
    assert u.convert_tags_to_list(i) == expected


def test_load_txt_options(tmp_path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("hello 1.2.3\nline2\n")
    assert u.load_txt(str(f)) == {"return": 0, "string": "hello 1.2.3\nline2\n"}
    assert u.load_txt(str(f), split=True)["list"] == ["hello 1.2.3", "line2", ""]
    assert u.load_txt(str(f), match_text=r"hello (\S+)")["match"].group(1) == "1.2.3"
    assert u.load_txt(str(f), match_text="zz")["match"] is None
    assert u.load_txt(str(f), match_text="zz", fail_if_no_match="no version") == {
        "return": 1, "error": "no version", "string": "hello 1.2.3\nline2\n"}
    missing = str(tmp_path / "nope.txt")
    assert u.load_txt(missing, check_if_exists=True) == {"return": 16, "error": f"{missing} was not found"}
    with pytest.raises(FileNotFoundError):
        u.load_txt(missing)
    assert u.load_txt(str(f), remove_after_read=True)["return"] == 0
    assert not f.exists()


@pytest.mark.parametrize("loader, ext, bad", [
    (u.load_json, ".json", "{bad"), (u.load_yaml, ".yaml", "a: [1\n"),
])
def test_load_json_yaml_codes(tmp_path, loader, ext: str, bad: str) -> None:
    missing = str(tmp_path / f"nope{ext}")
    assert loader(missing, check_if_exists=True) == {"return": 16, "error": f"File {missing} not found"}
    with pytest.raises(FileNotFoundError):
        loader(missing)
    broken = tmp_path / f"bad{ext}"
    broken.write_text(bad)
    r = loader(str(broken))
    assert r["return"] == 4 and r["error"].startswith(f"detected problem in {broken}: ")


def test_save_json_and_yaml_format(tmp_path) -> None:
    j = tmp_path / "o.json"
    assert u.save_json(str(j), {"b": 1, "a": [1], "c": "é"}) == {"return": 0}
    assert j.read_text(encoding="utf8") == '{\n  "a": [\n    1\n  ],\n  "b": 1,\n  "c": "é"\n}\n'
    assert u.load_json(str(j)) == {"return": 0, "meta": {"a": [1], "b": 1, "c": "é"}}
    y = tmp_path / "o.yaml"
    assert u.save_yaml(str(y), {"b": 1, "a": [1]}) == {"return": 0}
    assert y.read_text() == "a:\n- 1\nb: 1\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_yaml_and_json_helpers(tmp_path) -> None:
    base = str(tmp_path / "m")
    assert u.load_yaml_and_json(base) == {"return": 16, "error": f"YAML and JSON file {base} not found"}
    assert u.is_file_json_or_yaml(base) == {"return": 0, "is_file": False}
    (tmp_path / "m.yaml").write_text("a: 1\nb: 1\n")
    (tmp_path / "m.json").write_text('{"b": 2}')
    assert u.load_yaml_and_json(base) == {"return": 0, "meta": {"a": 1, "b": 2}}
    assert u.is_file_json_or_yaml(base) == {"return": 0, "is_file": True, "path": base + ".yaml"}
    assert u.load_json_or_yaml(base + ".json")["meta"] == {"b": 2}
    assert u.load_json_or_yaml(base + ".txt") == {
        "return": 1, "error": f"file extension must be .json or .yaml in {base}.txt"}
    assert u.save_json_or_yaml(base + ".txt", {}) == {"return": 1, "error": "unknown file extension"}
    assert u.save_json_or_yaml(base + "2.yaml", {"z": 1})["return"] == 0
    assert u.load_yaml(base + "2.yaml")["meta"] == {"z": 1}


def test_small_file_helpers(tmp_path) -> None:
    t = tmp_path / "s.txt"
    assert u.save_txt(str(t), "abc") == {"return": 0}
    assert u.load_bin(str(t)) == {"return": 0, "bin": b"abc"}
    (tmp_path / "ok.json").write_text('{"a": 1}')
    assert u.safe_load_json(str(tmp_path), "ok.json") == {"return": 0, "meta": {"a": 1}}
    assert u.safe_load_json(str(tmp_path), "bad.json") == {"return": 0, "meta": {}}
    yml = tmp_path / "upd.yaml"
    yml.write_text("a: 1\nb: x\n# c\nc:\n  - 2\n")
    assert u.update_yaml(str(yml), {"a": 5, "c": "q", "z": 3}) == {"return": 0}
    assert yml.read_text() == "a: 5\nb: x\n# c\nc: q\n  - 2\n"
    assert u.check_and_create_dir(str(tmp_path / "n" / "m")) == {"return": 0}
    assert (tmp_path / "n" / "m").is_dir()


def test_dump_safe_json(capsys) -> None:
    assert u.dump_safe_json({"b": 1, "a": object(), "c": "é"}) == {"return": 0, "meta": {"b": 1, "c": "é"}}
    assert json.loads(capsys.readouterr().out) == {"b": 1, "c": "é"}


def test_find_api(tmp_path) -> None:
    f = tmp_path / "api.py"
    f.write_text('def f(i):\n    """\n    doc of f\n    """\n    return 1\n\ndef g():\n    pass\n')
    assert u.find_api(str(f), "f") == {"return": 0, "api": 'def f(i):\n    """\n    doc of f\n    """'}
    assert u.find_api(str(f), "zz") == {"return": 16, "error": "API not found"}
    assert u.find_api(str(f), "g") == {"return": 1, "error": "API not found"}


@pytest.mark.parametrize("fn, args, expected", [
    ("assemble_cm_object", ("a", "b"), "a,b"), ("assemble_cm_object", ("a", ""), "a"),
    ("assemble_cm_object", ("", "b"), "b"), ("assemble_cm_object", ("", ""), ""),
    ("assemble_cm_object1", ({"alias": "a", "uid": "u"},), "a,u"),
    ("assemble_cm_object2", (("a", "u"),), "a,u"),
    ("sub_input", ({"a": 1, "b": 2, "c": 3}, ["a", "z"]), {"a": 1}),
    ("sub_input", ({"a": 1, "b": 2, "c": 3}, ["a"], True), {"b": 2, "c": 3}),
    ("convert_dictionary", ({"a-b": 1, "c": 2}, "pre"), {"pre_a_b": 1, "pre_c": 2}),
    ("convert_dictionary", ({"a-b": 1}, "pre", False), {"pre_a-b": 1}),
    ("convert_env_to_dict", ("A=1\nB=2=3\n\nC\n D = 4 \n",),
     {"return": 0, "dict": {"A": "1", "B": "2", "C": "", "D": "4"}}),
    ("digits", ("12ab3",), 12), ("digits", ("ab",), 0), ("digits", ("",), 0), ("digits", ("12ab3", False), 123),
    ("get_value_from_dict_with_flat_key", ("a.b", {"a": {"b": 3}}), 3),
    ("get_value_from_dict_with_flat_key", ("a.z", {"a": {"b": 3}}), None),
    ("path2", ("/a b/c",), '"/a b/c"'), ("path2", ("/ab",), "/ab"),
    ("safe_int", ("3", 0), 3), ("safe_int", ("x", -1), -1), ("safe_int", (3.7, 0), 3),
    ("safe_float", ("1.5", 0), 1.5), ("safe_float", (None, 2), 2),
    ("substitute_template", ("x{a}y", {"a": 1}), "x1y"),
    ("substitute_template", ("x{a}y", {}), "Error: Missing value for a in the vars dictionary."),
    ("test_input", ({},), {"return": 0}),
    ("test_input", ({"a": 1, "b": 2},), {"return": 1, "error": "unknown input keys: a, b",
                                         "unknown_keys": ["a", "b"], "unknown_keys_str": "a, b"}),
    ("filter_tags", (["a", "-b", "c"],), ["a", "c"]),
    ("decompose_cm_obj", ([("a", "u"), ("r", "ru")],),
     {"artifact": "r,ru:a,u", "name": "a,u", "name_alias": "a", "name_uid": "u", "repo": "r,ru",
      "repo_alias": "r", "repo_uid": "ru"}),
])
def test_pure_helpers(fn: str, args: tuple, expected: object) -> None:
    assert getattr(u, fn)(*args) == expected


@pytest.mark.parametrize("value, true, false", [
    ("yes", True, False), ("True", True, False), ("ON", True, False), ("1", False, False),
    ("no", False, True), ("", False, False), (None, False, True), ("off", False, True), (True, True, False),
])
def test_env_flags(value: object, true: bool, false: bool) -> None:
    assert u.check_if_true_yes_on({"k": value}, "k") is true
    assert u.check_if_none_false_no_off({"k": value}, "k") is false


def test_check_flags_missing_key() -> None:
    assert u.check_if_true_yes_on({}, "k") is False
    assert u.check_if_none_false_no_off({}, "k") is False


def test_flat_key_updates() -> None:
    d: dict = {}
    assert u.update_dict_with_flat_key("a.b.c", 5, d) == {"return": 0}
    assert d == {"a": {"b": {"c": 5}}}
    e = {"a": "", "b": None, "c": 0, "d": [], "e": "v"}
    for key in "abcdef":
        u.update_dict_if_empty(e, key, "N")
    assert e == {"a": "N", "b": "N", "c": 0, "d": [], "e": "v", "f": "N"}
    fd: dict = {}
    u.flatten_dict({"a": {"b": 1, "c": [{"d": 2}], "e": [1, 2]}, "f": None}, fd)
    assert fd == {"a.b": "1", "a.c.d": "2", "a.e": "[1, 2]", "f": "None"}
    state: dict = {"x": {"y": 7}}
    assert u.get_set({"k": 1}, "k", state, ["x", "y"]) == 1 and state == {"x": {"y": 7}}
    state = {}
    assert u.get_set({"k": 1}, "k", state, ["x", "y"]) == 1 and state == {"x": {"y": 1}}
    assert u.get_set({}, "k", state, ["x"]) is None


def test_uid_time_tmp_disk_memory() -> None:
    r = u.gen_uid()
    assert r["return"] == 0 and u.is_cm_uid(r["uid"]) and re.fullmatch("[0-9a-f]{16}", r["uid"])
    now = u.get_current_date_time({})
    assert set(now["array"]) == {"date_year", "date_month", "date_day", "time_hour", "time_minute",
                                 "time_second"} and "T" in now["iso_datetime"]
    assert u.get_current_date_time({"timezone": "UTC"})["iso_datetime"].endswith("+00:00")
    assert u.get_current_date_time({"timezone": "No/Such_Zone"})["return"] == 1
    tmp = u.gen_tmp_file({"suffix": ".x", "prefix": "p"})["file_name"]
    assert os.path.isabs(tmp) and tmp.endswith(".x") and os.path.basename(tmp).startswith("p")
    assert not os.path.exists(tmp)
    assert os.sep not in u.gen_tmp_file({"remove_dir": True})["file_name"]
    disk = u.get_disk_use("/")
    assert disk["return"] == 0 and disk["total"] >= disk["free"] > 0
    mem = u.get_memory_use()
    assert mem["return"] == 0 and mem["total_memory"] > mem["memory_use"] > 0


def test_file_searches(tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("12")
    (tmp_path / "sub" / "b.py").write_text("1")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("x")
    sub = str(tmp_path / "sub")
    assert u.find_file_in_dir_and_above("a.txt", path=sub) == {
        "return": 0, "path": str(tmp_path), "path_to_file": str(tmp_path / "a.txt")}
    assert u.find_file_in_dir_and_above("zzz.none", path=sub)["return"] == 16
    r = u.find_file_in_current_directory_or_above(["a.txt", "zz"], path_to_start=sub)
    assert r == {"return": 0, "found": True, "path_to_file": str(tmp_path / "a.txt"), "path": str(tmp_path),
                 "found_in_current_path": False}
    r = u.find_file_in_current_directory_or_above(["b.py"], path_to_start=sub)
    assert r["found_in_current_path"] is True
    assert u.find_file_in_current_directory_or_above(["a.txt"], path_to_start=sub, path_to_stop=sub) == {
        "return": 0, "found": False}
    r = u.find_file_in_current_directory_or_above(["b.py"], path_to_start=str(tmp_path), reverse=True)
    assert r["path"] == sub and r["found_in_current_path"] is False
    listing = u.list_all_files({"path": str(tmp_path)})
    assert listing == {"return": 0, "list": {"a.txt": {"size": 2}, os.path.join("sub", "b.py"): {"size": 1}},
                       "number": "2"}
    assert os.path.join(".git", "HEAD") in u.list_all_files({"path": str(tmp_path), "all": "yes"})["list"]
    assert list(u.list_all_files({"path": str(tmp_path), "pattern": "*.py"})["list"]) == [
        os.path.join("sub", "b.py")]
    assert u.list_all_files({"path": str(tmp_path), "ignore_names": ["sub"]})["number"] == "1"
