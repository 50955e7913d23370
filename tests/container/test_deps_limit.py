"""``--colmind_deps_limit=N`` (the engine side of one image layer per dependency): a top-level fake
run calls only its first N dependencies, each with the env it gets in the full run."""

from __future__ import annotations

import contextlib
import io

from colmind.testing import api_ok


def plan(**extra: object) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        r = api_ok({"action": "run", "automation": "script", "tags": "run-mlperf,inference", "dry_run": True,
                    "quiet": True, **extra})
    return r["plan"]


def shape(node: dict) -> list:
    """A plan node without timings: what was called, with which tags, recursively."""
    return [node["alias"], node["request_tags"], node["cache_key"], [shape(c) for c in node["children"]]]


def test_limit_stops_after_n_dependencies() -> None:
    full = plan(fake_run=True)
    limited = plan(fake_run=True, colmind_deps_limit=3)
    assert [c["alias"] for c in limited["children"]] == [c["alias"] for c in full["children"]][:3]
    assert len(full["children"]) > 3
    assert any(s["reason"] == "colmind_deps_limit" for s in limited["skipped"])
    # nested dependencies are untouched: the third one keeps its own deps
    assert shape(limited["children"][2]) == shape(full["children"][2])


def test_limit_applies_to_fake_runs_only() -> None:
    assert len(plan(colmind_deps_limit=1)["children"]) == len(plan()["children"])
