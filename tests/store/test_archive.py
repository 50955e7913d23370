"""Safe archive extraction: entries with ``..``, absolute paths or links out are refused, nothing written."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from colmind.errors import CMError
from colmind.store.archive import UnsafeArchive, check_tree_links, extract, is_archive_name, make_zip


def _zip(path: Path, files: dict[str, str], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def _tar(path: Path, files: dict[str, str], links: dict[str, str] | None = None,
         hardlinks: dict[str, str] | None = None, mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tf:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tf.addfile(info)
        for name, target in (hardlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.LNKTYPE
            info.linkname = target
            tf.addfile(info)
    return path


def _tree(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "tar"])
def test_safe_archive_extracts(tmp_path: Path, kind: str) -> None:
    files = {"cmr.yaml": "alias: x\n", "a/b/c.txt": "hello"}
    links = {"a/link": "b/c.txt"}
    archive = tmp_path / f"ok.{kind}"
    if kind == "zip":
        _zip(archive, files, links)
    else:
        _tar(archive, files, links, mode="w:gz" if kind == "tar.gz" else "w")
    out = tmp_path / "out"
    extract(str(archive), str(out))
    assert (out / "a" / "b" / "c.txt").read_text() == "hello"
    assert os.path.islink(out / "a" / "link") and (out / "a" / "link").read_text() == "hello"


BAD_CASES = [
    ("dotdot", {"../evil.txt": "x"}, {}, "outside the target"),
    ("dotdot-deep", {"a/../../evil.txt": "x"}, {}, "outside the target"),
    ("absolute", {"/tmp/evil.txt": "x"}, {}, "absolute path"),
    ("link-abs", {"ok.txt": "x"}, {"l": "/etc"}, "absolute path /etc"),
    ("link-out", {"ok.txt": "x"}, {"a/l": "../../x"}, "points outside"),
]


@pytest.mark.parametrize(("label", "files", "links", "message"), BAD_CASES)
@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_unsafe_archive_refused_nothing_written(tmp_path: Path, kind: str, label: str, files: dict[str, str],
                                                links: dict[str, str], message: str) -> None:
    archive = tmp_path / f"{label}.{kind}"
    if kind == "zip":
        _zip(archive, {"first.txt": "1", **files}, links)
    else:
        _tar(archive, {"first.txt": "1", **files}, links)
    out = tmp_path / "deep" / "out"
    with pytest.raises(UnsafeArchive) as exc:
        extract(str(archive), str(out))
    assert str(archive) in str(exc.value) and message in str(exc.value)
    assert not out.exists()
    assert not (tmp_path / "deep" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert isinstance(exc.value, CMError)


def test_symlink_chain_out_of_zip_is_refused(tmp_path: Path) -> None:
    """``s -> .`` and ``l -> s/..`` look inside when read one by one, but ``l`` resolves outside."""
    archive = _zip(tmp_path / "chain.zip", {"l/evil.txt": "x"}, {"s": ".", "l": "s/.."})
    out = tmp_path / "deep" / "out"
    with pytest.raises(UnsafeArchive):
        extract(str(archive), str(out))
    assert not (tmp_path / "deep" / "evil.txt").exists()


def test_file_through_a_link_in_zip_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = _zip(tmp_path / "via.zip", {"l/evil.txt": "x"}, {"l": "sub"})
    out = tmp_path / "out"
    with pytest.raises(UnsafeArchive):
        extract(str(archive), str(out))
    assert _tree(outside) == []


def test_tar_hardlink_out_and_device_refused(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "hard.tar.gz", {"a": "1"}, hardlinks={"h": "../../etc/passwd"})
    with pytest.raises(UnsafeArchive, match="outside"):
        extract(str(archive), str(tmp_path / "o1"))
    dev = tmp_path / "dev.tar"
    with tarfile.open(dev, "w") as tf:
        info = tarfile.TarInfo("null")
        info.type = tarfile.CHRTYPE
        info.devmajor, info.devminor = 1, 3
        tf.addfile(info)
    with pytest.raises(UnsafeArchive, match="device"):
        extract(str(dev), str(tmp_path / "o2"))
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


@pytest.mark.parametrize("name", ["broken.zip", "broken.tar.gz"])
def test_corrupt_archive_is_a_clear_error(tmp_path: Path, name: str) -> None:
    archive = tmp_path / name
    archive.write_bytes(b"this is not an archive")
    with pytest.raises(CMError, match="not a valid"):
        extract(str(archive), str(tmp_path / "o"))


def test_make_zip_skips_git_and_is_relative(tmp_path: Path) -> None:
    src = tmp_path / "repo"
    (src / ".git").mkdir(parents=True)
    (src / ".git" / "HEAD").write_text("x")
    (src / "a").mkdir()
    (src / "a" / "f.txt").write_text("f")
    (src / "cmr.yaml").write_text("alias: r\n")
    count = make_zip(str(src), str(tmp_path / "cm.zip"))
    assert count == 2
    with zipfile.ZipFile(tmp_path / "cm.zip") as zf:
        assert sorted(zf.namelist()) == ["a/f.txt", "cmr.yaml"]
    assert sorted(os.listdir(tmp_path)) == ["cm.zip", "repo"]


def test_check_tree_links(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    (root / "in").symlink_to("x")
    check_tree_links(str(root))
    (root / "out").symlink_to(str(tmp_path))
    with pytest.raises(UnsafeArchive, match="points outside"):
        check_tree_links(str(root))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.zip", True), ("a.ZIP", True), ("a.tar.gz", True), ("a.tgz", True), ("a.tar", True),
     ("a.tar.xz", True), ("a.gz", False), ("a", False)],
)
def test_is_archive_name(name: str, expected: bool) -> None:
    assert is_archive_name(name) is expected
