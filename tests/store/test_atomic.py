"""Atomic writes: temp file in the same folder + rename; nothing half-written is ever visible."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from colmind.store import atomic


def test_write_text_bytes_json_yaml(tmp_path: Path) -> None:
    atomic.write_text(tmp_path / "a" / "b.txt", "héllo")
    assert (tmp_path / "a" / "b.txt").read_text(encoding="utf-8") == "héllo"
    atomic.write_bytes(tmp_path / "c.bin", b"\x00\xff")
    assert (tmp_path / "c.bin").read_bytes() == b"\x00\xff"
    atomic.write_json(tmp_path / "d.json", {"b": 1, "a": "é"})
    assert (tmp_path / "d.json").read_text(encoding="utf-8") == '{\n  "a": "é",\n  "b": 1\n}\n'
    atomic.write_yaml(tmp_path / "e.yaml", {"uid": "8888888888888888", "b": [1], "a": 1})
    text = (tmp_path / "e.yaml").read_text()
    assert text == "a: 1\nb:\n- 1\nuid: '8888888888888888'\n"  # all-digit uid quoted (spec 4.1)


def test_replaces_existing_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_text("old")
    atomic.write_json(target, [1])
    assert json.loads(target.read_text()) == [1]
    assert sorted(os.listdir(tmp_path)) == ["f.json"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")

    def broken_replace(*_a: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text(target, "new")
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["f.txt"]


def test_unserialisable_json_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        atomic.write_json(tmp_path / "x.json", {"a": object()})
    assert not (tmp_path / "x.json").exists()
    assert os.listdir(tmp_path) == []


def test_inode_changes_so_readers_see_old_or_new(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    atomic.write_text(target, "one")
    with open(target) as reader:
        before = os.fstat(reader.fileno()).st_ino
        atomic.write_text(target, "two")
        assert reader.read() == "one"  # an open reader keeps the complete old file
    assert os.stat(target).st_ino != before
    assert target.read_text() == "two"


@pytest.mark.parametrize("durable, syncs", [(True, 1), (False, 0)])
def test_durable_controls_fsync_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool,
                                     syncs: int) -> None:
    import os

    from colmind.store import atomic

    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd))[1])
    target = tmp_path / "record.json"
    atomic.write_text(target, "old")
    calls.clear()
    atomic.write_text(target, "new", durable=durable)
    assert target.read_text() == "new" and len(calls) == syncs
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]  # no temp file left either way


def test_write_report_replaces_the_old_report_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "rec" / "r.json"
    atomic.write_report(target, "first\n")
    old_inode = target.stat().st_ino
    atomic.write_report(target, "second\n")
    assert target.read_text() == "second\n" and target.stat().st_ino != old_inode
    assert os.listdir(tmp_path / "rec") == ["r.json"]


def test_write_report_failing_at_the_last_rename_puts_the_old_report_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.json"
    target.write_text("old")
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str, dst: str) -> None:
        calls.append(os.path.basename(dst))
        if len(calls) == 2:  # the old report moved aside; the new one cannot go in
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_report(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["r.json"]
    assert calls[1] == "r.json" and calls[2] == "r.json"  # moved aside, failed, moved back
