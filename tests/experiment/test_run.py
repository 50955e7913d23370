"""``cm run experiment`` with upstream's own test inputs (cm4mlops automation/experiment/tests,
reproduced inline) gives the folders and records of spec section 3; hostile explore text never runs."""

from __future__ import annotations

import json
import os
import re

import pytest

from colmind.testing import cli_ok
from tests.experiment.helpers import experiments, only_run, records, run_dirs

# tests/test_input.yaml and test_input.json of cm4mlops (a BOM starts the YAML file there)
TEST_INPUT_YAML = '\ufeffexplore:\n  VAR1: [1,2,3]\n  VAR2: ["a","b"]\n  VAR3: "[2**i for i in range(0,6)]"\n'
TEST_INPUT_JSON = {"explore": {"VAR1": [1, 2, 3], "VAR2": ["a", "b"], "VAR3": "[2**i for i in range(0,6)]"}}
# test_run.bat writes cm-output.json; this is its POSIX twin
TEST_RUN_SH = '#!/bin/bash\necho $VAR1 --batch_size=$VAR3 $VAR2\n' \
              'echo "{\\"x\\": $VAR1, \\"y\\": \\"$VAR2\\", \\"z\\": $VAR3}" > cm-output.json\n'
UID16 = re.compile(r"[0-9a-f]{16}\Z")
RUN_NAME = re.compile(r"\d{4}-\d\d-\d\d\.\d\d-\d\d-\d\d(\.\d{6})?(\.\d+)?\Z")


def test_hello_world(cli, cm_home):
    cli_ok(cli, "run", "experiment", "--tags=my,experiment,hello-world", "--", "echo", "Hello World!")
    (art,) = experiments(cm_home)
    meta = json.loads((art / "_cm.json").read_text())
    assert meta["automation_uid"] == "a0a2d123ef064bcb" and meta["automation_alias"] == "experiment"
    assert meta["tags"] == ["my", "experiment", "hello-world"]
    run = only_run(cm_home)
    assert RUN_NAME.match(run.name)
    saved = json.loads((run / "cm-input.json").read_text())
    assert saved["unparsed_cmd"] == ["echo", "Hello World!"] and "cmd" not in saved and "parsed_automation" not in saved
    (rec,) = records(run)
    assert UID16.match(rec["uid"]) and (run / rec["uid"]).is_dir()
    step_input = json.loads((run / rec["uid"] / "cm-input.json").read_text())
    assert step_input["action"] == "native-run" and step_input["command"] == 'echo "Hello World!"'
    assert (run / rec["uid"] / "tmp-native-run.sh").is_file()
    assert rec["colmind_status"] == "ok" and rec["colmind_return_code"] == 0 and rec["colmind_step"] == 1
    # a second run finds the same artifact and makes a second run folder
    cli_ok(cli, "run", "experiment", "--tags=hello-world,my", "--", "echo", "again")
    assert len(experiments(cm_home)) == 1 and len(run_dirs(art)) == 2


def test_test2_cartesian_sweep_with_inline_dimension(cli, cm_home, tmp_path):
    (tmp_path / "test_input.yaml").write_text(TEST_INPUT_YAML, encoding="utf-8")
    cli_ok(cli, "run", "experiment", "--tags=test", "@test_input.yaml", "--", "echo",
           "${VAR1} --batch_size={{VAR1}} {{VAR2}} {{VAR4{['xx','yy','zz']}}}-${VAR3}")
    run = only_run(cm_home)
    recs = records(run)
    assert len(recs) == 3 * 2 * 6 * 3
    assert [r["colmind_step"] for r in recs] == list(range(1, 109))
    first, last = recs[0], recs[-1]
    assert {k: first[f"colmind_dims.{k}"] for k in ("VAR1", "VAR2", "VAR3", "VAR4")} == \
        {"VAR1": 1, "VAR2": "a", "VAR3": 1, "VAR4": "xx"}
    assert {k: last[f"colmind_dims.{k}"] for k in ("VAR1", "VAR2", "VAR3", "VAR4")} == \
        {"VAR1": 3, "VAR2": "b", "VAR3": 32, "VAR4": "zz"}
    step = json.loads((run / last["uid"] / "cm-input.json").read_text())
    assert step["command"] == 'echo "${VAR1} --batch_size=3 b zz-${VAR3}"'
    assert step["env"] == {"VAR1": "3", "VAR2": "b", "VAR3": "32", "VAR4": "zz"}
    assert len({r["colmind_key"] for r in recs}) == 108
    saved = json.loads((run / "cm-input.json").read_text())
    assert saved["explore"] == {"VAR1": [1, 2, 3], "VAR2": ["a", "b"], "VAR3": "[2**i for i in range(0,6)]"}


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_json_yaml_inputs_and_cm_output(cli, cm_home, tmp_path, kind):
    script = tmp_path / "test_run.sh"
    script.write_text(TEST_RUN_SH)
    os.chmod(script, 0o755)
    if kind == "json":
        (tmp_path / "test_input.json").write_text(json.dumps(TEST_INPUT_JSON))
    else:
        (tmp_path / "test_input.yaml").write_text(TEST_INPUT_YAML, encoding="utf-8")
    cli_ok(cli, "run", "experiment", "--tags=test", f"@test_input.{kind}", "--", "{{CD}}/test_run.sh")
    recs = records(only_run(cm_home))
    assert len(recs) == 36
    assert {(r["x"], r["y"], r["z"]) for r in recs} == {(a, b, 2 ** c) for a in (1, 2, 3) for b in "ab" for c in range(6)}


def test_no_shared_default_leak_between_records(cli, cm_home):
    cli_ok(cli, "run", "experiment", "--tags=leak", "--explore.K=['a','b']", "--",
           """python3 -c "import json,sys; json.dump({'{{K}}': {'n': 1}}, open('cm-output.json','w'))" """)
    first, second = records(only_run(cm_home))
    assert first["a.n"] == 1 and "b.n" not in first
    assert second["b.n"] == 1 and "a.n" not in second


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch {marker}')",
    "[open('{marker}', 'w')]",
    "().__class__.__base__.__subclasses__()",
    "exit(1)",
])
def test_hostile_explore_never_executes(cli, cm_home, tmp_path, text):
    marker = tmp_path / "PWNED"
    text = text.format(marker=marker)
    res = cli("run", "experiment", "--tags=hostile", f"--explore.V={text}", "--", f"touch {marker}")
    assert res.code == 1
    assert "explore.V" in res.stderr and text[:12] in res.stderr
    assert not marker.exists()
    assert experiments(cm_home) == []  # nothing was even created


def test_hostile_explore_from_a_file(cli, cm_home, tmp_path):
    marker = tmp_path / "PWNED"
    (tmp_path / "in.yaml").write_text(f"explore:\n  V: \"__import__('os').system('touch {marker}')\"\n")
    res = cli("run", "experiment", "--tags=hostile", "@in.yaml", "--", "echo", "{{V}}")
    assert res.code == 1 and "__import__" in res.stderr and not marker.exists()


def test_inline_hostile(cli, cm_home, tmp_path):
    marker = tmp_path / "PWNED"
    res = cli("run", "experiment", "--tags=hostile", "--", "echo", f"{{{{V{{__import__('os').system('touch {marker}')}}}}}}")
    assert res.code == 1 and "explore.V" in res.stderr and not marker.exists()


def test_unclosed_and_unknown_placeholders_are_errors(cli, cm_home):
    res = cli("run", "experiment", "--tags=x", "--", "echo", "'{{'")
    assert res.code == 1 and "unclosed" in res.stderr
    res = cli("run", "experiment", "--tags=x", "--", "echo", "{{NOPE}}")
    assert res.code == 1 and 'key "NOPE" is not in env during exploration' in res.stderr
    assert experiments(cm_home) == []


def test_failed_step_is_recorded_and_stops(cli, cm_home):
    res = cli("run", "experiment", "--tags=fail", "--explore.N=[1,2,3]", "--", "exit $(( {{N}} == 2 ))")
    assert res.code == 1 and "1 of 2 experiment steps failed" in res.stderr
    recs = records(only_run(cm_home))
    assert [(r["colmind_dims.N"], r["colmind_status"], r["colmind_return_code"]) for r in recs] == \
        [(1, "ok", 0), (2, "failed", 1)]


def test_keep_going_runs_the_rest_and_still_fails(cli, cm_home):
    res = cli("run", "experiment", "--tags=fail", "--keep_going", "--explore.N=[1,2,3]", "--",
              "exit $(( {{N}} == 2 ))")
    assert res.code == 1
    recs = records(only_run(cm_home))
    assert [r["colmind_status"] for r in recs] == ["ok", "failed", "ok"]


def test_env_and_local_variables(cli, cm_home, tmp_path):
    cli_ok(cli, "run", "experiment", "--tags=vars", "--env.GREETING=hi there", "--",
           "printf '%s|%s|%s|%s' \"$GREETING\" {{CM_EXPERIMENT_STEP}} {{CD}} {{CM_EXPERIMENT_PATH3}} > out.txt")
    run = only_run(cm_home)
    (rec,) = records(run)
    text = (run / rec["uid"] / "out.txt").read_text()
    assert text == f"hi there|1|{tmp_path}|{run / rec['uid']}"


@pytest.mark.parametrize("bad", ["../escape", "/tmp/abs", "a/../../b", ".."])
def test_dir_must_stay_inside_the_experiment(cli, cm_home, bad):
    res = cli("run", "experiment", "--tags=d", f"--dir={bad}", "--", "true")
    assert res.code == 1 and "--dir" in res.stderr


def test_named_dir_is_reused(cli, cm_home):
    cli_ok(cli, "run", "experiment", "--tags=d", "--dir=base", "--", "true")
    cli_ok(cli, "run", "experiment", "--tags=d", "--dir=base", "--", "true")
    (art,) = experiments(cm_home)
    assert [p.name for p in run_dirs(art)] == ["base"] and len(records(art / "base")) == 2


def test_no_command(cli, cm_home):
    res = cli("run", "experiment", "--tags=x")
    assert res.code == 1 and "after '--'" in res.stderr


def test_named_artifact_ignores_tags_for_lookup(cli, cm_home):
    cli_ok(cli, "run", "experiment", "mine", "--tags=a,b", "--", "true")
    cli_ok(cli, "run", "experiment", "mine", "--tags=c", "--", "true")
    (art,) = experiments(cm_home)
    assert art.name == "mine" and len(run_dirs(art)) == 2


def test_jobs_records_in_step_order(cli, cm_home):
    # later steps finish first
    cli_ok(cli, "run", "experiment", "--tags=par", "--jobs=3", "--explore.N=[6,5,4,3,2,1]", "--",
           "sleep 0.{{N}}")
    recs = records(only_run(cm_home))
    assert [r["colmind_step"] for r in recs] == [1, 2, 3, 4, 5, 6]
    assert [r["colmind_dims.N"] for r in recs] == [6, 5, 4, 3, 2, 1]


def test_cme_and_test_action(cli, cm_home, monkeypatch):
    import sys

    from colmind.cli import main as cli_main

    monkeypatch.setattr(sys, "argv", ["cme", "--tags=short", "--", "true"])
    with pytest.raises(SystemExit) as info:
        cli_main.run_experiment()
    assert info.value.code == 0
    assert len(experiments(cm_home)) == 1
    res = cli_ok(cli, "test", "experiment", "--x=1")
    assert '"x": "1"' in res.stdout


def test_unknown_executor_and_strategy(cli, cm_home):
    res = cli("run", "experiment", "--tags=e", "--executor=nope", "--", "true")
    assert res.code == 1 and "unknown experiment executor" in res.stderr
    res = cli("run", "experiment", "--tags=e", "--explore_strategy=nope", "--", "true")
    assert res.code == 1 and "unknown explore strategy" in res.stderr
    res = cli("run", "experiment", "--tags=e", "--jobs=many", "--", "true")
    assert res.code == 1 and "--jobs must be a number" in res.stderr
    assert experiments(cm_home) == []


def test_missing_plugin_module_is_a_clear_error(cli, cm_home, monkeypatch):
    from colmind.experiment import executors, strategies

    monkeypatch.setitem(executors.EXECUTORS, "ghost", "colmind.experiment.no_such_module:Ghost")
    monkeypatch.setitem(strategies.STRATEGIES, "ghost", "colmind.experiment.no_such_module:Ghost")
    res = cli("run", "experiment", "--tags=e", "--executor=ghost", "--", "true")
    assert res.code == 1 and "colmind.experiment.no_such_module" in res.stderr and "Traceback" not in res.stderr
    res = cli("run", "experiment", "--tags=e", "--explore_strategy=ghost", "--", "true")
    assert res.code == 1 and "colmind.experiment.no_such_module" in res.stderr


def test_api_with_plain_lists_as_the_mlc_front_end_sends_them(cm_home):
    from colmind import access

    r = access({"action": "run", "automation": "experiment", "tags": ["mlc", "front"],
                "explore": {"batch_size": ["1", "2", "4"]}, "unparsed_cmd": ["test", "{{batch_size}}", "-gt", "0"]})
    assert r["return"] == 0 and r["steps"] == 3, r
    recs = records(only_run(cm_home))
    assert [x["colmind_dims.batch_size"] for x in recs] == ["1", "2", "4"]


def test_records_in_another_repository(cli, cm_home, tmp_path):
    cli_ok(cli, "init", "repo", "myrepo", f"--path={tmp_path / 'myrepo'}")
    cli_ok(cli, "run", "experiment", "myrepo:", "--tags=x,y", "--", "true")
    cli_ok(cli, "run", "experiment", "myrepo:", "--tags=y", "--", "true")  # found again by tags
    (art,) = [p for p in (tmp_path / "myrepo" / "experiment").iterdir()]
    assert len(run_dirs(art)) == 2
    assert experiments(cm_home) == []
