"""Table tests of variation expansion against the probe-env observations (spec 2.5)."""

from __future__ import annotations

import pytest

from colmind.engine import variations as var
from colmind.errors import CMError, NotFound

PROBE_ENV = {
    "v1": {"group": "g", "default": True}, "v2": {"group": "g"}, "extra": {"base": ["v2"]},
    "dyn.#": {}, "v2,dyn.#": {}, "al": {"alias": "extra"},
}


# expanded lists observed from MLC (customize variation_tags) for the same requests
@pytest.mark.parametrize("requested, mlc_expanded, selected_set, combined_cm, combined_mlc", [
    ([], ["v1"], {"v1"}, [], []),
    (["v2"], ["v2"], {"v2"}, [], []),
    (["extra"], ["v2", "extra"], {"v2", "extra"}, [], []),
    (["dyn.hello"], ["dyn.hello", "v1"], {"dyn.hello", "v1"}, [], []),
    (["v2", "dyn.hello"], ["v2", "dyn.hello"], {"v2", "dyn.hello"}, [], ["v2,dyn.#"]),
    (["-v1"], ["-v1"], set(), [], []),
    (["al"], ["v2", "al", "extra"], {"v2", "al", "extra"}, [], []),
])
def test_probe_env(requested, mlc_expanded, selected_set, combined_cm, combined_mlc):
    mlc = var.expand(PROBE_ENV, requested, mlc=True)
    assert mlc.expanded == mlc_expanded
    assert set(mlc.selected) == selected_set
    assert mlc.combined == combined_mlc
    cm = var.expand(PROBE_ENV, requested, mlc=False)
    assert set(cm.selected) == selected_set
    assert cm.explicit == requested
    assert cm.combined == combined_cm


def test_group_conflict_message():
    with pytest.raises(CMError, match=r'Multiple variation tags selected for the variation group "g": \{\'v1\', \'v2\'\}'):
        var.expand(PROBE_ENV, ["v1", "v2"])


@pytest.mark.parametrize("variations, requested, err", [
    ({"a": {}}, ["nope"], NotFound),
    ({"a": {"base": ["b"]}, "b": {}}, ["a", "-b"], CMError),
    ({"a": {"alias": "b", "group": "g"}, "b": {}}, ["a"], CMError),
    ({"a": {"group": "g", "default": True}, "b": {"group": "g", "default": True}}, [], CMError),
    ({"a": {}, "b": {}}, ["a", "b"], None),
])
def test_errors(variations, requested, err):
    if err is None:
        var.expand(variations, requested)
    else:
        with pytest.raises(err):
            var.expand(variations, requested)


def test_default_variations_and_default_variation():
    v = {"x": {"default_variations": {"g": "b"}}, "a": {"group": "g", "default": True}, "b": {"group": "g"},
         "x,b": {"default_variations": {"h": "d"}}, "c": {"group": "h"}, "d": {"group": "h"}}
    assert set(var.expand(v, ["x"]).selected) == {"x", "b", "d"}
    assert set(var.expand(v, [], default_variation="x").selected) == {"x", "b", "d"}
    assert set(var.expand(v, ["x", "-b"]).selected) == {"x", "a"}  # b excluded: group default a applies
    assert set(var.expand(v, []).selected) == {"a"}


def test_valid_invalid_combinations():
    v = {"a": {}, "b": {}, "c": {}}
    with pytest.raises(CMError, match="invalid"):
        var.expand(v, ["a", "b"], invalid_combinations=[["a", "b"]])
    var.expand(v, ["a", "c"], invalid_combinations=[["a", "b"]])
    with pytest.raises(CMError, match="valid_variation_combinations"):
        var.expand(v, ["a", "c"], valid_combinations=[["a", "b"]])


@pytest.mark.parametrize("name, found", [
    ("dyn.hello", ("dyn.#", "hello")), ("dyn.a.b", ("dyn.#", "a.b")), ("dyn.", None), ("v1", ("v1", "")),
    ("nope", None),
])
def test_lookup(name, found):
    assert var.lookup(PROBE_ENV, name) == found
