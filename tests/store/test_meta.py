"""Meta files: YAML+JSON loading (JSON wins), parse errors naming the file, CM's merge_dicts, saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colmind.errors import BadFile, CMError, NotFound
from colmind.store.meta import (
    load_json_file,
    load_json_or_yaml,
    load_meta_pair,
    load_yaml_file,
    merge_dicts,
    save_meta_json,
    save_meta_yaml,
)


def test_load_json_and_yaml(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"x": [1, 2]}')
    (tmp_path / "a.yaml").write_text("x: 1\ny: é\n", encoding="utf-8")
    assert load_json_file(str(tmp_path / "a.json")) == {"x": [1, 2]}
    assert load_yaml_file(str(tmp_path / "a.yaml")) == {"x": 1, "y": "é"}
    assert load_json_or_yaml(str(tmp_path / "a.yaml")) == {"x": 1, "y": "é"}


def test_missing_files_are_16(tmp_path: Path) -> None:
    for loader in (load_json_file, load_yaml_file, load_json_or_yaml):
        with pytest.raises(NotFound, match="not found"):
            loader(str(tmp_path / "nope.json" if loader is not load_yaml_file else tmp_path / "nope.yaml"))


def test_json_error_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "a": 1,\n  oops\n}')
    with pytest.raises(BadFile) as exc:
        load_json_file(str(bad))
    assert str(exc.value).startswith(f"detected problem in {bad}: ")
    assert "line 3 column 3" in str(exc.value)
    assert exc.value.return_code == 4


def test_yaml_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(BadFile) as exc:
        load_yaml_file(str(bad))
    text = str(exc.value)
    assert text.startswith(f"detected problem in {bad}: ")
    assert f'in "{bad}", line' in text and "<unicode string>" not in text


def test_yaml_is_safe(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("a: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(BadFile):
        load_yaml_file(str(evil))


def test_other_extension_is_1(tmp_path: Path) -> None:
    with pytest.raises(CMError, match=r"file extension must be \.json or \.yaml in x\.yml") as exc:
        load_json_or_yaml("x.yml")
    assert exc.value.return_code == 1


def test_meta_pair_json_wins_over_yaml(tmp_path: Path) -> None:
    (tmp_path / "_cm.yaml").write_text("alias: y\nonly_yaml: 1\nboth: yaml\nuid: 8888888888888888\n")
    (tmp_path / "_cm.json").write_text(json.dumps({"both": "json", "only_json": 2}))
    meta, files = load_meta_pair(str(tmp_path))  # type: ignore[misc]
    assert meta == {"alias": "y", "only_yaml": 1, "both": "json", "only_json": 2, "uid": "8888888888888888"}
    assert files == [str(tmp_path / "_cm.yaml"), str(tmp_path / "_cm.json")]


def test_meta_pair_none_when_missing(tmp_path: Path) -> None:
    assert load_meta_pair(str(tmp_path)) is None
    assert load_meta_pair(str(tmp_path / "nope")) is None


def test_meta_pair_all_digit_uid_is_text(tmp_path: Path) -> None:
    """CM crashes on an unquoted all-digit UID in YAML (quirk 11); we read it as text."""
    (tmp_path / "cmr.yaml").write_text("alias: 123\nuid: 1234567890123456\n")
    meta, _ = load_meta_pair(str(tmp_path), "cmr")  # type: ignore[misc]
    assert meta["uid"] == "1234567890123456" and meta["alias"] == "123"


@pytest.mark.parametrize("content", ["[1, 2]\n", "just text\n", "42\n"])
def test_meta_pair_non_mapping_is_bad_file(tmp_path: Path, content: str) -> None:
    (tmp_path / "_cm.yaml").write_text(content)
    with pytest.raises(BadFile, match="mapping"):
        load_meta_pair(str(tmp_path))


def test_meta_pair_empty_yaml_is_empty(tmp_path: Path) -> None:
    (tmp_path / "_cm.yaml").write_text("")
    assert load_meta_pair(str(tmp_path)) == ({}, [str(tmp_path / "_cm.yaml")])


@pytest.mark.parametrize(
    ("base", "over", "kwargs", "expected"),
    [
        ({"a": [1]}, {"a": [2]}, {}, {"a": [2]}),
        ({"a": [1]}, {"a": [1, 2]}, {"append_lists": True}, {"a": [1, 1, 2]}),
        ({"a": [1]}, {"a": [1, 2]}, {"append_lists": True, "append_unique": True}, {"a": [1, 2]}),
        ({"d": {"x": 1, "y": {"z": 1}}}, {"d": {"y": {"w": 2}}}, {}, {"d": {"x": 1, "y": {"z": 1, "w": 2}}}),
        ({"s": 1}, {"s": {"n": 1}}, {}, {"s": {"n": 1}}),
        ({"s": {"n": 1}}, {"s": "x"}, {}, {"s": "x"}),
        ({}, {"new": [1]}, {"append_lists": True}, {"new": [1]}),
    ],
)
def test_merge_dicts(base: dict, over: dict, kwargs: dict, expected: dict) -> None:
    result = merge_dicts(base, over, **kwargs)
    assert result is base and result == expected


def test_merge_dicts_copies_values() -> None:
    over = {"l": [[1]], "d": {"x": [1]}}
    base: dict = {}
    merge_dicts(base, over)
    base["l"][0].append(2)
    base["d"]["x"].append(2)
    assert over == {"l": [[1]], "d": {"x": [1]}}


def test_save_meta_json_and_yaml(tmp_path: Path) -> None:
    path = save_meta_json(str(tmp_path), {"uid": "1", "alias": "a", "tags": ["x"]})
    assert path == str(tmp_path / "_cm.json")
    assert (tmp_path / "_cm.json").read_text() == '{\n  "alias": "a",\n  "tags": [\n    "x"\n  ],\n  "uid": "1"\n}\n'
    path = save_meta_yaml(str(tmp_path), {"uid": "1111111111111111", "alias": "a"})
    assert (tmp_path / "_cm.yaml").read_text() == "alias: a\nuid: '1111111111111111'\n"
