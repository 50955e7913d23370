"""``mlct`` / ``mlc test script``: the meta's ``tests.run_inputs`` become script runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from colmind.mlc.items import MlcError
from colmind.mlc.scripttest import test_runs as runs_of

META = {"alias": "tool", "tags": ["tool", "t"],
        "variations": {"a": {"group": "g"}, "b": {"group": "g"}, "x": {}, "y": {"exclude-in-test": "yes"}, "z": {}}}


def _meta(tests: Any) -> dict[str, Any]:
    return {**META, "tests": tests}


@pytest.mark.parametrize(("tests", "run_args", "expected"), [
    (None, {}, []),
    ({}, {}, []),
    ({"note": "x"}, {}, [("run", "tool,t", {"docker_os": "ubuntu", "docker_os_version": "22.04"})]),
    ({"run_inputs": []}, {}, []),
    ({"run_inputs": [{"variations_list": ["x", "_a,z"]}]}, {},
     [("run", "tool,t,_x", {}), ("run", "tool,t,_a,_z", {})]),
    ({"run_inputs": [{"test-all-variations": True, "quiet": True}]}, {},
     [("run", "tool,t,_x", {"quiet": True}), ("run", "tool,t,_z", {"quiet": True})]),
    ({"run_inputs": [{"id": "one", "k": "1"}, {"id": "two", "k": "2"}]}, {"test_input_id": "two"},
     [("run", "tool,t", {"k": "2"})]),
    ({"run_inputs": [{"k": "1"}, {"k": "2"}, {"k": "3"}]}, {"test_input_index": "2+"},
     [("run", "tool,t", {"k": "2"}), ("run", "tool,t", {"k": "3"})]),
    ({"run_inputs": [{"k": "1"}, {"k": "2"}]}, {"test_input_index": "1", "k": "9"}, [("run", "tool,t", {"k": "9"})]),
    ({"run_inputs": [{"k": "1"}]}, {"test_input_index": "5"}, []),
    ({"run_inputs": [{"docker": True}]}, {}, [("docker", "tool,t", {"docker_image_name": "tool"})]),
])
def test_runs(tests: Any, run_args: dict[str, Any], expected: list[tuple[str, str, dict[str, Any]]]) -> None:
    got = runs_of(_meta(tests) if tests is not None else dict(META), run_args)
    assert [(r.pop("action"), r.pop("tags"), {k: v for k, v in r.items() if k != "automation"}) for r in got] \
        == expected


def test_bad_index() -> None:
    with pytest.raises(MlcError, match="Invalid test_input_index"):
        runs_of(_meta({"run_inputs": [{}]}), {"test_input_index": "x"})


def test_mlct_runs_the_declared_inputs(mlc: Any, registered: Path) -> None:
    meta = registered / "script" / "mpe-tool" / "meta.yaml"
    meta.write_text(meta.read_text() + "tests:\n  run_inputs:\n  - variations_list: [wget, 'install,wget']\n")
    res = mlc("test", "script", "mpe-tool", "--quiet")
    assert res.code == 0, res.stderr
    assert res.stdout.splitlines() == ["tool output for wget (detect)", "tool output for wget (install)"]
    none = mlc("test", "script", "mfail-tool")
    assert none.code == 0 and "declares no tests" in none.stderr
