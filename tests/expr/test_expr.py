"""The safe expression language: what it accepts, what it refuses, and that nothing escapes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colmind.errors import CMError
from colmind.expr import ExprError, Limits, compile_assignments, compile_expr, evaluate

ACCEPTED = [
    ("[1, 2, 3]", {}, [1, 2, 3]),
    ("1,2", {}, (1, 2)),  # upstream --explore.V=1,2 evaluates to a tuple
    ("range(3)", {}, range(3)),
    ("list(range(0, 10, 3))", {}, [0, 3, 6, 9]),
    ("[2**i for i in range(0,6)]", {}, [1, 2, 4, 8, 16, 32]),
    ("['xx','yy','zz']", {}, ["xx", "yy", "zz"]),
    ("[ {'x':1} ]", {}, [{"x": 1}]),
    ("[x * 2 for x in [1, 2, 3] if x != 2]", {}, [2, 6]),
    ("[(a, b) for a in range(2) for b in 'xy']", {}, [(0, "x"), (0, "y"), (1, "x"), (1, "y")]),
    ("{k: v for k, v in [('a', 1)]}", {}, {"a": 1}),
    ("sum(x for x in range(5))", {}, 10),
    ("x * 2 + 1", {"x": 20}, 41),
    ("7 // 2, 7 % 2, 7 / 2, -3, +3", {}, (3, 1, 3.5, -3, 3)),
    ("1 < x <= 3", {"x": 3}, True),
    ("'a' in s and not 'z' in s", {"s": "abc"}, True),
    ("x if x > 0 else -x", {"x": -4}, 4),
    ("result['Result_Power'] < 35", {"result": {"Result_Power": 30.0}}, True),
    ("1000 / result['Result_Power']", {"result": {"Result_Power": 40.0}}, 25.0),
    ("result.get('missing', 0) + 1", {"result": {}}, 1),
    ("result['Model'].lower().startswith('resnet')", {"result": {"Model": "ResNet50"}}, True),
    ("lower(m) == 'bert' or contains(m, 'ER')", {"m": "BERT"}, True),
    ("round(log10(1000), 3), sqrt(16), abs(-2), min(3, 1), max([4, 9])", {}, (3.0, 4.0, 2, 1, 9)),
    ("isfinite(float('inf'))", {}, False),
    ("sorted([3, 1, 2], reverse=True)[0:2]", {}, [3, 2]),
    ("None is None and True", {}, True),
    ("len('héllo ✓')", {}, 7),
]


@pytest.mark.parametrize(("text", "variables", "expected"), ACCEPTED)
def test_accepted_forms_evaluate_like_python(text: str, variables: dict, expected: object) -> None:
    assert evaluate(text, variables) == expected


REFUSED = [
    ("__import__('os').system('touch /tmp/pwned')", "is not allowed"),
    ("__import__('os')", "function __import__() is not allowed"),
    ("open('/etc/passwd').read()", "attribute .read is not allowed"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute"),
    ("x.__class__", "attribute .__class__ is not allowed"),
    ("__builtins__", "name '__builtins__' is not allowed"),
    ("lambda: 1", "Lambda is not allowed"),
    ("(y := 3)", "NamedExpr is not allowed"),
    ("f'{x}'", "JoinedStr is not allowed"),
    ("eval('1')", "function eval() is not allowed"),
    ("getattr(x, 'a')", "function getattr() is not allowed"),
    ("abc", "unknown name 'abc'"),
    ("9**9**9", "too large"),
    ("10**100000", "too large"),
    ("[1]*10**9", "too large"),
    ("'x' * 10**8", "too large"),
    ("[[1]*100000]*100000", "too large"),
    ("[[1]*100000 for i in range(100000)]", "evaluation steps"),
    ("[x for x in range(100000) for y in range(100000)]", "evaluation steps"),
    ("range(10**9)", "range of"),
    ("'%999999999d' % 1", "formatting"),
    ("str([[1]*10000]*10000)", "too large"),
    ("sum([[1]], [])", "numbers only"),
    ("1/0", "division by zero"),
    ("{{", "syntax error"),
    ("echo '{{'", "syntax error"),
    ("", "syntax error"),
    ("(" * 500 + ")" * 500, "nested"),
    ("x" * 5000, "longer than"),
    ("[1 for x in 5]", "cannot loop over"),
    ("b'bytes'", "constant of type bytes"),
    ("f(*a)", "not allowed"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refused_forms_name_the_expression(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        evaluate(text, {"x": 1, "a": [1]})
    assert message in str(info.value)
    assert "expression " in str(info.value)


def test_error_is_a_cm_error_with_return_code_1() -> None:
    err = pytest.raises(ExprError, evaluate, "nope").value
    assert isinstance(err, CMError) and isinstance(err, ValueError)
    assert err.to_dict()["return"] == 1 and "'nope'" in err.to_dict()["error"]


def test_non_text_is_refused() -> None:
    with pytest.raises(ExprError, match="must be text"):
        compile_expr(["not", "text"])


def test_names_and_declared_names() -> None:
    expr = compile_expr("[i * k for i in range(n)] + [result['x']]")
    assert expr.names == frozenset({"k", "n", "result"})
    compile_expr("a + b", names={"a", "b", "c"})
    with pytest.raises(ExprError, match="unknown name"):
        compile_expr("a + z", names={"a"})


def test_loop_variables_do_not_leak_between_comprehensions() -> None:
    assert evaluate("[i for i in range(2)] + [j for j in range(i)]", {"i": 3}) == [0, 1, 0, 1, 2]


def test_limits_are_configurable() -> None:
    small = Limits(max_items=10)
    with pytest.raises(ExprError, match="range of 11 items"):
        evaluate("range(11)", limits=small)
    assert evaluate("range(10)", limits=small) == range(10)


def test_assignments_add_derived_metrics_in_order() -> None:
    prog = compile_assignments("result['Power_Efficiency']=1000/result['Result_Power']; "
                               "result['Twice'] = result['Power_Efficiency'] * 2\nHalf = result['Twice'] / 4")
    record = {"Result_Power": 40.0}
    assert prog.apply(record) == {"Result_Power": 40.0, "Power_Efficiency": 25.0, "Twice": 50.0, "Half": 12.5}
    assert record == {"Result_Power": 40.0}, "apply must not mutate its input"
    assert prog.keys == ["Power_Efficiency", "Twice", "Half"]


@pytest.mark.parametrize("text", [
    "import os", "result['a'] = __import__('os')", "del result['a']", "result['a'] += 1", "x.y = 1",
    "result[0] = 1", "print(1)", "a = b = 1", "for i in x: pass",
])
def test_assignments_refuse_anything_but_plain_assignments(text: str) -> None:
    with pytest.raises(ExprError):
        compile_assignments(text)


def test_assignment_errors_per_record() -> None:
    prog = compile_assignments("result['r'] = 1 / result['p']")
    assert prog.apply({"p": 2})["r"] == 0.5
    for bad in ({"p": 0}, {}, {"p": "x"}):
        with pytest.raises(ExprError):
            prog.apply(bad)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_only_ever_raises_expr_error(text: str) -> None:
    try:
        evaluate(text, {"x": 1, "result": {"a": 1}})
    except ExprError:
        pass


_ATOMS = st.sampled_from(["x", "1", "2.5", "'s'", "[1,2]", "range(3)", "result['a']", "None", "-1", "10**3"])
_OPS = st.sampled_from([" + ", " * ", " / ", " ** ", " < ", " and ", " or ", " in ", " % ", " // "])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_ATOMS, _OPS), min_size=1, max_size=8), _ATOMS)
def test_generated_expressions_never_escape(parts: list[tuple[str, str]], last: str) -> None:
    text = "".join(a + o for a, o in parts) + last
    try:
        value = evaluate(text, {"x": 3, "result": {"a": 2}})
    except ExprError:
        return
    if isinstance(value, float):
        assert math.isnan(value) or isinstance(value, float)
