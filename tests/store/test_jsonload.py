"""``jsonload.loads`` is ``json.loads``: same values, same errors, without importing ``json``."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colmind.store.jsonload import loads

DOCUMENTS = [
    "{}", "[]", " \n\t{\"a\": 1}\r\n ", '{"a": 1, "a": 2}', '"text"', "12", "-0.5e3", "true", "null",
    '{"u": "\\u00e9\\ud83d\\ude00", "n": [1, 2.5, -3]}', '["x", {"y": [null, false]}]',
    "1" * 50, '{"deep": ' * 50 + "1" + "}" * 50,
]
BROKEN = ["", "   ", "[1,]", '{"a": 1} x', "\ufeff{}", '"\x01"', "[1", "nul", "{'a': 1}", '{"a" 1}', "[1] [2]",
          "1e999x", "\"\\x\""]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_same_value_as_json(text: str) -> None:
    assert loads(text) == json.loads(text)


def test_constants_like_json() -> None:
    value = loads("[NaN, Infinity, -Infinity]")
    assert math.isnan(value[0]) and value[1:] == [math.inf, -math.inf]


@pytest.mark.parametrize("text", BROKEN)
def test_same_error_as_json(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert (str(ours.value), ours.value.pos) == (str(theirs.value), theirs.value.pos)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@given(json_values, st.sampled_from(["", " ", "\n\t"]))
def test_round_trips_what_json_writes(value: object, pad: str) -> None:
    text = pad + json.dumps(value, ensure_ascii=False) + pad
    assert loads(text) == json.loads(text)


@pytest.mark.slow
def test_decoding_does_not_import_json() -> None:
    code = ("import sys\nfrom colmind.store.jsonload import loads\n"
            "assert loads('{\"a\": [1, \"b\"]}') == {'a': [1, 'b']}\n"
            "print(sorted(m for m in ('json', 'json.decoder', 're') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.strip()) == (0, "[]"), proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("text", ["{bad", "[1,]", '{"a": 1} x'])
def test_errors_in_a_fresh_process_are_jsons(text: str) -> None:
    # the C scanner's error path imports json.decoder by itself: before ``json`` was ever imported
    # it failed with "SystemError: ... returned NULL without setting an exception"
    code = ("import sys\nfrom colmind.store.jsonload import loads\n"
            f"try:\n    loads({text!r})\nexcept Exception as exc:\n"
            "    print(type(exc).__module__, type(exc).__name__, exc.pos)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert proc.stdout.split() == ["json.decoder", "JSONDecodeError", str(theirs.value.pos)], proc.stderr
