"""Queries the index monitor answers itself: which command lines qualify, the wire format, and
the worker's guards (repository code, colmind's own source changing, output capture)."""

from __future__ import annotations

import io
import os
import sys
import threading
import types
from pathlib import Path

import pytest

from colmind.cli import main as cli_main
from colmind.indexd import query as monitor_query
from colmind.indexd.query import CapturedStream, CodeChanged, QueryWorker, Refused
from colmind.store.monitor_protocol import (
    ERR,
    OUT,
    QUERY_ACTIONS,
    Query,
    decode_answer,
    decode_query,
    eligible,
    encode_answer,
    encode_query,
    query_env,
)

ELIGIBLE = [
    (["find", "script", "--tags=get,python"], True),
    (["search", "benchart", "--tags=grp7,run"], True),
    (["ls", "cache"], True),
    (["list", "repo"], True),
    (["find", "foo", "a1"], True),
    (["find", "foo", "a*", "b?"], True),
    (["find", "foo", "local:a1"], True),
    (["find", "foo", "--tags=x,-y"], True),
    (["find"], False),                             # no automation
    (["run", "script", "--tags=x"], False),        # not read-only
    (["rm", "foo", "a1"], False),
    (["find", ".", "--tags=x"], False),            # "." depends on where the client stands
    (["find", "foo", "."], False),
    (["find", "foo", ".."], False),
    (["find", "foo", "./a1"], False),
    (["find", "foo", "@input.json"], False),       # a file relative to the client
    (["find", "foo", "--out=json"], False),        # any flag but --tags
    (["find", "foo", "--tags", "x"], False),
    (["find", "foo", "-j"], False),
    (["find", "foo", "--debug"], False),
    (["find", "foo", "--", "x"], False),
    (["find", "foo", "~/x"], False),
    (["find", "foo", "a/b"], False),
    (["find", "-foo"], False),
    (["find", ""], False),
]


@pytest.mark.parametrize(("argv", "expected"), ELIGIBLE)
def test_which_command_lines_the_monitor_answers(argv: list[str], expected: bool) -> None:
    assert eligible(argv, {}) is expected


@pytest.mark.parametrize("env", [{"CM_CONFIG": "/tmp/cfg.yaml"}, {"CM_DEBUG": "yes"}, {"CM_DEBUG": "1"}])
def test_settings_that_change_behaviour_keep_queries_local(env: dict[str, str]) -> None:
    assert eligible(["find", "foo", "--tags=x"], {}) is True
    assert eligible(["find", "foo", "--tags=x"], env) is False


def test_the_cli_prefilter_names_the_same_actions() -> None:
    # cli.main checks the action before importing anything; it must agree with the protocol
    assert set(cli_main.SERVED_ACTIONS) == QUERY_ACTIONS
    for action in ("run", "add", "rm", "pull"):
        assert cli_main.try_served([action, "foo"]) is None


def test_query_env_keeps_only_what_an_answer_may_depend_on() -> None:
    env = {"CM_REPOS": "/r", "MLC_X": "1", "HOME": "/h", "PATH": "/bin", "LANG": "C", "XCM_Y": "2"}
    assert query_env(env) == {"CM_REPOS": "/r", "MLC_X": "1", "HOME": "/h"}


QUERY = Query("/pkg/colmind", "1.2.3", "/work dir", {"CM_REPOS": "/r", "CM_X": "a=b=c", "HOME": "/h"},
              ("utf-8", "strict", "ascii", "backslashreplace"), ("find", "foo", "--tags=x,y"))


def test_a_query_survives_the_wire() -> None:
    data = encode_query(QUERY)
    head, _, payload = data.partition(b"\n")
    assert head == b"query %d" % len(payload)
    assert decode_query(payload) == QUERY


@pytest.mark.parametrize("payload", [b"", b"2\0a\0b\0c\0d\0e\0f\0g\x000", b"1\0p\0v\0/\0u\0s\0u\0s\x005\0A=1"])
def test_malformed_queries_are_rejected(payload: bytes) -> None:
    with pytest.raises(ValueError):
        decode_query(payload)


@pytest.mark.parametrize("chunks", [[], [(OUT, b"a\n")], [(ERR, b"warn\n"), (OUT, b"x\0y\n"), (ERR, b"")]])
def test_an_answer_survives_the_wire_in_order(chunks: list[tuple[int, bytes]]) -> None:
    assert decode_answer(encode_answer(3, chunks)) == (3, chunks)


def test_a_refusal_is_not_an_answer() -> None:
    assert decode_answer(b"refused busy with another query\n") is None


@pytest.mark.parametrize("data", [b"done 0 1\n1 10\nshort", b"done 0 1\n7 1\nx", b"done 0 0\nextra"])
def test_truncated_answers_are_errors(data: bytes) -> None:
    with pytest.raises(ValueError):
        decode_answer(data)


# -- repository code ------------------------------------------------------------------------------
MODULES = [
    ("import os\nimport json\nfrom cmind.automation import Automation\n", ""),
    ("from mlc.automation import Automation\nimport os.path\n", ""),
    ("import yaml\n", "imports yaml"),
    ("from cmind import utils\n", "imports cmind"),
    ("from . import helper\n", "imports ."),
    ("import importlib\nm = importlib.import_module('x')\n", "imports modules dynamically"),
    ("m = __import__('x')\n", "imports modules dynamically"),
    ("def f():\n    import numpy\n", "imports numpy"),
    ("exec('import numpy')\n", "imports modules dynamically"),
    ("def broken(:\n", "cannot be read (SyntaxError)"),
]


@pytest.mark.parametrize(("source", "problem"), MODULES)
def test_only_modules_importing_the_standard_library_run_in_the_monitor(
        tmp_path: Path, source: str, problem: str) -> None:
    module = tmp_path / "module.py"
    module.write_text(source)
    assert monitor_query._module_import_problem(str(module)) == problem
    if problem:
        with pytest.raises(Refused, match=problem.split(" (")[0]):
            monitor_query._refuse_module(str(module))
    else:
        monitor_query._refuse_module(str(module))


def test_refused_passes_through_access_catch_alls() -> None:
    # access() turns every Exception into a return code; a refusal must reach the worker instead
    assert not issubclass(Refused, Exception)
    assert issubclass(CodeChanged, Refused)


# -- the worker's guards ---------------------------------------------------------------------------
def test_a_changed_colmind_source_stops_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "colmind"
    package.mkdir()
    source = package / "fake.py"
    source.write_text("x = 1\n")
    worker = QueryWorker(str(tmp_path / "CM"), lambda reason: None)
    monkeypatch.setattr(worker, "_package", str(package))
    monkeypatch.setitem(sys.modules, "colmind_fake_for_test", types.SimpleNamespace(__file__=str(source)))
    worker._check_sources()  # remembered
    worker._check_sources()  # unchanged
    source.write_text("x = 22\n")
    with pytest.raises(CodeChanged, match="fake.py changed"):
        worker._check_sources()
    source.unlink()
    with pytest.raises(CodeChanged, match="is gone"):
        worker._check_sources()


def test_another_colmind_is_refused(tmp_path: Path) -> None:
    worker = QueryWorker(str(tmp_path), lambda reason: None)
    with pytest.raises(Refused, match="another colmind"):
        worker._check(QUERY)


def test_unknown_encodings_are_refused() -> None:
    query = Query("/p", "1", "/", {}, ("no-such-codec", "strict", "utf-8", "strict"), ("find", "x"))
    with pytest.raises(Refused, match="encoding"):
        monitor_query._check_encodings(query)


def test_captured_streams_keep_order_and_encoding_per_thread() -> None:
    local = threading.local()
    real_out, real_err = io.StringIO(), io.StringIO()
    out, err = CapturedStream(real_out, OUT, local), CapturedStream(real_err, ERR, local)
    capture = monitor_query.Capture(Query("/p", "1", "/", {}, ("ascii", "backslashreplace", "utf-8", "strict"),
                                          ("find", "x")))
    local.capture = capture
    print("é1", file=out)
    print("é2", file=err)
    other = threading.Thread(target=lambda: print("from another thread", file=out))
    other.start()
    other.join()
    assert out.isatty() is False
    with pytest.raises(Refused):
        _ = out.fileno
    local.capture = None
    print("after", file=out)
    assert capture.chunks == [(OUT, b"\\xe91"), (OUT, b"\n"), (ERR, "é2".encode()), (ERR, b"\n")]
    assert real_out.getvalue() == "from another thread\nafter\n"


def test_entering_and_leaving_a_clients_context_restores_the_monitors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CM_ONLY_IN_MONITOR", "1")
    monkeypatch.setenv("PATH_KEPT", "yes")
    before_env, before_cwd = dict(os.environ), os.getcwd()
    query = Query("/p", "1", str(tmp_path), {"CM_REPOS": "/client", "HOME": "/client-home"},
                  ("utf-8", "strict", "utf-8", "strict"), ("find", "x"))
    monitor_query._enter(query)
    try:
        assert os.getcwd() == str(tmp_path)
        assert os.environ["CM_REPOS"] == "/client" and os.environ["HOME"] == "/client-home"
        assert "CM_ONLY_IN_MONITOR" not in os.environ
        assert os.environ["PATH_KEPT"] == "yes"
    finally:
        monitor_query._leave(before_env, before_cwd)
    assert dict(os.environ) == before_env and os.getcwd() == before_cwd


def test_a_second_query_while_one_runs_is_refused_not_queued(tmp_path: Path) -> None:
    import socket

    worker = QueryWorker(str(tmp_path), lambda reason: None)  # not started: the first never ends
    first, second = socket.socketpair(), socket.socketpair()
    try:
        assert worker.offer(first[0], 10, b"") is True
        assert worker.offer(second[0], 10, b"") is False
    finally:
        for pair in (first, second):
            for end in pair:
                end.close()
