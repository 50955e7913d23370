"""``cm replay experiment``: one recorded step re-run with its env and command, compared key by key
against ``--tolerance``; a ``cm-run-record.json`` re-run with its cache keys compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colmind.testing import cli_ok
from tests.experiment.helpers import only_run, records

# writes {"score": <value>, "n": N}: the value grows by 10% per call (counter kept in the caller's cwd)
DRIFT = ("python3 -c \"import json,os; p=os.path.join('{{CD}}','count'); c=int(open(p).read()) if os.path.exists(p) else 0; "
         "open(p,'w').write(str(c+1)); json.dump({'score': 100*1.1**c, 'n': {{N}}}, open('cm-output.json','w'))\"")
STEADY = "python3 -c \"import json; json.dump({'score': 7.5, 'nested': {'n': {{N}}}}, open('cm-output.json','w'))\""


def test_replay_one_step_within_tolerance(cli, cm_home):
    cli_ok(cli, "run", "experiment", "--tags=rp", "--explore.N=[1,2,3]", "--", STEADY)
    run = only_run(cm_home)
    target = records(run)[1]
    res = cli_ok(cli, "replay", "experiment", "--tags=rp", f"--uid={target['uid']}")
    assert "nested.n" in res.stdout and "score" in res.stdout and "+0.00%" in res.stdout
    (replayed,) = records(run / "replays")
    assert replayed["colmind_replay_of"] == target["uid"]
    assert replayed["nested.n"] == 2 and replayed["colmind_dims.N"] == 2
    assert len(records(run)) == 3  # the sweep itself was not re-run


def test_replay_beyond_tolerance_fails(cli, cm_home):
    cli_ok(cli, "run", "experiment", "--tags=drift", "--explore.N=[1]", "--", DRIFT)
    uid = records(only_run(cm_home))[0]["uid"]
    res = cli("replay", "experiment", "--tags=drift", f"--uid={uid}")
    assert res.code == 1 and "+10.00%" in res.stdout and "NO" in res.stdout
    res = cli("replay", "experiment", "--tags=drift", f"--uid={uid}", "--tolerance=25%")
    assert res.code == 0, res.stderr


def test_replay_all_records_of_the_only_run_folder(cli, cm_home):
    cli_ok(cli, "run", "experiment", "--tags=all", "--explore.N=[1,2]", "--", STEADY)
    from colmind import access

    r = access({"action": "replay", "automation": "experiment", "tags": "all"})
    assert r["return"] == 0 and len(r["replays"]) == 2 and all(x["ok"] for x in r["replays"])


def test_replay_errors(cli, cm_home):
    res = cli("replay", "experiment", "--tags=none-such")
    assert res.code == 16 and "experiment not found" in res.stderr
    cli_ok(cli, "run", "experiment", "--tags=e1", "--", "true")
    res = cli("replay", "experiment", "--tags=e1", "--uid=0000000000000000")
    assert res.code == 16 and "couldn't find result with UID" in res.stderr
    res = cli("replay", "experiment", "--tags=e1", "--dir=missing")
    assert res.code == 16 and "nothing to replay" in res.stderr
    res = cli("replay", "experiment", "--tags=e1", "--tolerance=lots")
    assert res.code == 1 and "--tolerance" in res.stderr


def _cached_recipe(cli, cm_home) -> None:
    cli_ok(cli, "add", "script", "my-cached", "--tags=my,cached")
    meta_file = next((cm_home / "repos" / "local" / "script" / "my-cached").glob("_cm.*"))
    if meta_file.suffix == ".json":
        meta = json.loads(meta_file.read_text())
        meta["cache"] = True
        meta_file.write_text(json.dumps(meta))
    else:
        meta_file.write_text(meta_file.read_text() + "\ncache: true\n")


def test_replay_of_a_run_record(cli, cm_home, tmp_path):
    _cached_recipe(cli, cm_home)
    cli_ok(cli, "run", "script", "--tags=my,cached", "--quiet")
    record = tmp_path / "cm-run-record.json"
    assert record.is_file()
    res = cli_ok(cli, "replay", "experiment", f"--record={record}")
    assert "my-cached" in res.stdout and "yes" in res.stdout
    data = json.loads(record.read_text())
    data["plan"]["cache_key"] = "0" * 64
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    res = cli("replay", "experiment", str(tampered))
    assert res.code == 1 and "differs" in res.stderr and "NO" in res.stdout


def test_fixture_results_repository_loads_as_is(cli, cm_home, tmp_path):
    import shutil

    src = Path("/work/shared/fixtures/cm4mlperf-results-v3.1")
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "cm4mlperf-results-v3.1"
    source = fixture if fixture.is_dir() else src
    if not source.is_dir():
        pytest.skip("the cm4mlperf-results sample is not available")
    copy = tmp_path / "results"
    shutil.copytree(source, copy)
    cli_ok(cli, "import", "repo", f"--path={copy}")
    from colmind import access

    found = access({"action": "find", "automation": "experiment", "tags": "mlperf-inference,v3.1"})
    assert found["return"] == 0 and len(found["list"]) == len(list((copy / "experiment").iterdir()))
    power = access({"action": "find", "automation": "experiment",
                    "artifact": "mlperf-inference--v3.1--datacenter--closed-power--image-classification--offline"})
    (art,) = power["list"]
    from colmind.experiment import records as rec_mod

    (run_dir,) = rec_mod.run_folders(art.path)
    recs = rec_mod.load_records(run_dir)
    assert recs and all("Result_Power" in r for r in recs)
    # a record imported from MLPerf has no step folder: replay says so clearly
    res = cli("replay", "experiment", art.alias, f"--uid={recs[0]['uid']}")
    assert res.code == 16 and "only steps run by an experiment can be replayed" in res.stderr


@pytest.mark.parametrize(("compare", "code"), [("n", 0), ("score:25%", 0), ("score:1", 1), ("sc*:25,n:0", 0)])
def test_replay_compare_selects_keys_and_limits(cli, cm_home, compare, code):
    cli_ok(cli, "run", "experiment", "--tags=drift", "--explore.N=[1]", "--", DRIFT)
    uid = records(only_run(cm_home))[0]["uid"]
    res = cli("replay", "experiment", "--tags=drift", f"--uid={uid}", f"--compare={compare}")
    assert res.code == code, res.stdout + res.stderr
    assert ("score" in res.stdout) == ("sc" in compare)
