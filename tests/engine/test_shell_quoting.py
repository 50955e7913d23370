"""Issue 17 item 3: which values reach a native script literally (the user's and the host's, E9)
and which keep CM's double-quoted meaning (every value a recipe made), checked in real bash."""

from __future__ import annotations

import subprocess

import pytest

from colmind.engine import shell


def bash_sees(tmp_path, env, literal, names, extra_env=None):
    """Source the exports in bash and print each name's value."""
    script = tmp_path / "exports.sh"
    text = "\n".join(shell.export_lines(env, literal=literal)) + "\n"
    script.write_text(text + "".join(f'printf "%s\\n" "${{{n}}}"\n' for n in names))
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/home/h", **(extra_env or {})})
    return proc.stdout.split("\n")[:len(names)]


@pytest.mark.parametrize(("value", "seen"), [
    ("plain", "plain"),
    ("$HOME/x", "/home/h/x"),                              # expands, as under CM and MLC
    ("${HOME}/x", "/home/h/x"),
    (r"echo \${PIPESTATUS[0]} > f", "echo ${PIPESTATUS[0]} > f"),  # benchmark-program: expands at eval
    ('say "hi"', 'say "hi"'),                              # a bare quote never ends the value (MLC)
    (r'say \"hi\"', 'say "hi"'),                           # an escaped one stays escaped
    ("ends with \\", "ends with \\"),                      # a trailing backslash never eats the quote
    ("two \\\\", "two \\"),
    ("`echo sub`", "sub"),
    ("a'b", "a'b"),
])
def test_recipe_values_keep_cm_meaning(tmp_path, value, seen):
    assert bash_sees(tmp_path, {"K": value}, {}, ["K"]) == [seen]


@pytest.mark.parametrize("value", ["$HOME/x", r"\${PIPESTATUS[0]}", 'say "hi"', "`echo no`", "a'b", "ends \\"])
def test_user_and_host_values_stay_literal(tmp_path, value):
    # E9: a value the user (or the host) gave is exactly what the script sees
    assert bash_sees(tmp_path, {"K": value}, {"K": {value}}, ["K"]) == [value]


def test_literal_is_per_key_and_per_value(tmp_path):
    env = {"A": "$HOME", "B": "$HOME"}
    # the user gave A=$HOME; B's same text came from a recipe; A changed by a recipe is the recipe's
    assert bash_sees(tmp_path, env, {"A": {"$HOME"}}, ["A", "B"]) == ["$HOME", "/home/h"]
    assert bash_sees(tmp_path, {"A": "$HOME/y"}, {"A": {"$HOME"}}, ["A"]) == ["/home/h/y"]


def test_no_run_in_progress_means_all_literal(tmp_path):
    assert shell.literal_values() is None
    assert bash_sees(tmp_path, {"K": "$HOME"}, None, ["K"]) == ["$HOME"]


def test_cm_quote_is_one_shell_word():
    assert shell.cm_quote('a"b') == '"a\\"b"'
    assert shell.cm_quote("x\\") == '"x\\\\"'
