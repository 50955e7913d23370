"""Pareto fronts: equal to brute force (hypothesis), synthetic functions with known fronts,
constraints, and ``cm pareto experiment`` end to end."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colmind.experiment.objectives import (
    ObjectiveError,
    check_known,
    feasible,
    parse_constraints,
    parse_objectives,
    repeated,
)
from colmind.experiment.pareto import front_indices, pareto
from colmind.testing import cli_ok


def brute_front(records: list[dict[str, Any]], objectives: list[str], constraint: str = "") -> list[int]:
    """Definition: a feasible record no other feasible record is >= on all and > on one."""
    senses = [(o.split(":")[0], o.split(":")[1]) for o in objectives]
    ok = [i for i, r in enumerate(records)
          if all(k in r for _, k in senses) and (not constraint or _plain_check(r, constraint))]

    def better_or_equal(a: dict[str, Any], b: dict[str, Any]) -> list[bool]:
        return [(a[k] >= b[k]) if s == "max" else (a[k] <= b[k]) for s, k in senses]

    def strictly(a: dict[str, Any], b: dict[str, Any]) -> list[bool]:
        return [(a[k] > b[k]) if s == "max" else (a[k] < b[k]) for s, k in senses]

    return [i for i in ok if not any(all(better_or_equal(records[j], records[i])) and
                                     any(strictly(records[j], records[i])) for j in ok if j != i)]


def _plain_check(record: dict[str, Any], constraint: str) -> bool:
    key, limit = constraint.split(" <= ")
    return bool(record[key] <= float(limit))


values = st.integers(min_value=-4, max_value=4)  # small: many ties and duplicates
records_st = st.lists(st.fixed_dictionaries({"a": values, "b": values, "c": values}), max_size=40)
objectives_st = st.lists(st.sampled_from(["max:a", "min:a", "max:b", "min:b", "max:c", "min:c"]),
                         min_size=1, max_size=3, unique_by=lambda o: o.split(":")[1])


@settings(max_examples=300, deadline=None)
@given(records_st, objectives_st)
def test_front_equals_brute_force(records: list[dict[str, Any]], objectives: list[str]) -> None:
    found = pareto(records, parse_objectives(objectives))
    assert found.front == brute_front(records, objectives)


@settings(max_examples=150, deadline=None)
@given(records_st, objectives_st, st.sampled_from(["a", "b", "c"]), values)
def test_front_with_a_constraint_equals_brute_force(records: list[dict[str, Any]], objectives: list[str],
                                                    key: str, limit: int) -> None:
    text = f"{key} <= {limit}"
    found = pareto(records, parse_objectives(objectives), parse_constraints([text]))
    assert found.front == brute_front(records, objectives, text)
    assert found.feasible == [i for i, r in enumerate(records) if r[key] <= limit]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), max_size=60))
def test_front_indices_on_floats(points: list[tuple[float, float]]) -> None:
    records = [{"x": x, "y": y} for x, y in points]
    assert front_indices(points) == brute_front(records, ["max:x", "max:y"])


def test_schaffer_front_is_the_interval_between_the_minima() -> None:
    """min x^2 and min (x-2)^2: the Pareto set is exactly 0 <= x <= 2."""
    xs = [i / 4 for i in range(-20, 21)]
    records = [{"colmind_dims.x": x, "f1": x * x, "f2": (x - 2) ** 2} for x in xs]
    found = pareto(records, parse_objectives(["min:f1", "min:f2"]))
    assert [xs[i] for i in found.front] == [x for x in xs if 0 <= x <= 2]


def test_derived_metric_and_dimension_names() -> None:
    """An objective may be an expression over record keys and dimension values."""
    records = [{"colmind_dims.n": n, "time": t} for n, t in [(1, 1.0), (2, 1.5), (4, 4.0), (8, 4.0)]]
    found = pareto(records, parse_objectives(["max:n / time"]))
    assert found.front == [3]  # 8 / 4.0 = 2.0 is the best throughput
    found = pareto(records, parse_objectives(["max:n / time", "min:time"]))
    assert found.front == [0, 1, 3]


def test_single_objective_front_keeps_ties() -> None:
    records = [{"r": 3}, {"r": 5}, {"r": 5}, {"r": 1}]
    assert pareto(records, parse_objectives(["max:r"])).front == [1, 2]


def test_records_without_a_value_or_failing_a_constraint_are_not_feasible() -> None:
    records = [{"r": 9, "ok": "VALID"}, {"r": 10, "ok": "INVALID"}, {"ok": "VALID"}, {"r": "n/a"},
               {"r": float("nan")}, {"r": "7.5", "ok": "VALID"}]
    found = pareto(records, parse_objectives(["max:r"]), parse_constraints(["ok == 'VALID'"]))
    assert found.feasible == [0, 5]
    assert found.front == [0]
    assert found.values[5] == (7.5,)


@pytest.mark.parametrize(("text", "record", "expected"), [
    ("latency < 10", {"latency": 5}, True),
    ("latency < 10", {"latency": 15}, False),
    ("latency < 10", {}, False),  # missing: the step did not produce it
    ("result['out.status'] == 'ok' and threads >= 2", {"out.status": "ok", "colmind_dims.threads": 4}, True),
    ("result['out.status'] == 'ok' and threads >= 2", {"out.status": "ok", "colmind_dims.threads": 1}, False),
    ("x / y > 1", {"x": 1, "y": 0}, False),  # division by zero: not feasible, no crash
])
def test_constraints(text: str, record: dict[str, Any], expected: bool) -> None:
    assert feasible(record, parse_constraints([text])) is expected


@pytest.mark.parametrize("text", ["max", "best:x", "max:", "x"])
def test_bad_objectives_are_refused(text: str) -> None:
    with pytest.raises(ObjectiveError, match="max:KEY or min:KEY"):
        parse_objectives([text])


@pytest.mark.parametrize("text", ["__import__('os').system('id')", "x.__class__", "lambda: 1", "(("])
def test_unsafe_or_broken_constraints_are_refused(text: str) -> None:
    with pytest.raises(ObjectiveError, match="constraint"):
        parse_constraints([text])


def test_typos_are_errors_not_empty_fronts() -> None:
    records = [{"r": 1, "lat": 2}]
    with pytest.raises(ObjectiveError, match="rr"):
        check_known(records, parse_objectives(["max:rr"]), [])
    with pytest.raises(ObjectiveError, match="latency"):
        check_known(records, parse_objectives(["max:r"]), parse_constraints(["latency < 3"]))


def test_repeated_flags_come_from_the_raw_command_line() -> None:
    i = {"objective": "min:b", "cmd": ["pareto", "experiment", "--objective=max:a", "--objective=min:b"]}
    assert repeated(i, "objective") == ["max:a", "min:b"]
    assert repeated({"objective": ["max:a", "min:b"]}, "objective") == ["max:a", "min:b"]
    assert [o.label for o in parse_objectives(["max:a,min:b"])] == ["max:a", "min:b"]
    assert [o.label for o in parse_objectives(["max:max(a,b)"])] == ["max:max(a,b)"]


# -- cm pareto experiment ---------------------------------------------------------------------
SCHAFFER = 'echo "{\\"f1\\": $((X*X)), \\"f2\\": $(((X-2)*(X-2)))}" > cm-output.json'


@pytest.mark.slow
def test_cm_pareto_experiment_writes_the_front(cli: Any) -> None:
    cli_ok(cli, "run", "experiment", "schaffer", "--explore.X=list(range(-3, 6))", "--", SCHAFFER)
    res = cli_ok(cli, "pareto", "experiment", "schaffer", "--objective=min:f1", "--objective=min:f2")
    assert "Pareto front: 3 of 9 feasible records" in res.stdout
    run_dirs = [d for d in (os.path.join(root, n) for root, dirs, _ in os.walk(os.environ["CM_REPOS"])
                            for n in dirs) if os.path.isfile(os.path.join(d, "cm-pareto.json"))]
    assert len(run_dirs) == 1
    doc = json.load(open(os.path.join(run_dirs[0], "cm-pareto.json")))
    assert doc["objectives"] == ["min:f1", "min:f2"]
    assert sorted(row["dims"]["X"] for row in doc["front"]) == [0, 1, 2]
    results = json.load(open(os.path.join(run_dirs[0], "cm-result.json")))
    by_uid = {r["uid"]: r for r in results}
    assert sorted(by_uid[u]["colmind_dims.X"] for u in doc["front_uids"]) == [0, 1, 2]
    res = cli_ok(cli, "pareto", "experiment", "schaffer", "--objective=min:f1", "--objective=min:f2",
                 "--constraint=X >= 1", "--out=json")
    out = json.loads(res.stdout)
    assert sorted(row["dims"]["X"] for row in out["front"]) == [1, 2]
    assert out["feasible"] == 5
    assert not math.isnan(out["front"][0]["values"]["min:f1"])


@pytest.mark.slow
def test_cm_pareto_experiment_errors(cli: Any) -> None:
    cli_ok(cli, "run", "experiment", "schaffer", "--explore.X=[1, 2]", "--", SCHAFFER)
    res = cli("pareto", "experiment", "schaffer")
    assert res.code != 0 and "--objective" in res.stderr
    res = cli("pareto", "experiment", "schaffer", "--objective=max:nothere")
    assert res.code != 0 and "nothere" in res.stderr
    res = cli("pareto", "experiment", "schaffer", "--objective=max:f1", "--constraint=open('x')")
    assert res.code != 0 and "constraint" in res.stderr
