"""Version comparison, sources and clamping (spec 2.6)."""

from __future__ import annotations

import pytest

from colmind.engine import versions as v
from colmind.engine.dialect import CM, MLC


@pytest.mark.parametrize("a, b, r", [
    ("1.0", "1.0", 0), ("1.10", "1.9", 1), ("1.0", "1.0.0", 0), ("2", "10", -1), ("3.11.7", "3.11.2", 1),
    ("1.0rc1", "1.0", 1), ("1.0a", "1.0b", -1), ("1.x", "1.0", -1),
])
def test_compare(a, b, r):
    assert v.compare(a, b) == r


@pytest.mark.parametrize("default, c, expected", [
    ("1.0", v.Constraints(), "1.0"),
    ("1.0", v.Constraints(version_min="1.5"), "1.5"),
    ("3.0", v.Constraints(version_max="2.0"), "2.0"),
    ("3.0", v.Constraints(version_max="2.5", version_max_usable="2.1"), "2.1"),
    ("", v.Constraints(version_min="1"), ""),
])
def test_clamp_default(default, c, expected):
    assert v.clamp_default(default, c) == expected


@pytest.mark.parametrize("c, version, ok", [
    (v.Constraints(version="9"), "9.1", True),
    (v.Constraints(version="9.1"), "9.2", False),
    (v.Constraints(version_min="1.0"), "0.9", False),
    (v.Constraints(version_max="2.0"), "2.0", True),
    (v.Constraints(version_max="2.0"), "2.1", False),
    (v.Constraints(), "", True),
])
def test_allows(c, version, ok):
    assert c.allows(version) is ok


@pytest.mark.parametrize("dialect, key", [(CM, "CM_VERSION_MIN"), (MLC, "MLC_VERSION_MIN")])
def test_sources_input_env_meta(dialect, key):
    c = v.from_sources({"version": "1.2"}, {key: "1.0"}, {"version_max": "3"}, dialect)
    assert c == v.Constraints(version="1.2", version_min="1.0", version_max="3")
    assert c.env_items(dialect)[dialect.key("VERSION")] == "1.2"
