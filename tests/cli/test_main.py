"""The ``cm`` entry point: exit codes, error printing, --out=json, --save_to_json, help, version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from colmind.errors import AutomationNotFound
from colmind.version import __version__

SYNOPSIS = "cm {action} {automation} {artifact(s)} {flags} @input.yaml @input.json"
COMMON_HELP = SYNOPSIS + """

Common actions to manage CM repositories (use -h | -help to see the API):

  * cm  add
  * cm  copy (cp)
  * cm  delete (rm)
  * cm  info
  * cm  load
  * cm  move (mv, ren, rename)
  * cm  search (find, list, ls)
  * cm  test
  * cm  update
  * cm  version
"""

RAISING_MODULE = '''
from cmind.automation import Automation


class CAutomation(Automation):
    def __init__(self, cmind, automation_file):
        super().__init__(cmind, __file__)

    def boom(self, i):
        """Always fails."""
        return 1 / 0

    def bad(self, i):
        return "not a dict"
'''


def test_no_action_prints_synopsis(cli: Any) -> None:
    res = cli()
    assert (res.code, res.stdout, res.stderr) == (0, SYNOPSIS + "\n", "")


@pytest.mark.parametrize("argv", [["help"], ["-h"], ["--help"], ["-help"], ["--x", "-h"]])
def test_c05_common_help(cli: Any, argv: list[str]) -> None:
    res = cli(*argv)
    assert (res.code, res.stdout, res.stderr) == (0, COMMON_HELP, "")


def test_no_action_does_not_create_repos(cli: Any, cm_home: Path) -> None:
    assert cli().code == 0
    assert not cm_home.exists()


@pytest.mark.parametrize("argv", [["version"], ["--version"], ["version", "--out=con"]])
def test_c03_version(cli: Any, argv: list[str]) -> None:
    res = cli(*argv)
    assert (res.code, res.stdout, res.stderr) == (0, __version__ + "\n", "")


def test_c04_version_out_json(cli: Any) -> None:
    res = cli("version", "--out=json")
    assert res.code == 0
    assert json.loads(res.stdout) == {"return": 0, "version": __version__}


def test_error_goes_to_stderr_and_exit_is_the_return_code(cli: Any) -> None:
    res = cli("find", "nothing")
    assert (res.code, res.stdout, res.stderr) == (4, "", '\nCM error: automation "nothing" not found!\n')


def test_out_json_prints_the_error_dict_and_nothing_on_stderr(cli: Any) -> None:
    res = cli("find", "nothing", "--out=json")
    assert res.code == 4
    assert res.stderr == ""
    assert json.loads(res.stdout) == {"return": 4, "error": 'automation "nothing" not found'}
    assert res.stdout.index('"error"') < res.stdout.index('"return"')  # sorted keys


def test_other_out_values_print_no_error(cli: Any) -> None:
    res = cli("find", "nothing", "--out=xyz")
    assert (res.code, res.stdout, res.stderr) == (4, "", "")


def test_out_json_drops_values_json_cannot_hold(cli: Any) -> None:
    assert cli("add", "automation", "myauto").code == 0
    assert cli("add", "myauto", "art1", "--tags=t").code == 0
    res = cli("find", "myauto", "--out=json")
    assert res.code == 0
    assert json.loads(res.stdout) == {"return": 0}  # C37/C49: Artifact objects are dropped
    res = cli("load", "myauto", "art1", "--out=json")
    data = json.loads(res.stdout)
    assert data["meta"]["tags"] == ["t"] and "path" in data and "original_meta" in data and "artifact" not in data


def test_save_to_json(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("version", "--save_to_json=saved.json")
    assert res.code == 0 and res.stdout == __version__ + "\n"
    text = (tmp_path / "saved.json").read_text()
    assert json.loads(text) == {"return": 0, "version": __version__}
    assert text.startswith('{\n  "return"') and text.endswith("\n")
    res = cli("find", "nothing", "--save_to_json=saved2.json")
    assert res.code == 4 and "CM error" in res.stderr
    assert json.loads((tmp_path / "saved2.json").read_text()) == {
        "error": 'automation "nothing" not found', "return": 4}


def test_help_for_an_automation(cli: Any) -> None:
    res = cli("help", "repo")
    assert res.code == 0
    lines = res.stdout.splitlines()
    assert lines[0] == SYNOPSIS
    assert lines[2].startswith("Automation python module: ") and lines[2].endswith(".py")
    assert "  * cm  search (find, list, ls)  repo" in lines
    assert "Automation actions:" in lines
    actions = lines[lines.index("Automation actions:") + 2:]
    assert "  * cm  pull  repo" in actions and "  * cm  ximport  repo" in actions
    assert "  * cm  search  repo" not in actions  # common actions are not repeated
    assert res.stderr == ""


def test_help_for_a_new_automation_lists_its_methods(cli: Any, cm_home: Path) -> None:
    assert cli("add", "automation", "myauto").code == 0
    module = cm_home / "repos" / "local" / "automation" / "myauto" / "module.py"
    module.write_text(RAISING_MODULE)
    res = cli("help", "myauto")
    assert res.code == 0
    assert f"Automation python module: {module}" in res.stdout
    assert "  * cm  boom  myauto" in res.stdout.splitlines()


@pytest.mark.parametrize("flag", ["--help", "-h", "-help"])
def test_action_help_prints_the_api(cli: Any, flag: str) -> None:
    res = cli("find", "repo", flag)
    assert res.code == 0
    lines = res.stdout.splitlines()
    assert lines[0].startswith("Path to the internal CM automation code: ")
    assert lines[2] == "Python API (add -- to keys if used from the command line):"
    assert lines[4].strip().startswith("def search(")
    assert "List repositories" in res.stdout


def test_action_help_of_a_common_action_on_a_new_automation(cli: Any) -> None:
    """Q04: CM fails with 16 'API not found' for ``cm find myauto -h``; colmind prints the help."""
    assert cli("add", "automation", "myauto").code == 0
    res = cli("find", "myauto", "-h")
    assert res.code == 0 and "def search(" in res.stdout


def test_action_help_does_not_run_the_action(cli: Any, cm_home: Path) -> None:
    assert cli("add", "automation", "myauto").code == 0
    res = cli("add", "myauto", "x1", "--help")
    assert res.code == 0 and "def add(" in res.stdout
    assert cli("load", "myauto", "x1").code == 16


def test_help_of_an_unknown_action(cli: Any) -> None:
    res = cli("nosuch", "repo", "-h")
    assert res.code == 16 and "API not found" in res.stderr


def test_unknown_action(cli: Any) -> None:
    res = cli("remove", "repo")  # C48: 'remove' is not an alias
    assert res.code == 4
    assert res.stderr == '\nCM error: action "remove" not found in automation "repo,55c3e27e8a140e48"!\n'


def test_print_input_prints_the_input(cli: Any) -> None:
    res = cli("print-input", "automation", "x", "--y=1")
    assert res.code == 0
    data = json.loads(res.stdout)
    assert data["artifact"] == "x" and data["y"] == "1" and data["action"] == "print-input"


def test_internal_error_is_a_clear_message_without_traceback(cli: Any, cm_home: Path) -> None:
    assert cli("add", "automation", "myauto").code == 0
    (cm_home / "repos" / "local" / "automation" / "myauto" / "module.py").write_text(RAISING_MODULE)
    res = cli("boom", "myauto")
    assert res.code == 1
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("\nCM error: internal error ZeroDivisionError")
    assert "--debug" in res.stderr
    res = cli("bad", "myauto")
    assert res.code == 1 and "returned no CM result dict" in res.stderr


def test_debug_flag_raises(cli: Any, cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("add", "automation", "myauto").code == 0
    (cm_home / "repos" / "local" / "automation" / "myauto" / "module.py").write_text(RAISING_MODULE)
    with pytest.raises(ZeroDivisionError):
        cli("boom", "myauto", "--debug")
    with pytest.raises(AutomationNotFound):
        cli("find", "nothing", "cm-debug")
    monkeypatch.setenv("CM_DEBUG", "yes")
    with pytest.raises(AutomationNotFound):
        cli("find", "nothing")


def test_broken_module_is_a_clear_error(cli: Any, cm_home: Path) -> None:
    assert cli("add", "automation", "myauto").code == 0
    module = cm_home / "repos" / "local" / "automation" / "myauto" / "module.py"
    module.write_text("x = (\n")
    res = cli("test", "myauto")
    assert res.code == 1 and str(module) in res.stderr and "Traceback" not in res.stderr
    module.write_text("X = 1\n")
    res = cli("test", "myauto")
    assert res.code == 1 and "no class CAutomation" in res.stderr and "Traceback" not in res.stderr


def test_main_handles_keyboard_interrupt(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from colmind.cli import main as main_mod

    def interrupted(*_a: Any, **_k: Any) -> dict[str, Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr("colmind.api.access", interrupted)
    assert main_mod.main(["find", "repo"]) == 130
    assert "Interrupted" in capsys.readouterr().err


def _cm_script() -> str:
    path = Path(sys.executable).parent / "cm"
    if not path.exists():
        pytest.skip("the cm console script is not installed (pip install -e .)")
    return str(path)


@pytest.mark.slow
def test_real_console_script(cm_home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CM_REPOS": str(cm_home)}
    script = _cm_script()
    run = subprocess.run([script, "find", "nothing"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 4
    assert run.stderr == '\nCM error: automation "nothing" not found!\n'
    run = subprocess.run([script, "print-input", "automation", "a", "--x,"], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr and "CM error:" in run.stderr
    run = subprocess.run([script, "add", "automation", "myauto"], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([script, "find", "automation", "myauto"], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.stdout.strip() == str(cm_home / "repos" / "local" / "automation" / "myauto")
    run = subprocess.run([sys.executable, "-m", "colmind", "version"], capture_output=True, text=True, env=env)
    assert (run.returncode, run.stdout) == (0, __version__ + "\n")


@pytest.mark.slow
def test_broken_pipe_is_not_an_internal_error(cm_home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CM_REPOS": str(cm_home)}
    script = _cm_script()
    proc = subprocess.Popen([script, "help", "repo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away (like `cm ... | head -0`)
    err = proc.stderr.read().decode()
    proc.wait()
    assert "internal error" not in err and "Traceback" not in err
