"""Issue 17: recipe helpers hand results back instead of raising (a version probe that finds
nothing is 16), and ``update_deps`` behaves as CM's (conditions of a patch, ``<<<KEY>>>`` values)."""

from __future__ import annotations

import pytest

from colmind.engine.recipe_api import RecipeHelpers


@pytest.fixture
def helpers() -> RecipeHelpers:
    return RecipeHelpers()


@pytest.mark.parametrize(("text", "error"), [
    ("", "version was not detected in tmp-ver.out"),
    ("\n", "version was not detected in tmp-ver.out"),
    ("no digits here", "version was not detected in tmp-ver.out (no digits here)"),
])
def test_parse_version_miss_never_ends_in_a_colon(helpers, tmp_path, monkeypatch, text, error):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmp-ver.out").write_text(text)
    r = helpers.parse_version({"match_text": r"(\d+\.\d+)", "group_number": 1, "env_key": "V", "which_env": {}})
    assert r == {"return": 1, "error": error}


def test_update_deps_reaches_the_list_it_was_given(helpers):
    deps = [{"names": ["register-python"], "tags": "get,python3"}, {"tags": "detect,os"}]
    r = helpers.update_deps({"deps": deps, "update_deps": {"register-python": {"extra_cache_tags": "virtual,name-x"}}})
    assert r == {"return": 0}
    assert deps[0]["extra_cache_tags"] == "virtual,name-x" and "extra_cache_tags" not in deps[1]


def test_update_deps_honours_conditions_and_placeholders(helpers):
    deps = [{"names": ["a"], "tags": "t"}, {"names": ["b"], "tags": "u"}]
    env = {"ON": "yes", "DIR": "/data"}
    helpers.update_deps({"deps": deps, "env": env, "update_deps": {
        "a": {"enable_if_env": {"ON": ["yes"]}, "env": {"P": "<<<DIR>>>"}, "version": "<<<DIR>>>"},
        "b": {"enable_if_env": {"OFF": ["yes"]}, "version": "9"},
    }})
    assert deps[0]["version"] == "/data"
    assert "version" not in deps[1]  # the patch's condition does not hold: not applied (CM)
