"""download_file / unzip_file as CM and MLC recipes call them (offline: file:// URLs, local zips)."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from colmind.compat import mlc_utils, recipe_files


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


def test_download_file_from_a_file_url(tmp_path: Path) -> None:
    src = tmp_path / "payload.bin"
    src.write_bytes(b"x" * 1000)
    r = mlc_utils.download_file({"url": src.as_uri(), "path": str(tmp_path / "dl")})
    assert r["return"] == 0, r
    assert r["filename"] == "payload.bin" and r["size"] == 1000
    assert Path(r["path"]).read_bytes() == b"x" * 1000
    assert sorted(os.listdir(tmp_path / "dl")) == ["payload.bin"]  # no .part left


def test_download_file_explicit_name_and_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "a.txt"
    src.write_text("hello")
    r = recipe_files.download_file({"url": src.as_uri(), "filename": "b.txt"})
    assert r["return"] == 0 and (tmp_path / "b.txt").read_text() == "hello"
    bad = recipe_files.download_file({"url": (tmp_path / "missing").as_uri()})
    assert bad["return"] == 1 and "download of" in bad["error"]
    assert not list(tmp_path.glob("*.part"))
    assert recipe_files.download_file({})["return"] == 1


@pytest.mark.parametrize("strip, expected", [
    (0, {"top/bin/tool", "top/README"}),
    (1, {"bin/tool", "README"}),
    (2, {"tool"}),
])
def test_unzip_file_strip_folders(tmp_path: Path, strip: int, expected: set[str]) -> None:
    archive = _zip(tmp_path / "pkg.zip", {"top/bin/tool": "t", "top/README": "r"})
    out = tmp_path / "out"
    r = mlc_utils.unzip_file({"filename": str(archive), "path": str(out), "strip_folders": strip})
    assert r["return"] == 0, r
    found = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert found == expected
    assert [p.name for p in out.iterdir() if p.name.startswith(".unzip-")] == []


def test_unzip_file_recognises_a_zip_without_the_suffix_and_deletes_after(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "download", {"a.txt": "A"})
    r = recipe_files.unzip_file({"filename": str(archive), "path": str(tmp_path / "o"), "delete_after_unzip": True})
    assert r["return"] == 0 and (tmp_path / "o" / "a.txt").read_text() == "A"
    assert not archive.exists()


def test_unzip_file_extracts_tar_by_name(tmp_path: Path) -> None:
    archive = tmp_path / "p.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        data = b"T"
        info = tarfile.TarInfo("d/t.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    r = recipe_files.unzip_file({"filename": str(archive), "path": str(tmp_path / "o")})
    assert r["return"] == 0 and (tmp_path / "o" / "d" / "t.txt").read_text() == "T"


def test_unzip_file_refuses_entries_that_escape(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "evil.zip", {"../escaped.txt": "x"})
    r = recipe_files.unzip_file({"filename": str(archive), "path": str(tmp_path / "o")})
    assert r["return"] == 1 and "refusing" in r["error"]
    assert not (tmp_path / "escaped.txt").exists()
    assert recipe_files.unzip_file({"filename": str(tmp_path / "none.zip")})["return"] == 1


def test_from_utils_import_star_gives_both(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec("from colmind.compat.mlc_utils import *", namespace)  # what `from utils import *` sees
    assert callable(namespace["download_file"]) and callable(namespace["unzip_file"])
