"""Formulas and rules: expressions, quoting, Pareto, deltas, points, challenge status."""

from __future__ import annotations

import itertools
import random
import shlex
import subprocess

import pytest

from colmind.playground import commands, community, compare, explore, expressions
from colmind.playground.names import BadInput
from colmind.playground.pareto import front


@pytest.mark.parametrize("text, rec, keep", [
    ("result['Result_Power'] < 35", {"Result_Power": 20}, True),
    ("result['Result_Power'] < 35", {"Result_Power": 50}, False),
    ("Result_Power < 35 and 'NVIDIA' in Organization", {"Result_Power": 1, "Organization": "NVIDIA"}, True),
    ("result.get('x', 0) == 0", {}, True),
    ("result['missing'] > 1", {}, False),  # error -> excluded and counted
])
def test_filters(text: str, rec: dict, keep: bool) -> None:
    errors = expressions.Errors()
    out = expressions.apply([rec], [], expressions.compile_filter(text), errors)
    assert bool(out) is keep
    if text.startswith("result['missing']"):
        assert errors.filter == 1


def test_derived_metrics_upstream_syntax() -> None:
    d = expressions.compile_derived("result['Power_Efficiency']=1000/result['Result_Power']; x2 = result['x'] * 2")
    errors = expressions.Errors()
    out = expressions.apply([{"Result_Power": 20.0, "x": 3}, {"x": 1}], d, None, errors)
    assert out[0]["Power_Efficiency"] == 50.0 and out[0]["x2"] == 6 and out[1]["x2"] == 2
    assert "Power_Efficiency" not in out[1] and errors.derived == 1


@pytest.mark.parametrize("bad", ["__import__('os')", "result.__class__", "(lambda: 1)()", "exec('1')",
                                 "open('/etc/passwd')", "9**9**9**9", "import os"])
def test_hostile_expressions_are_refused_or_contained(bad: str) -> None:
    with pytest.raises(BadInput):
        f = expressions.compile_filter(bad)
        # compiled but harmless: evaluation is bounded and fails per record
        errors = expressions.Errors()
        expressions.apply([{}], [], f, errors)
        assert errors.filter == 1
        raise BadInput("contained")


def test_pareto_equals_brute_force() -> None:
    rnd = random.Random(7)
    for _ in range(300):
        pts = [(rnd.randint(0, 5), rnd.randint(0, 5)) for _ in range(rnd.randint(0, 12))]
        for mx in itertools.product([True, False], repeat=2):
            s = [1 if m else -1 for m in mx]
            brute = [i for i, a in enumerate(pts) if not any(
                all(s[k] * b[k] >= s[k] * a[k] for k in range(2)) and any(s[k] * b[k] > s[k] * a[k] for k in range(2))
                for b in pts)]
            assert sorted(front(pts, mx)) == brute


def test_mlcommons_delta_and_efficiency() -> None:
    assert compare.delta_percent(90, 100) == pytest.approx(10.0)
    assert compare.delta_percent(1, 0) is None and compare.delta_percent("a", 1) is None
    assert compare.efficiency({"Scenario": "Offline", "Result": 100, "Result_Power": 50}) == 2
    assert compare.efficiency({"Scenario": "SingleStream", "Result_Power": 10}) == 100
    assert compare.efficiency({"Scenario": "MultiStream", "Result_Power": 10}) == 800


def test_points_formula_and_order() -> None:
    metas = [{"name": "A B", "points": [{"point": 2}], "challenges": ["x"]},
             {"name": "C D", "ongoing": ["y"]},
             {"organization": "Org", "points": [{"point": "bad"}, {"point": 10}]},
             {"name": "Skip", "skip": True}]
    rows = community.leaderboard(metas)
    assert [r["name"] for r in rows] == ["C D", "Org", "A B"]
    assert [r["points"] for r in rows] == [2, 11, 4]


@pytest.mark.parametrize("meta, today, status", [
    ({"date_open": "20990101"}, "20240101", "future"),  # upstream listed this as ongoing
    ({"date_open": "20230101", "date_close": "20240101"}, "20240101", "ongoing"),  # closes today
    ({"date_open": "20230101", "date_close": "20231231"}, "20240101", "past"),
    ({"date_open": "2023-01-01"}, "20240101", "preparation"),
    ({"date_open": "20230101", "under_preparation": True}, "20240101", "preparation"),
])
def test_challenge_status(meta: dict, today: str, status: str) -> None:
    assert community.challenge_status(meta, today) == status


META = {"tags": ["run-mlperf", "inference"],
        "variations": {"cpu": {"group": "device", "default": True}, "cuda": {"group": "device"}, "fast": {},
                       "alias1": {"alias": "cpu"}, "internal_": {}},
        "input_mapping": {"model": "CM_MODEL", "out": "CM_OUT"}}


def test_builder_prefill_keys() -> None:
    b = commands.build(META, {"~~device": "cuda", "~fast": "true", "@model": "resnet50"})
    assert commands.command(b) == "cm run script --tags=run-mlperf,inference,_cuda,_fast \\\n   --model=resnet50"
    assert [g.name for g in b.groups] == ["device"] and [v for v, _ in b.free] == ["fast"]
    b = commands.build(META, {"~~device": ""})
    assert commands.command(b) == "cm run script --tags=run-mlperf,inference"
    with pytest.raises(BadInput):
        commands.build(META, {"~~device": "tpu"})
    with pytest.raises(BadInput):
        commands.build(META, {"@bad flag": "x"})


@pytest.mark.parametrize("value", ["$(touch /tmp/x)", "a b", "it's", 'say "hi"', "`id`", "a;b|c&d", "C:\\x y"])
def test_posix_quoting_round_trips_through_a_real_shell(value: str) -> None:
    b = commands.build(META, {"@model": value})
    cmd = commands.command(b)
    argv = shlex.split(cmd.replace("\\\n", " "))
    assert argv[-1] == f"--model={value}"
    out = subprocess.run(["sh", "-c", "printf '%s\\n' " + cmd.split("\\\n   ")[1]], capture_output=True, text=True)
    assert out.stdout.rstrip("\n") == f"--model={value}"


def test_windows_quoting() -> None:
    b = commands.build(META, {"@model": 'a "b" c', "@out": "C:\\data"})
    cmd = commands.command(b, windows=True)
    assert '--model="a \\"b\\" c"' in cmd and "--out=C:\\data" in cmd and " ^\n" in cmd


def test_python_snippet_is_a_literal() -> None:
    import ast

    b = commands.build(META, {"@model": "x'y"})
    snippet = commands.python_snippet(b)
    call = ast.parse(snippet).body[1].value  # r = colmind.access({...})
    assert ast.literal_eval(call.args[0])["model"] == "x'y"


def test_query_accepts_upstream_spellings() -> None:
    q = explore.Query.from_params({"axis_key_s": "version", "type": "2D"})
    assert q.s == "version" and q.type == "2d-static"
    assert explore.Query.from_params({"type": "BAR"}).type == "bar"


def test_sort_numbers_text_missing() -> None:
    rows = [{"k": 2}, {"k": "b"}, {}, {"k": 10}, {"k": "a"}]
    assert [r.get("k") for r in explore.sort_rows(rows, "k", False)] == [2, 10, "a", "b", None]
    assert [r.get("k") for r in explore.sort_rows(rows, "k", True)] == [10, 2, "b", "a", None]


def test_aggregate() -> None:
    rows = [{"g": "a", "v": 1}, {"g": "a", "v": 3}, {"g": "b", "v": 5}, {"g": "b", "v": "x"}]
    got = explore.aggregate(rows, "g", ["v"], "mean")
    assert got == [{"g": "a", "count": 2, "v": 2.0}, {"g": "b", "count": 2, "v": 5.0}]


@pytest.mark.parametrize("flt, first", [
    ("result['a'] > 1", True), ("a > 1", True), ("result['ppw'] > 1", False), ("ppw > 1", False),
    ("result.get('a') > 1", False), ("len(result) > 1", False),
])
def test_filter_runs_first_only_when_it_reads_no_derived_key(flt: str, first: bool) -> None:
    read = expressions.keys_read(expressions.compile_filter(flt))
    assert (read is not None and "ppw" not in read) is first
    recs = [{"a": i, "b": 2} for i in range(5)]
    derived = expressions.compile_derived("result['ppw'] = result['a'] / result['b']")
    got = expressions.apply(recs, derived, expressions.compile_filter(flt), expressions.Errors())
    slow = [dict(r, ppw=r["a"] / r["b"]) for r in recs]
    want = expressions.apply(slow, [], expressions.compile_filter(flt), expressions.Errors())
    assert got == want


def test_expensive_expressions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    flt = expressions.compile_filter("len([i for i in range(9000)]) + len([i for i in range(9000)]) + "
                                     "len([i for i in range(9000)]) > 0")
    errors = expressions.Errors()
    assert expressions.apply([{}], [], flt, errors) == [] and errors.filter == 1  # step limit per record
    monkeypatch.setattr(expressions, "TIME_BUDGET_S", 0.0)
    with pytest.raises(BadInput, match="took over"):
        expressions.apply([{"a": 1}] * 200, [], expressions.compile_filter("a > 0"), expressions.Errors())


def test_filter_memo_gives_the_same_answers_and_counts_errors() -> None:
    recs = [{"s": "Offline" if i % 3 else "Server", "v": [i] if i % 5 == 0 else i} for i in range(30)]
    recs += [{"s": 1}, {"s": 1.0}, {"s": True}]
    for text in ("result['s'] == 'Offline'", "s == 'Server' and v > 3", "result['nope'] > 1", "str(s) == '1'"):
        flt = expressions.compile_filter(text)
        e1, e2 = expressions.Errors(), expressions.Errors()
        fast = expressions.apply(recs, [], flt, e1)
        slow = [r for r in recs if expressions._passes(flt, r, None, {}, e2)]
        assert fast == slow and e1.filter == e2.filter
