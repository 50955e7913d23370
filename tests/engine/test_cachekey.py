"""The cache content key: equal requests share it, any relevant difference changes it."""

from __future__ import annotations

import pytest

from colmind.engine import cachekey as ck
from colmind.engine.versions import Constraints

BASE = dict(script_uid="u", variations=["a"], constraints=Constraints(), env={"IN": "1", "OTHER": "x"},
            env_keys=["IN"], extra_tags=[], dep_lists={"deps": [{"tags": "x"}]})


def key(**over):
    args = {**BASE, **over}
    return ck.compute(**args).digest


def test_stable_and_order_insensitive():
    assert key() == key(variations=["a"]) == key(env={"OTHER": "changed", "IN": "1"})
    assert key(variations=["a", "b"]) == key(variations=["b", "a"])


@pytest.mark.parametrize("change", [
    {"script_uid": "v"}, {"variations": ["b"]}, {"constraints": Constraints(version="2.0")},
    {"env": {"IN": "2"}}, {"extra_tags": ["foo"]}, {"dep_lists": {"deps": [{"tags": "y"}]}},
])
def test_differences_change_key(change):
    assert key(**change) != key()


def test_influencing_keys():
    meta = {"extra_cache_tags_from_env": [{"env": "PYV", "prefix": "python-"}]}
    applied = [{"input_mapping": {"sleep": "PROBE_SLEEP"}, "default_env": {"D": "1"}}]
    deps = {"deps": [{"tags": "a", "enable_if_env": {"E": ["yes"]}, "update_tags_from_env": ["U"],
                      "update_tags_from_env_with_prefix": {"_p.": ["W"]}}]}
    # PYV (extra_cache_tags_from_env) is a dep output: required as an entry tag, not hashed
    assert ck.influencing_env_keys(meta, applied, deps, "CM_") == ["D", "E", "PROBE_SLEEP", "U", "W"]


def test_entry_tags():
    tags = ck.entry_tags(["probe", "probe-cache"], ["probe"], ["a", "-b"], "1.0", ["foo"], "22", "script-artifact-")
    assert tags == ["probe", "probe-cache", "_a", "version-1.0", "foo", "script-artifact-22"]


def test_extra_tags_from_env():
    meta = {"extra_cache_tags_from_env": [{"env": "PYV", "prefix": "python-"}, {"env": "NONE"}]}
    assert ck.extra_tags_from_env(meta, {"PYV": "3.11,3.12"}) == ["deps-python-3.11", "deps-python-3.12"]
