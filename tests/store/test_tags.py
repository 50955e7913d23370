"""Tag queries: AND-tags and ``-tag`` exclusions (spec cm-core 3.3)."""

from __future__ import annotations

from typing import Any

import pytest

from colmind.store.tags import TagQuery, split_tags


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a,b", ["a", "b"]), ("a, b ,c", ["a", "b", "c"]), ("", []), (",,a,,", ["a"]), (None, []), (True, []),
     (False, []), (["a", " b ", ""], ["a", "b"]), ("-x,y", ["-x", "y"]), ([1, 2], ["1", "2"])],
)
def test_split_tags(value: Any, expected: list[str]) -> None:
    assert split_tags(value) == expected


@pytest.mark.parametrize(
    ("query", "tags", "expected"),
    [
        ("", ["a"], True),
        ("", [], True),
        ("a", ["a", "b"], True),
        ("a,b", ["a", "b"], True),
        ("a,b", ["a"], False),
        ("a,-b", ["a"], True),
        ("a,-b", ["a", "b"], False),
        ("-b", [], True),
        ("-b", ["b"], False),
        ("A", ["a"], False),  # exact and case-sensitive
        ("a", ["ab"], False),
        (["a", "-c"], ["a", "b"], True),
        ("-", ["a"], True),  # a lone '-' excludes nothing
    ],
)
def test_tag_query(query: Any, tags: list[str], expected: bool) -> None:
    assert TagQuery.parse(query).matches(tags) is expected


def test_tag_query_parts() -> None:
    q = TagQuery.parse("a, -b ,c,-d")
    assert q.required == ("a", "c") and q.excluded == ("b", "d") and not q.empty
    assert TagQuery.parse("").empty and TagQuery.parse(None).empty
