"""Command building: CM's joining, one-pass substitution, values quoted for their shell context
(checked by a real bash)."""

from __future__ import annotations

import subprocess

import pytest

from colmind.errors import CMError
from colmind.experiment.command import join_command, placeholders, substitute

JOIN = [
    (["echo", "Hello World!"], 'echo "Hello World!"'),
    (["echo", "a"], "echo a"),
    (["echo hi there"], "echo hi there"),  # one argument: the command line itself
    (["cm", "run", "script", "print hello-world native", "--env.X={{V}}"],
     'cm run script "print hello-world native" --env.X={{V}}'),
]


@pytest.mark.parametrize(("argv", "text"), JOIN)
def test_join(argv, text):
    assert join_command(argv) == text


EVIL = ["$(touch PWNED)", "`touch PWNED`", "'; touch PWNED; '", '"; touch PWNED; "', "a b", "x\\", "", "$HOME"]
TEMPLATES = ["printf '%s' {{V}}", 'printf "%s" "{{V}}"', "printf '%s' '{{V}}'", "printf '%s' x{{V}}y"]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("value", EVIL)
def test_values_reach_the_shell_quoted(tmp_path, template, value):
    command = substitute(template, {"V": value})
    out = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert not (tmp_path / "PWNED").exists()
    expected = ("x" + value + "y") if "x{{V}}y" in template else value
    assert out == expected


def test_no_recursive_expansion():
    assert substitute("echo {{A}}", {"A": "{{A}}"}) == "echo '{{A}}'"


def test_unclosed_is_an_error_not_a_hang():
    with pytest.raises(CMError, match="unclosed"):
        placeholders("echo '{{'")


def test_unknown_key():
    with pytest.raises(CMError, match='key "B" is not in env during exploration'):
        substitute("echo {{B}}", {"A": "1"})
