"""Issue 17 item 5: every CM return code leaves the process as a non-zero status when it is not 0
(``sys.exit(512)`` is read as 0 by the shell). cmind 4.2.0 and mlcflow 1.3.8 exit 1 for a hook
returning 512."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colmind.cli.main import error_message, exit_status


@pytest.mark.parametrize(("code", "status"), [
    (0, 0), (None, 0), (False, 0),
    (1, 1), (2, 2), (16, 16), (130, 130), (255, 255),
    (256, 1), (512, 1), (768, 1), (65280, 1), (257, 1),
    (-1, 1), (-9, 1), ("2", 2), ("x", 1), (True, 1), (2.0, 2),
])
def test_exit_status(code, status):
    assert exit_status(code) == status


@given(st.integers())
def test_non_zero_never_reads_as_success(code):
    assert (exit_status(code) == 0) == (code == 0)
    assert 0 <= exit_status(code) <= 255


@pytest.mark.parametrize(("error", "text"), [
    ("version was not found in tmp-ver.out: ", "version was not found in tmp-ver.out"),
    ("failed: ", "failed"),
    ("a:\n", "a"),
    ("", "failed without an error message"),
    ("ok (x)", "ok (x)"),
])
def test_error_message_never_ends_in_a_colon(error, text):
    assert error_message(error) == text


def test_cli_error_line(cli):
    r = cli("run", "script", "--tags=no-such-recipe-anywhere-e17")
    assert r.code != 0
    assert not r.stderr.rstrip().endswith(": !")
