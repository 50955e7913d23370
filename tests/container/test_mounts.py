"""Host path -> container path rules, with upstream's path bugs (spec section 5) fixed."""

from __future__ import annotations

import pytest

from colmind.container import mounts
from colmind.errors import CMError


@pytest.mark.parametrize("path, cwd, expected", [
    ("data/x", "/home/u/work", "/home/u/work/data/x"),        # relative to the user's cwd
    ("../x", "/home/u/work", "/home/u/x"),
    ("/data/cache/x", "/", "/data/cache/x"),                  # upstream crashed (cache without local)
    ("/usr/local/cache/y", "/", "/usr/local/cache/y"),        # upstream misread local/cache
    ("C:\\Users\\a\\f.txt", "/", "C:/Users/a/f.txt"),
])
def test_absolute(path: str, cwd: str, expected: str) -> None:
    assert mounts.absolute(path, cwd) == expected


@pytest.mark.parametrize("host, expected", [
    ("/data/cache/x", "/cm-mount/data/cache/x"), ("/x", "/cm-mount/x"), ("C:/a/b", "/cm-mount/c/a/b"),
])
def test_container_path(host: str, expected: str) -> None:
    assert mounts.container_path(host) == expected


@pytest.mark.parametrize("spec, expected", [
    ("/a:/b", ("/a", "/b", False)), ("/a:/b:ro", ("/a", "/b", True)), ("C:\\d:/b", ("C:\\d", "/b", False)),
])
def test_split_spec(spec: str, expected: tuple) -> None:
    assert mounts.split_spec(spec) == expected


@pytest.mark.parametrize("spec", ["/a", "/a:b", "C:/x", ":/b"])
def test_split_spec_rejects(spec: str) -> None:
    with pytest.raises(CMError):
        mounts.split_spec(spec)


def test_placeholder_mount_is_an_error_not_a_silent_drop() -> None:
    with pytest.raises(CMError, match="placeholder"):
        mounts.explicit_mounts(["${{ CM_DATASET_PATH }}:/data"], "/")


def test_input_paths_file_mounts_parent_and_rewrites_dotted_keys() -> None:
    inputs = {"input": "img/cat.jpg", "env": {"CM_MODEL": "/models/m"}}
    found = mounts.map_input_paths(inputs, ["input", "env.CM_MODEL", "absent"], "/w",
                                   lambda p: p == "/w/img/cat.jpg")
    assert inputs == {"input": "/cm-mount/w/img/cat.jpg", "env": {"CM_MODEL": "/cm-mount/models/m"}}
    assert found == [mounts.Mount("/w/img", "/cm-mount/w/img"), mounts.Mount("/models/m", "/cm-mount/models/m")]


def test_unique_sorts_and_prefers_read_write() -> None:
    got = mounts.unique([mounts.Mount("/b", "/y", True), mounts.Mount("/a", "/x"), mounts.Mount("/b", "/y")])
    assert got == [mounts.Mount("/a", "/x"), mounts.Mount("/b", "/y")]
    with pytest.raises(CMError, match="two host paths"):
        mounts.unique([mounts.Mount("/a", "/x"), mounts.Mount("/b", "/x")])
