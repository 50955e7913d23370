"""Dependency helpers: ad/adr patches, variation dep merging, final tags, local env stash."""

from __future__ import annotations

import pytest

from colmind.engine import deps
from colmind.errors import CMError


def test_update_dep_info():
    dep = {"tags": "a,b", "env": {"X": "1"}, "names": ["n"], "enable_if_env": {"K": ["yes"]}}
    deps.update_dep_info(dep, {"tags": "_c,<<<T>>>,b", "env": {"Y": "2"}, "version": "1.0",
                               "enable_if_env": {"Z": ["no"]}})
    assert dep == {"tags": "a,b,_c", "env": {"X": "1", "Y": "2"}, "names": ["n"],
                   "enable_if_env": {"K": ["yes"]}, "version": "1.0"}


def test_apply_patches_strict_and_lenient():
    lists = {"deps": [{"tags": "a", "names": ["pc"]}], "post_deps": [{"tags": "b", "names": ["pc", "x"]}]}
    deps.apply_patches(lists, {"pc": {"tags": "_c"}}, strict=True)
    assert lists["deps"][0]["tags"] == "a,_c" and lists["post_deps"][0]["tags"] == "b,_c"
    deps.apply_patches(lists, {"missing": {"tags": "_d"}}, strict=False)
    with pytest.raises(CMError, match="missing"):
        deps.apply_patches(lists, {"missing": {"tags": "_d"}}, strict=True)


def test_merge_dep_list_replaces_by_names_or_tags():
    existing = [{"tags": "a", "names": ["n"]}, {"tags": "b,c"}]
    deps.merge_dep_list(existing, [{"tags": "a2", "names": ["n"]}, {"tags": "c,b", "env": {"X": 1}},
                                   {"tags": "d"}])
    assert existing == [{"tags": "a2", "names": ["n"]}, {"tags": "c,b", "env": {"X": 1}}, {"tags": "d"}]


@pytest.mark.parametrize("dep, env, expected", [
    ({"tags": "get,x"}, {}, "get,x"),
    ({"tags": "get,x", "update_tags_from_env": ["V"]}, {"V": "_v1"}, "get,x,_v1"),
    ({"tags": "get,x", "update_tags_from_env": ["V"]}, {"V": ""}, "get,x"),
    ({"tags": "get,x", "update_tags_from_env_with_prefix": {"_path.": ["P"]}}, {"P": "/a"}, "get,x,_path./a"),
    ({"tags": "get,x", "update_tags_from_env_with_prefix": {"_v.": ["P"]}}, {"P": ["1", "2"]}, "get,x,_v.1,_v.2"),
    ({"tags": "get,<<<T>>>"}, {"T": "y"}, "get,y"),
    ({"tags": "get,x", "inherit_variation_tags": True}, {}, "get,x,_a,_b"),
    ({"tags": "get,x,_-a", "inherit_variation_tags": True}, {}, "get,x,_-a,_b"),
    ({"tags": "get,x", "inherit_variation_tags": True, "skip_inherit_variation_groups": ["g"]}, {}, "get,x,_b"),
])
def test_final_tags(dep, env, expected):
    assert deps.final_tags(dep, env, {}, ["a", "b"], {"a": "g"}) == expected


def test_stash_local_and_force():
    env = {"CM_VERSION": "9.9", "CM_TMP_X": "1", "KEEP": "k", "PH": "<<<NOPE>>>", "CM_GIT_URL": "u"}
    stash = deps.stash_local(env, ["CM_VERSION", "CM_TMP_*", "CM_GIT_*"], {"force_env_keys": ["CM_GIT_*"]},
                             ["CM_VERSION"])
    assert env == {"KEEP": "k", "CM_GIT_URL": "u"}
    assert stash == {"CM_VERSION": "9.9", "CM_TMP_X": "1", "PH": "<<<NOPE>>>"}
    env2 = {"CM_VERSION": "1"}
    assert deps.stash_local(env2, ["CM_VERSION"], {"reuse_version": True}, ["CM_VERSION"]) == {}


def test_child_input_passes_other_keys():
    child = deps.child_input({"tags": "a", "names": ["n"], "env": {}, "msg": "hi", "version": "1",
                              "enable_if_env": {}}, "a,_x")
    assert child == {"tags": "a,_x", "msg": "hi", "version": "1"}
