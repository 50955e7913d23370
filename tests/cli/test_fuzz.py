"""Fuzzing the command line and ``@file`` inputs: never a traceback, always an int exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from colmind.testing import run_cli

ALPHABET = "-=,.@ abxyz:*?"
SAFE_ACTIONS = ["find", "load", "print-input", "help", "info", "search", "ls", "version", "", "-h"]
AUTOMATIONS = ["automation", "repo", "nothing", "core", "*", "", "."]

tokens = st.text(alphabet=ALPHABET, min_size=0, max_size=8)
argvs = st.tuples(st.sampled_from(SAFE_ACTIONS), st.sampled_from(AUTOMATIONS), st.lists(tokens, max_size=6))

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


def _check(res: Any) -> None:
    assert isinstance(res.code, int)
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    if res.code:
        assert "internal error" not in res.stderr, res.stderr


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@FUZZ
@given(argv=argvs)
@example(argv=("print-input", "automation", ["--x,"]))
@example(argv=("print-input", "automation", ["--a=1", "--a.b=2"]))
@example(argv=("print-input", "automation", ["--a.=1"]))
@example(argv=("print-input", "automation", ["--.=1", "--..="]))
@example(argv=("find", "automation", ["a:b:c"]))
@example(argv=("find", "a,b,c", []))
@example(argv=("find", "automation", ["@"]))
def test_argv_fuzz(in_tmp: Path, argv: tuple[str, str, list[str]]) -> None:
    action, automation, rest = argv
    _check(run_cli(*[t for t in (action, automation) if t], *rest))


file_bodies = st.one_of(
    st.binary(max_size=60),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "replace")),
    st.dictionaries(st.text(alphabet="abcxyz_-.", max_size=6),
                    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5),
                              st.lists(st.integers(), max_size=3)), max_size=4).map(lambda d: json.dumps(d).encode()),
    st.sampled_from([b"[1, 2]", b"null", b"3", b'"s"', b"{", b"a: [", b"a: 1\n b: 2", b"- x\n- y", b"\xff\xfe",
                     b'{"action": 5}', b'{"automation": ["x"]}', b'{"artifact": {"a": 1}}', b'{"tags": 7}',
                     b'{"action": "find", "automation": null}', b'{"out": 3}', b'{"h": "yes"}',
                     b'{"artifacts": "notalist"}']),
)


@FUZZ
@given(body=file_bodies, ext=st.sampled_from([".json", ".yaml"]), action=st.sampled_from(["print-input", "find"]))
def test_at_file_fuzz(in_tmp: Path, body: bytes, ext: str, action: str) -> None:
    (in_tmp / f"in{ext}").write_bytes(body)
    _check(run_cli(action, "automation", f"@in{ext}"))
    _check(run_cli(f"@in{ext}"))
