"""Table tests of the env micro-languages: <<<KEY>>>, +PATH, new_env_keys wildcards, truthiness,
KEY=VALUE read-back, pip version strings, dynamic '#'."""

from __future__ import annotations

import pytest

from colmind.engine import envvars as ev


@pytest.mark.parametrize("value, env, expected", [
    ("<<<A>>>/bin", {"A": "/opt"}, "/opt/bin"),
    ("<<<A>>>-<<<B>>>", {"A": "x", "B": "y"}, "x-y"),
    ("<<<MISSING>>>/bin", {}, "<<<MISSING>>>/bin"),
    ("plain", {"A": "x"}, "plain"),
    (["<<<A>>>", "b"], {"A": "x"}, ["x", "b"]),
    ("<<<A>>>", {"A": True}, "True"),
    (5, {"A": "x"}, 5),
])
def test_substitute(value, env, expected):
    assert ev.substitute(value, env) == expected


def test_resolve_in_place_chains():
    env = {"A": "<<<B>>>/a", "B": "<<<C>>>/b", "C": "/c", "D": "<<<NOPE>>>"}
    ev.resolve_in_place(env)
    assert env == {"A": "/c/b/a", "B": "/c/b", "C": "/c", "D": "<<<NOPE>>>"}


@pytest.mark.parametrize("key, expected", [
    ("+PATH", ("PATH", ":")),
    ("+LD_LIBRARY_PATH", ("LD_LIBRARY_PATH", ":")),
    ("+ CM_DOCKER_BUILD_ARGS", ("CM_DOCKER_BUILD_ARGS", " ")),
    ("+,X", ("X", ",")),
    ("PATH", None),
    ("+", None),
])
def test_plus_key(key, expected):
    assert ev.plus_key(key) == expected


@pytest.mark.parametrize("patterns, expected", [
    (["PROBE_*"], {"PROBE_A", "PROBE_B"}),
    (["PROBE_A"], {"PROBE_A"}),
    (["+PATH"], {"+PATH"}),
    (["+CM_HOST_OS_*"], {"+CM_HOST_OS_LIB"}),
    (["<<<NAME_KEY>>>"], {"OTHER"}),
    (["NOTHING*"], set()),
])
def test_select_keys(patterns, expected):
    env = {"PROBE_A": 1, "PROBE_B": 2, "OTHER": 3, "+PATH": ["/x"], "+CM_HOST_OS_LIB": ["/l"], "NAME_KEY": "OTHER"}
    assert set(ev.select_keys(env, patterns, env)) == expected


KEYS = ["CM_A", "CM_", "CM", "XCM_A", "A_PATH", "PATH", "+PATH", "+CM_X", "CM_A_PATH", "", "a*b", "CM_AB"]
PATTERNS = [[], ["CM_*"], ["*_PATH"], ["*"], ["CM_A"], ["+PATH", "CM_*"], ["CM_*_PATH"], ["CM_?"],
            ["CM_[AB]*"], ["*A*"], ["+*"], ["a*b"], ["**"], ["CM*", "*PATH", "X*"], ["CM_A*", "PATH"]]


@pytest.mark.parametrize("patterns", PATTERNS, ids=[",".join(p) or "none" for p in PATTERNS])
def test_key_matcher_agrees_with_fnmatchcase(patterns):
    from fnmatch import fnmatchcase

    match = ev.key_matcher(patterns)
    for key in KEYS:
        assert match(key) == any(fnmatchcase(key, p) for p in patterns), (key, patterns)
        assert ev.matches_any(key, patterns) == match(key)


@pytest.mark.parametrize("value, true, false", [
    ("yes", True, False), ("on", True, False), ("TRUE", True, False), (" 1 ", True, False), (True, True, False),
    ("no", False, True), ("off", False, True), ("False", False, True), ("0", False, True), ("", False, True),
    (None, False, True), ("maybe", False, False),
])
def test_truthiness(value, true, false):
    assert ev.is_true(value) is true
    assert ev.is_false(value) is false


@pytest.mark.parametrize("text, expected", [
    ("A=1\nB=2\n", {"A": "1", "B": "2"}),
    ("PROBE_FROM_RUN=a=b=c", {"PROBE_FROM_RUN": "a=b=c"}),
    ('Q="q"', {"Q": '"q"'}),
    ("EMPTY=\n\nnoequals\n", {"EMPTY": ""}),
    ("WIN=x\r\n", {"WIN": "x"}),
])
def test_parse_env_out(text, expected):
    assert ev.parse_env_out(text) == expected


@pytest.mark.parametrize("v, lo, hi, expected", [
    ("1.2", "", "", "==1.2"), ("", "1.0", "2.0", ">=1.0,<=2.0"), ("", "1.0", "", ">=1.0"),
    ("", "", "2.0", "<=2.0"), ("", "", "", ""),
])
def test_pip_version_string(v, lo, hi, expected):
    assert ev.pip_version_string(v, lo, hi) == expected


def test_merge_dicts_appends_unique_lists():
    dst = {"+PATH": ["/a"], "d": {"x": 1}, "s": "old"}
    ev.merge_dicts(dst, {"+PATH": ["/a", "/b"], "d": {"y": 2}, "s": "new"}, append_lists=True)
    assert dst == {"+PATH": ["/a", "/b"], "d": {"x": 1, "y": 2}, "s": "new"}


def test_replace_hash_in_values_not_keys():
    meta = {"env": {"K#": "v#"}, "deps": [{"tags": "get,#"}]}
    assert ev.replace_hash(meta, "hi") == {"env": {"K#": "vhi"}, "deps": [{"tags": "get,hi"}]}
