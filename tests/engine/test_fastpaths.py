"""The run path's own stand-ins for stdlib helpers give exactly the stdlib's results:
``jsondump.dumps`` = ``json.dumps``, ``datacopy.deepcopy`` = ``copy.deepcopy``, the placeholder
scanner = the ``<<<([^<>]+?)>>>`` regular expression, the key glob = ``fnmatch.fnmatchcase``."""

from __future__ import annotations

import copy
import fnmatch
import json
import math
import re
from collections import OrderedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colmind.engine import datacopy, envvars, jsondump

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
_keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
_json_like = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                          | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=25)


class Opaque:
    def __str__(self) -> str:
        return "opaque!"


@given(_json_like)
def test_dumps_matches_json(value):
    for kwargs in ({}, {"sort_keys": True}, {"indent": 2}, {"indent": 2, "sort_keys": True},
                   {"sort_keys": True, "separators": (",", ":")}):
        assert jsondump.dumps(value, **kwargs) == json.dumps(value, **kwargs)


@given(st.dictionaries(_keys, _scalars, max_size=5))
def test_dumps_non_string_keys_match_json(value):
    for kwargs in ({}, {"indent": 2}):
        assert jsondump.dumps(value, **kwargs) == json.dumps(value, **kwargs)


@pytest.mark.parametrize("value", [
    {"a": Opaque(), "b": [Opaque(), {"c": 1.5}], "nan": math.nan, "inf": -math.inf},
    [], {}, "only a string \u00e9", [[], {}, [{}]], {"x": (1, 2)}, 10**30,
])
def test_dumps_default_and_edge_values(value):
    for kwargs in ({"default": str}, {"default": str, "indent": 2, "sort_keys": True}):
        assert jsondump.dumps(value, **kwargs) == json.dumps(value, **kwargs)


def test_dumps_errors_match_json():
    loop: list[object] = []
    loop.append(loop)
    for kwargs in ({}, {"indent": 2}):
        with pytest.raises(ValueError, match="Circular reference detected"):
            jsondump.dumps(loop, **kwargs)
        with pytest.raises(TypeError, match="Object of type Opaque is not JSON serializable"):
            jsondump.dumps({"a": Opaque()}, **kwargs)
        with pytest.raises(TypeError, match="keys must be str"):
            jsondump.dumps({(1, 2): 1}, **kwargs)


@given(_json_like)
def test_deepcopy_matches_copy(value):
    got = datacopy.deepcopy(value)
    assert got == copy.deepcopy(value) or got != got  # NaN inside compares unequal to itself
    if isinstance(value, (dict, list)):
        assert got is not value


def test_deepcopy_keeps_shared_and_circular_references():
    shared = ["x"]
    data: dict[str, object] = {"a": shared, "b": shared, "t": (shared, 1), "od": OrderedDict(k=shared)}
    data["self"] = data
    got = datacopy.deepcopy(data)
    assert got["a"] is got["b"] and got["a"] is not shared and got["self"] is got
    assert got["t"][0] is got["a"] and type(got["od"]) is OrderedDict and got["od"]["k"] is got["a"]
    frozen = (1, "a", (2.5, None))
    assert datacopy.deepcopy(frozen) is frozen  # like copy.deepcopy: immutable tuples are kept


_PLACEHOLDER = re.compile(r"<<<([^<>]+?)>>>")
_env_text = st.text(alphabet="<>AB_x\n ", max_size=24)


@given(_env_text, st.dictionaries(st.sampled_from(["A", "B", "AB", "A_x", "x"]),
                                  st.text(alphabet="<>AB", max_size=8), max_size=4))
def test_placeholders_match_the_regular_expression(text, env):
    def repl(m: re.Match[str]) -> str:
        key = m.group(1)
        return str(env[key]) if key in env and not envvars.has_placeholder(env[key]) else m.group(0)

    assert envvars.has_placeholder(text) == (_PLACEHOLDER.search(text) is not None)
    assert envvars.substitute(text, env) == _PLACEHOLDER.sub(repl, text)
    m = _PLACEHOLDER.fullmatch(text)
    assert envvars.placeholder_name(text) == (m.group(1) if m else None)


@pytest.mark.parametrize("key, pattern", [
    ("CM_BENCH_A", "CM_BENCH_*"), ("CM_BENCH_A", "CM_*_A"), ("CM_A", "CM_*_A"), ("CM_A_A", "*A*A"),
    ("X", "*"), ("", "*"), ("CM_X", "CM_?"), ("CM_XY", "CM_?"), ("CM_1", "CM_[0-9]"), ("AB", "A*B*"),
    ("ABA", "A*BA"), ("A", "A*A"), ("+PATH", "+PATH"), ("PATH", "+PATH"), ("abc", "a**c"),
])
def test_key_glob_matches_fnmatchcase(key, pattern):
    assert envvars.matches_any(key, [pattern]) == fnmatch.fnmatchcase(key, pattern)


@given(st.text(alphabet="AB_*", max_size=8), st.text(alphabet="AB_", max_size=8))
def test_key_glob_matches_fnmatchcase_generated(pattern, key):
    assert envvars.matches_any(key, [pattern]) == fnmatch.fnmatchcase(key, pattern)
