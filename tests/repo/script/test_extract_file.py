"""extract-file: every format, and archives trying to escape the destination."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from recipe_fixtures import assert_valid_meta, fake_i, load_customize, load_module

ex = load_module("extract-file", "safe_extract")


def _tar(path: Path, members: list[tuple[str, str, str]], mode: str = "w") -> Path:
    """members: (name, kind 'file'|'dir'|'sym'|'hard'|'fifo', data-or-linkname)."""
    with tarfile.open(path, mode) as t:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data)
                t.addfile(info, io.BytesIO(data.encode()))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
                         "fifo": tarfile.FIFOTYPE}[kind]
            info.linkname = data
            t.addfile(info)
    return path


def _zip(path: Path, members: dict[str, str], symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return path


def _extract(archive: Path, dest: Path, **env: str) -> tuple[dict[str, object], dict[str, str]]:
    i = fake_i("extract-file", env=dict({"CM_EXTRACT_FILEPATH": str(archive), "CM_EXTRACT_PATH": str(dest)}, **env))
    return load_customize("extract-file").preprocess(i), i["env"]


def test_meta() -> None:
    meta = assert_valid_meta("extract-file", ["extract", "file", "extract-file"])
    assert meta["input_mapping"]["input"] == "CM_EXTRACT_FILEPATH"
    assert "CM_EXTRACT_EXTRACTED_PATH" in meta["new_env_keys"]


GOOD = [("pkg", "dir", ""), ("pkg/a.txt", "file", "A"), ("pkg/sub/b.txt", "file", "B"),
        ("pkg/link", "sym", "a.txt")]


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tar.gz", "w:gz"), (".tar.xz", "w:xz"),
                                         (".tar.bz2", "w:bz2"), (".bin", "w:gz")])
def test_tar_formats(tmp_path: Path, suffix: str, mode: str) -> None:
    archive = _tar(tmp_path / ("a" + suffix), GOOD, mode)
    r, env = _extract(archive, tmp_path / "out")
    assert r == {"return": 0}
    out = Path(env["CM_EXTRACT_EXTRACTED_PATH"])
    assert out == tmp_path / "out"
    assert (out / "pkg/a.txt").read_text() == "A" and (out / "pkg/sub/b.txt").read_text() == "B"
    assert os.readlink(out / "pkg/link") == "a.txt"
    assert sorted(os.listdir(out)) == ["pkg"]  # staging dir gone


def test_zip_and_extracted_filename(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"d/x.txt": "X", "y.txt": "Y"})
    r, env = _extract(archive, tmp_path / "out", CM_EXTRACT_EXTRACTED_FILENAME="d", CM_EXTRACT_FINAL_ENV_NAME="MY")
    assert r == {"return": 0}
    assert env["CM_EXTRACT_EXTRACTED_PATH"] == str(tmp_path / "out" / "d") == env["MY"]
    assert env["CM_EXTRACT_EXTRACTED_TOP_LEVEL_COUNT"] == "2"
    assert (tmp_path / "out" / "y.txt").read_text() == "Y"


def test_single_gz_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(b"1,2\n"))
    r, env = _extract(path, tmp_path / "out")
    assert r == {"return": 0} and (tmp_path / "out" / "data.csv").read_bytes() == b"1,2\n"


@pytest.mark.parametrize("members,what", [
    ([("ok.txt", "file", "fine"), ("../evil.txt", "file", "x")], 'contains ".."'),
    ([("a/../../evil.txt", "file", "x")], 'contains ".."'),
    ([("/etc/evil", "file", "x")], "absolute member path"),
    ([("link", "sym", "/etc/passwd")], "absolute path"),
    ([("d/link", "sym", "../../outside")], "points outside"),
    ([("hard", "hard", "../outside")], "points outside"),
    ([("d", "sym", "."), ("d/x.txt", "file", "x")], "written through the link"),
    ([("fifo", "fifo", "")], "device, FIFO"),
])
def test_tar_escapes_are_refused(tmp_path: Path, members: list[tuple[str, str, str]], what: str) -> None:
    archive = _tar(tmp_path / "bad.tar", members)
    dest = tmp_path / "out"
    r, env = _extract(archive, dest)
    assert r["return"] == 1
    assert "refusing to extract" in str(r["error"]) and str(archive) in str(r["error"]) and what in str(r["error"])
    assert not dest.exists() and not (tmp_path / "evil.txt").exists()
    assert "CM_EXTRACT_EXTRACTED_PATH" not in env


@pytest.mark.parametrize("members,links,what", [
    ({"../evil.txt": "x"}, {}, 'contains ".."'),
    ({"/abs.txt": "x"}, {}, "absolute member path"),
    ({}, {"link": "../../etc"}, "points outside"),
])
def test_zip_escapes_are_refused(tmp_path: Path, members: dict[str, str], links: dict[str, str], what: str) -> None:
    archive = _zip(tmp_path / "bad.zip", members, links)
    r, _ = _extract(archive, tmp_path / "out")
    assert r["return"] == 1 and what in str(r["error"])
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.txt").exists()


def test_not_an_archive_and_missing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_text("not an archive")
    r, _ = _extract(junk, tmp_path / "out")
    assert r["return"] == 1 and "is not a zip, tar" in str(r["error"])
    r, _ = _extract(tmp_path / "missing.tgz", tmp_path / "out")
    assert r["return"] == 1 and "does not exist" in str(r["error"])
    i = fake_i("extract-file", env={})
    r = load_customize("extract-file").preprocess(i)
    assert r["return"] == 1 and "--input" in str(r["error"])


def test_missing_extracted_filename(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"x.txt": "X"})
    r, _ = _extract(archive, tmp_path / "out", CM_EXTRACT_EXTRACTED_FILENAME="nope")
    assert r["return"] == 1 and "nope does not exist" in str(r["error"])
