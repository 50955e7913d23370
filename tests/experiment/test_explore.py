"""The exploration language: what upstream users write works; anything else is error 1 naming the
expression (evaluated by colmind.expr, never eval)."""

from __future__ import annotations

import pytest

from colmind.errors import CMError
from colmind.experiment.explore import build_space, dimension_values, extract_inline

VALUES = [
    ([1, 2, 3], [1, 2, 3]),
    (["a", "b"], ["a", "b"]),
    ("[1,2,3]", [1, 2, 3]),
    ("[2**i for i in range(0,6)]", [1, 2, 4, 8, 16, 32]),
    ("range(0,6)", [0, 1, 2, 3, 4, 5]),
    ("range(2, 10, 4)", [2, 6]),
    ("1,2", [1, 2]),  # CM's eval gives the tuple (1, 2)
    ("['xx','yy','zz']", ["xx", "yy", "zz"]),
    ("[x * 8 for x in [1, 2]]", [8, 16]),
    ("5", [5]),
    (7, [7]),
    ("[]", []),
]


@pytest.mark.parametrize(("value", "expected"), VALUES)
def test_values(value, expected):
    assert dimension_values("V", value) == expected


HOSTILE = [
    "__import__('os').system('touch PWNED')",
    "open('/etc/passwd').read()",
    "().__class__.__bases__[0].__subclasses__()",
    "abc",
    "exec('1')",
    "eval('1')",
    "lambda: 1",
    "[x for x in range(10**9)]",
    "10**10**10",
    "'a' * 10**9",
    "[1,2",
    "import os",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_is_an_error_naming_the_expression(text):
    with pytest.raises(CMError) as info:
        dimension_values("V", text)
    assert "explore.V" in str(info.value)
    assert text[:10] in str(info.value) or "'" in str(info.value)


INLINE = [
    ("echo {{A{[1,2]}}}", "echo {{A}}", {"A": "[1,2]"}),
    ("x {{A{[1]}}} {{B{range(2)}}}", "x {{A}} {{B}}", {"A": "[1]", "B": "range(2)"}),
    ("{{A{[ {'x':1} ]}}}", "{{A}}", {"A": "[ {'x':1} ]"}),
    ("echo {{A}} {{B}}", "echo {{A}} {{B}}", {}),
    ("plain", "plain", {}),
    ("{'n': {{N}}}}", "{'n': {{N}}}}", {}),  # a placeholder followed by closing braces
    ("echo }}}", "echo }}}", {}),
]


@pytest.mark.parametrize(("text", "template", "found"), INLINE)
def test_inline(text, template, found):
    assert extract_inline(text) == (template, found)


@pytest.mark.parametrize("text", ["echo {{1A{[1]}}}", "echo {{A B{[1]}}}"])
def test_inline_malformed(text):
    with pytest.raises(CMError):
        extract_inline(text)


def test_space_bounded():
    with pytest.raises(CMError, match="steps"):
        build_space({f"V{n}": "range(100)" for n in range(4)})


def test_bad_dimension_name():
    with pytest.raises(CMError, match="not a valid variable name"):
        dimension_values("A-B", [1])
