"""``pure_path`` spells paths exactly as ``pathlib`` does."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colmind.store.paths import pure_path

CASES = ["", ".", "/", "//", "///", "//a//b/", "///a", "a/./b/", "./x", "../a/..", "a//b", "/./", "a/.b/.",
         ".a", "~/x", "/home/u/CM/", "CM", "/a/b/../c"]


@pytest.mark.parametrize("text", CASES)
def test_same_spelling_as_pathlib(text: str) -> None:
    assert pure_path(text) == str(PurePosixPath(text))


@given(st.lists(st.sampled_from(["", ".", "..", "a", "b.c", " x"]), max_size=6), st.sampled_from(["", "/", "//", "///"]))
def test_any_mix_of_separators_and_dots(parts: list[str], root: str) -> None:
    text = root + "/".join(parts)
    assert pure_path(text) == str(PurePosixPath(text))
