"""``cm run script ... --repro`` writes cm-output.json as CM's experiments read it; upstream's
test3 pattern (a sweep over a nested ``cm run script``) records the recipe's outputs."""

from __future__ import annotations

import json
import shlex
import sys

from colmind.testing import cli_ok
from tests.experiment.helpers import only_run, records


def test_repro_files(cli, cm_home, tmp_path):
    cli_ok(cli, "run", "script", "print hello-world native", "--repro", "--quiet", "--env.CM_ENV_TEST1=x")
    data = json.loads((tmp_path / "cm-output.json").read_text())
    assert data["tmp_test_value"] == 10.0
    assert data["info"]["host_system"] and data["info"]["run_uid"]
    assert data["input"]["env"] == {"CM_ENV_TEST1": "x"}
    assert data["output"]["return"] == 0 and data["output"]["new_env"]["CM_ENV_TEST1"] == "x"
    assert data["acm_ctuning_repro_badge_functional"] is True
    for name in ("input", "info", "output", "run-state"):
        assert (tmp_path / "cm-repro" / f"cm-run-script-{name}.json").is_file()


def test_repro_after_a_failure_has_no_badge(cli, cm_home, tmp_path):
    res = cli("run", "script", "--tags=no,such,recipe,anywhere", "--repro", "--quiet")
    assert res.code != 0
    data = json.loads((tmp_path / "cm-output.json").read_text())
    assert data["output"]["return"] == res.code and "acm_ctuning_repro_badge_functional" not in data


def test_test3_sweep_over_a_recipe(cli, cm_home, tmp_path):
    # tests/test3_input.yaml of cm4mlops
    (tmp_path / "test3_input.yaml").write_text(
        'explore:\n  VAR1: [1,2,3]\n  VAR2: ["a","b"]\n  CM_ENV_TEST3: "[2**i for i in range(0,2)]"\n')
    cm = f"{shlex.quote(sys.executable)} -m colmind"
    cli_ok(cli, "run", "experiment", "--tags=test", "@test3_input.yaml", "--", *shlex.split(cm), "run", "script",
           "print hello-world native", "--env.CM_ENV_TEST1={{VAR1}}", "--const.CM_ENV_TEST2={{VAR2}}", "--repro",
           "--quiet")
    recs = records(only_run(cm_home))
    assert len(recs) == 3 * 2 * 2
    last = recs[-1]
    assert last["output.return"] == 0 and last["acm_ctuning_repro_badge_functional"] is True
    assert last["output.new_env.CM_ENV_TEST1"] == "3" and last["output.new_env.CM_ENV_TEST2"] == "b"
    assert last["info.host_system"]
