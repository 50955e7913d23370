"""Table tests of enable_if_env / skip_if_env / *_any_env (spec 2.8, observed cm_depcond_*)."""

from __future__ import annotations

import pytest

from colmind.engine import conditions as c


@pytest.mark.parametrize("env, key, expected, result", [
    ({"K": "yes"}, "K", ["yes"], True),
    ({"K": "on"}, "K", ["yes"], True),
    ({"K": "anything"}, "K", ["yes"], True),
    ({"K": "no"}, "K", ["yes"], False),
    ({"K": ""}, "K", ["yes"], False),
    ({}, "K", ["yes"], False),
    ({}, "K", ["no"], True),
    ({"K": "off"}, "K", ["no"], True),
    ({"K": "yes"}, "K", ["no"], False),
    ({"K": "linux"}, "K", ["linux", "darwin"], True),
    ({"K": "Linux "}, "K", ["linux"], True),
    ({"K": "windows"}, "K", ["linux"], False),
    ({"K": "yes"}, "K", "yes", True),          # scalar wrapped in a list (not iterated per char)
    ({"K": "y"}, "K", "yes", True),             # 'y' is not a false word
    ({"K": "<<<X>>>"}, "K", ["yes"], False),    # unresolved placeholder = unset
    ({"K": True}, "K", [True], True),
])
def test_key_matches(env, key, expected, result):
    assert c.key_matches(env, key, expected) is result


COND = {"A": ["yes"], "B": ["yes"]}


@pytest.mark.parametrize("item, env, active", [
    ({"enable_if_env": COND}, {"A": "yes", "B": "yes"}, True),
    ({"enable_if_env": COND}, {"A": "yes"}, False),
    ({"enable_if_any_env": COND}, {"A": "yes"}, True),
    ({"enable_if_any_env": COND}, {}, False),
    ({"skip_if_env": COND}, {"A": "yes", "B": "yes"}, False),
    ({"skip_if_env": COND}, {"A": "yes"}, True),
    ({"skip_if_any_env": COND}, {"B": "yes"}, False),
    ({"skip_if_any_env": COND}, {}, True),
    ({}, {}, True),
])
def test_evaluate(item, env, active):
    verdict = c.evaluate(item, env)
    assert verdict.active is active
    assert bool(verdict.reason) is (not active)


def test_reason_names_the_condition():
    v = c.evaluate({"enable_if_env": {"PROBE_ENABLE": ["yes"]}}, {})
    assert "enable_if_env" in v.reason and "PROBE_ENABLE=<unset>" in v.reason
