"""CM object names: UIDs, ``repo:alias,uid`` parsing and matching (spec cm-core 3.1-3.2)."""

from __future__ import annotations

import pytest

from colmind.errors import CMError
from colmind.store.ids import assemble, gen_uid, has_wildcards, is_uid, matches, parse_object


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
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
        ("loc*:art?", [("art?", ""), ("loc*", "")]),
    ],
)
def test_parse_object(obj: str, expected: list[tuple[str, str]]) -> None:
    assert parse_object(obj) == expected


@pytest.mark.parametrize("obj", ["a,b,c", "a:b:c", "r:a,b,c", "a,b,c:x"])
def test_parse_object_errors(obj: str) -> None:
    with pytest.raises(CMError, match="is not recognized"):
        parse_object(obj)


def test_parse_object_error_names_the_whole_object() -> None:
    with pytest.raises(CMError, match="^CM object a:b:c is not recognized$"):
        parse_object("a:b:c")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0123456789abcdef", True), ("0123456789ABCDEF", True), ("1234567890.abcde", True),
     ("0123456789abcde", False), ("0123456789abcdefa", False), ("0123456789abcdeg", False), ("", False)],
)
def test_is_uid(text: str, expected: bool) -> None:
    assert is_uid(text) is expected


def test_gen_uid_is_a_fresh_uid() -> None:
    uids = {gen_uid() for _ in range(200)}
    assert len(uids) == 200
    assert all(is_uid(u) and u == u.lower() for u in uids)


@pytest.mark.parametrize(
    ("real", "query", "expected"),
    [
        # both uids given: the uid decides and the alias is ignored (C34)
        (("1111111111111111", "art1"), ("1111111111111111", "wrong"), True),
        (("1111111111111111", "art1"), ("2222222222222222", "art1"), False),
        (("1111111111111111", "art1"), ("1111111111111111".upper(), ""), True),
        # aliases are case-insensitive
        (("", "gart"), ("", "GART"), True),
        (("", "gart"), ("", ""), True),
        (("", "gart"), ("", "other"), False),
        # wildcards
        (("", "art12"), ("", "art*"), True),
        (("", "art12"), ("", "art?"), False),
        (("", "Art12"), ("", "art??"), True),
        (("", "x"), ("", "*"), True),
        # a uid query against an artifact without uid does not match
        (("", "art1"), ("1111111111111111", ""), False),
    ],
)
def test_matches(real: tuple[str, str], query: tuple[str, str], expected: bool) -> None:
    assert matches(real[0], real[1], query[0], query[1]) is expected


def test_matches_strict() -> None:
    assert matches("", "a", "1111111111111111", "", strict=True) is False
    assert matches("1111111111111111", "a", "1111111111111111", "", strict=True) is True


@pytest.mark.parametrize(("alias", "uid", "text"), [("a", "u", "a,u"), ("a", "", "a"), ("", "u", "u"), ("", "", "")])
def test_assemble(alias: str, uid: str, text: str) -> None:
    assert assemble(alias, uid) == text


@pytest.mark.parametrize(("text", "expected"), [("a*", True), ("a?", True), ("abc", False), ("", False)])
def test_has_wildcards(text: str, expected: bool) -> None:
    assert has_wildcards(text) is expected
