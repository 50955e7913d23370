"""print-hello-world: meta as in the community recipe, run.sh output with and without variations."""

from __future__ import annotations

from pathlib import Path

import pytest
from recipe_fixtures import assert_valid_meta, run_native


def test_meta() -> None:
    meta = assert_valid_meta("print-hello-world", ["print", "hello-world", "hello world", "hello", "world"])
    assert meta["default_env"] == {"CM_ENV_TEST1": "TEST1"}
    assert meta["env"] == {"CM_ENV_TEST2": "TEST2"}
    assert meta["input_mapping"] == {"test1": "CM_ENV_TEST1"}
    assert meta["variations"]["skip_print_env"]["env"] == {"CM_PRINT_HELLO_WORLD_SKIP_PRINT_ENV": "yes"}
    assert meta["variations"]["text.#"]["env"] == {"CM_PRINT_HELLO_WORLD_TEXT": "#"}
    assert meta["new_env_keys"] == ["CM_ENV_TEST*"]


@pytest.mark.slow
def test_plain_run(tmp_path: Path) -> None:
    proc, _ = run_native("print-hello-world", {"CM_ENV_TEST1": "TEST1", "CM_ENV_TEST2": "TEST2"}, tmp_path)
    assert proc.returncode == 0
    lines = [ln for ln in proc.stdout.splitlines() if ln]
    assert lines == ["CM_ENV_TEST1 = TEST1", "CM_ENV_TEST2 = TEST2", "CM_ENV_TEST3 = ", "HELLO WORLD!"]


@pytest.mark.slow
def test_skip_print_env_and_text(tmp_path: Path) -> None:
    env = {"CM_ENV_TEST1": "FROM_INPUT", "CM_PRINT_HELLO_WORLD_SKIP_PRINT_ENV": "yes",
           "CM_PRINT_HELLO_WORLD_TEXT": "HELLO_CM"}
    proc, _ = run_native("print-hello-world", env, tmp_path)
    assert proc.returncode == 0
    assert [ln for ln in proc.stdout.splitlines() if ln] == ["HELLO WORLD!", "HELLO_CM"]
