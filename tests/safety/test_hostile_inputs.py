"""Hostile inputs found by fuzzing, each a clear error (never "internal error", never a hang), and a
failed ``add`` leaves no folder behind; ``--save_to_json`` write errors are clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from colmind.testing import run_cli
from tests.safety.fuzzgen import alias_bomb


@pytest.fixture
def notes(cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert run_cli("add", "automation", "notes").code == 0
    return cm_home / "repos" / "local" / "notes"


# (name of the case, @file body, words the error must contain)
BAD_INPUTS = [
    ("alias bomb", alias_bomb(), "alias bomb"),
    ("self reference", b"meta: &a\n  self: *a\n", "contains itself"),
    ("recursive list", b"meta:\n  x: &a [*a]\n", "contains itself"),
    ("null key", b"meta:\n  ~: 1\n  a: 2\n", "cannot represent"),
    ("date key", b"meta:\n  2020-01-01: x\n", "cannot represent"),
    ("date value", b"meta:\n  when: 2020-01-01\n", "cannot represent"),
    ("tags: 5", b"meta:\n  tags: 5\n", "'tags' must be a list"),
    ("meta not a mapping", b"meta: [1, 2]\n", "'meta' must be a mapping"),
    ("5000-digit integer (YAML)", b"meta:\n  x: " + b"9" * 5000 + b"\n", "4300 digits"),
    ("5000-digit integer (JSON)", None, "4300 digits"),
    ("deep nesting", b"meta:\n  x: " + b"[" * 300 + b"]" * 300 + b"\n", "nested"),
    ("python tag", b"meta: !!python/object/apply:os.system ['echo pwned']\n", "detected problem"),
]


@pytest.mark.parametrize(("case", "body", "words"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_a_hostile_meta_is_a_clear_error_and_leaves_nothing(notes: Path, case: str, body: bytes | None,
                                                            words: str) -> None:
    if body is None:
        Path("in.json").write_bytes(b'{"meta": {"x": ' + b"9" * 5000 + b"}}")
        arg = "@in.json"
    else:
        Path("in.yaml").write_bytes(body)
        arg = "@in.yaml"
    res = run_cli("add", "notes", "x", arg)
    assert res.code in (1, 4), res.stderr
    assert words in res.stderr, res.stderr
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr
    assert not (notes / "x").exists()


def test_a_long_name_is_refused_naming_it(notes: Path) -> None:
    res = run_cli("add", "notes", "n" * 300)
    assert res.code == 1
    assert "nnnn" in res.stderr and "300 bytes" in res.stderr
    assert not notes.exists() or not any(notes.iterdir())


def test_a_failed_write_removes_the_new_folders(notes: Path, cm_home: Path) -> None:
    Path("in.yaml").write_text("meta:\n  when: 2020-01-01\n")
    assert run_cli("add", "notes", "x", "@in.yaml").code == 1
    assert not notes.exists()  # the automation folder this add created is gone too
    assert run_cli("add", "notes", "y").code == 0
    assert run_cli("add", "notes", "x", "@in.yaml").code == 1
    assert sorted(p.name for p in notes.iterdir()) == ["y"]


def test_a_meta_on_disk_with_odd_values_is_still_found_and_loaded(notes: Path) -> None:
    (notes / "odd").mkdir(parents=True)
    (notes / "odd" / "_cm.yaml").write_text("alias: odd\nautomation_alias: notes\nwhen: 2020-01-01\n~: 3\n"
                                            "tags: 5\n")
    res = run_cli("find", "notes", "odd")
    assert res.code == 0 and "odd" in res.stdout, res.stderr
    res = run_cli("load", "notes", "odd")
    assert "internal error" not in res.stderr, res.stderr


@pytest.mark.parametrize(("target", "words"), [
    ("missing/out.json", "does not exist"),
    (".", "is a folder"),
    ("sub/", "is a folder"),
    ("x" * 300 + ".json", "File name too long"),
])
def test_save_to_json_write_errors_are_clear(notes: Path, target: str, words: str) -> None:
    Path("sub").mkdir()
    res = run_cli("find", "notes", f"--save_to_json={target}")
    assert res.code == 1
    assert "--save_to_json" in res.stderr and words in res.stderr, res.stderr
    assert "Traceback" not in res.stderr


def test_save_to_json_still_writes(notes: Path) -> None:
    assert run_cli("version", "--save_to_json=out.json").code == 0
    assert '"return": 0' in Path("out.json").read_text()
    assert oct(os.stat("out.json").st_mode & 0o777) != oct(0o600)
