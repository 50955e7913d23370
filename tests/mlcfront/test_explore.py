"""``mlce`` (``mlc experiment script``): MLC's sweep forms mapped onto colmind's experiment runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from colmind.mlc.explore import flags, parse_value, requests, sweeps
from colmind.mlc.grammar import convert_flags, parse
from colmind.mlc.items import MlcError


@pytest.mark.parametrize(("value", "expected"), [
    ("2:5", [2, 3, 4, 5]), ("2:10:4", [2, 6, 10]), ("5:1:-2", [5, 3, 1]), ("8", [8]), ("abc", ["abc"]),
    ("1,2", ["1,2"]),  # no ',' before '=': one value, as in mlcflow
    (["a", "b"], ["a", "b"]), (["1", "3"], [1, 3]), (["1:3", "7"], [1, 2, 3, 7]), ("a:b", ["a:b"]),
    ("-1", ["-1"]),
])
def test_parse_value(value: Any, expected: list[Any]) -> None:
    assert parse_value(value) == expected


def test_zero_step_is_an_error() -> None:
    with pytest.raises(MlcError, match="step of 0"):
        parse_value("1:5:0")


@pytest.mark.parametrize(("tokens", "expected"), [
    ([], [{}]),
    (["--exp.batch_size=1:3"], [{"batch_size": [1, 2, 3]}]),
    (["--exp.model,=resnet50,bert"], [{"model": ["resnet50", "bert"]}]),
    (["--exp.a=1:2", "--exp.b,=x,y"], [{"a": [1, 2]}, {"b": ["x", "y"]}]),  # one key at a time, in order
    (["--exp.a=1", "--exp.a=2"], [{"a": [2]}]),
])
def test_sweeps_one_key_at_a_time(tokens: list[str], expected: list[dict[str, Any]]) -> None:
    assert sweeps(convert_flags(tokens)) == expected


@pytest.mark.parametrize(("run_args", "message"), [
    ({"exp": {"a": {"b": "1"}}}, "Dictionary inputs are not supported"),
    ({"exp.a-b": ["1"]}, "plain input name"),
])
def test_sweep_errors(run_args: dict[str, Any], message: str) -> None:
    with pytest.raises(MlcError, match=message):
        sweeps(run_args)


def test_flags_round_trip() -> None:
    run_args = {"quiet": True, "env": {"A": "1", "B": "x y"}, "adr": {"python": {"version_min": "3.8"}},
                "lst": ["a", "b"], "k": "v"}
    assert convert_flags(flags(run_args)) == run_args


def test_requests_of_an_mlce_command() -> None:
    cmd = parse(["experiment", "script", "exp-tool,_short", "--exp.n=1:3", "--exp.mode,=a,b", "--exp_tags=t1",
                 "--quiet", "--env.X=1"], run_cmd="mlce exp-tool,_short ...")
    reqs = requests(cmd.run_args, "/py")
    assert [r["explore"] for r in reqs] == [{"n": [1, 2, 3]}, {"mode": ["a", "b"]}]
    assert {r["tags"] for r in reqs} == {"exp-tool,t1"}
    assert all(r["action"] == "run" and r["automation"] == "experiment" for r in reqs)
    first = reqs[0]["unparsed_cmd"]
    assert first[:6] == ["/py", "-m", "colmind.mlc", "run", "script", "--tags=exp-tool,_short"]
    assert set(first[6:]) == {"--quiet", "--env.X=1", "--n={{n}}"}
    assert reqs[1]["unparsed_cmd"][-1] == "--mode={{mode}}"


def test_requests_without_exp_is_one_plain_run() -> None:
    (req,) = requests(parse(["experiment", "script", "exp-tool"]).run_args, "/py")
    assert req["explore"] == {} and req["unparsed_cmd"] == ["/py", "-m", "colmind.mlc", "run", "script",
                                                            "--tags=exp-tool"]


def test_requests_need_a_script() -> None:
    with pytest.raises(MlcError, match="No script was selected"):
        requests({"exp.a": "1"}, "/py")


def _have_experiment_runner() -> bool:
    from colmind import access

    return access({"action": "find", "automation": "automation", "artifact": "experiment"}).get("list") != []


def test_mlce_runs_the_experiment_runner(mlc: Any, registered: Path, cm_home: Path) -> None:
    if not _have_experiment_runner():
        pytest.skip("colmind's experiment runner (automation 'experiment') is not in this version")
    log = Path("exp.log").resolve()
    res = mlc("experiment", "script", "exp-tool,_short", "--exp.n=1:2", "--exp.mode,=a,b", "--quiet",
              f"--env.MLC_EXP_LOG={log}")
    assert res.code == 0, res.stderr
    assert log.read_text().splitlines() == ["run"] * 4  # two keys x two values, one key at a time
    found = mlc("find", "experiment", "--tags=exp-tool", "-p")
    assert found.code == 0 and found.stdout.strip()
