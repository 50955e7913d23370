"""Table tests of the tag query grammar (spec 2.3)."""

from __future__ import annotations

import pytest

from colmind.engine import tagquery as tq
from colmind.errors import CMError


@pytest.mark.parametrize("text, tags, excl, var, excl_var, requested", [
    ("a,b", ("a", "b"), (), (), (), ()),
    (" a , b ,,", ("a", "b"), (), (), (), ()),
    ("a,-b", ("a",), ("b",), (), (), ()),
    ("a,_v1,_v2", ("a",), (), ("v1", "v2"), (), ("v1", "v2")),
    ("a,_-v1", ("a",), (), (), ("v1",), ("-v1",)),
    ("a,-_v1", ("a",), (), (), ("v1",), ("-v1",)),
    ("a,_dyn.hello", ("a",), (), ("dyn.hello",), (), ("dyn.hello",)),
    ("a,_v1,_v1", ("a",), (), ("v1",), (), ("v1",)),
    ("hello world,x", ("hello world", "x"), (), (), (), ()),
    ("_v2,a,_-v1", ("a",), (), ("v2",), ("v1",), ("v2", "-v1")),
])
def test_parse(text, tags, excl, var, excl_var, requested):
    q = tq.parse(text)
    assert (q.tags, q.excluded_tags, q.variations, q.excluded_variations, q.requested) == (
        tags, excl, var, excl_var, requested)


@pytest.mark.parametrize("text", ["a,-a", "a,_v,_-v"])
def test_conflicts(text):
    with pytest.raises(CMError):
        tq.parse(text)


@pytest.mark.parametrize("positional, tags", [
    ("get python3", ["get", "python3"]),
    ("_v1 _v2", ["_v1", "_v2"]),
    ("a,b c", ["a", "b", "c"]),
])
def test_positional(positional, tags):
    assert tq.positional_to_tags(positional) == tags


def test_display_and_string():
    q = tq.parse("probe,probe-env,_v2,-x,_-v1")
    assert q.display() == "probe probe-env -x _v2 _-v1"
    assert q.as_string() == "probe,probe-env,-x,_v2,_-v1"
    assert q.script_query() == ["probe", "probe-env", "-x"]


@pytest.mark.parametrize("have, req, excl, ok", [
    (["a", "b"], ["a"], [], True),
    (["a", "b"], ["a", "c"], [], False),
    (["a", "b"], ["a"], ["b"], False),
    (["a"], [], ["b"], True),
])
def test_matches(have, req, excl, ok):
    assert tq.matches(have, req, excl) is ok
