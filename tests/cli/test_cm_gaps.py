"""CM fidelity gaps of issue 13 (each checked against cmind 4.2.0, transcripts in the docstrings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from colmind.testing import cli_ok


# `cm <common action> -h` without an automation: the common action's API text (cmind prints
# "Path to the internal CM automation code: .../cmind/automation.py", a blank line,
# "Python API (add -- to keys if used from the command line):", a blank line, "def search(self, i):")
@pytest.mark.parametrize(("argv", "method"), [
    (("find", "-h"), "search"), (("search", "--help"), "search"), (("ls", "-h"), "search"),
    (("rm", "-h"), "delete"), (("add", "--help"), "add"), (("cp", "-h"), "copy"),
    (("mv", "-h"), "move"), (("load", "-h"), "load"), (("update", "-h"), "update"),
    (("info", "-h"), "info"),
])
def test_common_action_help_without_automation(cli: Any, argv: tuple[str, ...], method: str) -> None:
    out = cli_ok(cli, *argv).stdout.splitlines()
    assert out[0].startswith("Path to the internal CM automation code: ")
    assert out[0].endswith(os.path.join("automations", "base.py"))
    assert out[1:4] == ["", "Python API (add -- to keys if used from the command line):", ""]
    assert out[4].lstrip().startswith(f"def {method}(")
    assert '"""' in "\n".join(out[4:])


def test_unknown_action_help_without_automation_is_an_error(cli: Any) -> None:
    res = cli("nosuch", "-h")
    assert res.code == 16 and "API not found" in res.stderr


# `cm help core` (cmind): "Automation actions:", "", "  * cm  init  core", "  * cm  uid  core"
@pytest.mark.parametrize(("automation", "expected"), [
    ("core", ["  * cm  init  core", "  * cm  uid  core"]),
])
def test_help_lists_every_core_action(cli: Any, automation: str, expected: list[str]) -> None:
    out = cli_ok(cli, "help", automation).stdout.splitlines()
    start = out.index("Automation actions:")
    assert out[start + 2:] == expected


def test_uid_core_prints_a_uid(cli: Any) -> None:
    text = cli_ok(cli, "uid", "core").stdout.strip()
    assert len(text) == 16 and int(text, 16) >= 0


def _make_repo(cli: Any) -> Path:
    cli_ok(cli, "add", "automation", "myauto")
    cli_ok(cli, "init", "repo", "myr", "--quiet")
    cli_ok(cli, "add", "myauto", "myr:a1", "--tags=x,y")
    return Path(os.environ["CM_REPOS"]) / "repos" / "myr"


# pack -> rm --all -> unpack, all in one folder (cmind prints each line below)
@pytest.mark.parametrize(("argv", "line"), [
    (("pack", "repo", "myr"), "Packing repo from {path} to cm.zip ..."),
    (("rm", "repo", "myr", "--all", "-f"), "Local path to a CM repository: {path}\n  Deleting repository content ..."),
    (("unpack", "repo"), "Unpacking cm.zip to {path} ..."),
])
def test_pack_rm_all_unpack_round_trip_messages(cli: Any, argv: tuple[str, ...], line: str) -> None:
    path = _make_repo(cli)
    for step in (("pack", "repo", "myr"), ("rm", "repo", "myr", "--all", "-f"), ("unpack", "repo")):
        res = cli_ok(cli, *step)
        if step == argv:
            assert line.format(path=path) in res.stdout
        if step[0] == "rm":
            assert not path.exists()  # --all deletes the content
            assert cli_ok(cli, "find", "myauto", "a1").stdout == ""
    assert Path("cm.zip").is_file()
    assert cli_ok(cli, "find", "myauto", "a1").stdout.strip() == str(path / "myauto" / "a1")


def test_unpack_onto_a_registered_repo_is_refused(cli: Any) -> None:
    _make_repo(cli)
    cli_ok(cli, "pack", "repo", "myr")
    res = cli("unpack", "repo")
    assert res.code == 1 and "Repository already exists" in res.stderr


def test_rm_repo_without_all_keeps_the_files(cli: Any) -> None:
    path = _make_repo(cli)
    cli_ok(cli, "rm", "repo", "myr", "-f")
    assert (path / "myauto" / "a1").is_dir()


# CM_CONFIG's error_prefix replaces "CM error:" (cmind: "XX error: automation "nosuch" not found!")
@pytest.mark.parametrize(("config", "prefix"), [
    (None, "CM error:"), ('{"error_prefix": "XX error:"}', "XX error:"),
    ("error_prefix: 'my tool failed:'\n", "my tool failed:"), ('{"line": "-"}', "CM error:"),
])
def test_cm_config_error_prefix(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                config: str | None, prefix: str) -> None:
    if config is not None:
        name = tmp_path / ("c.json" if config.startswith("{") else "c.yaml")
        name.write_text(config)
        monkeypatch.setenv("CM_CONFIG", str(name))
    res = cli("find", "nosuch")
    assert res.code == 4
    assert res.stderr == f'\n{prefix} automation "nosuch" not found!\n'


# `cm show repo` prints CM's aligned block, with no empty "Description:" line
@pytest.mark.parametrize(("meta", "expected"), [
    ({"alias": "myr", "uid": "1234567890abcdef"},
     ["Path:               {path}", "  Alias:            myr", "  UID:              1234567890abcdef",
      "Git:                False"]),
    ({"alias": "orig", "uid": "1234567890abcdef", "desc": "Things", "prefix": "src"},
     ["Path:               {path}", "  CM sub-directory: src", "  Alias:            myr",
      "  Original alias:   orig", "  UID:              1234567890abcdef", "Description:        Things",
      "Git:                False"]),
])
def test_show_repo(cli: Any, tmp_path: Path, meta: dict[str, Any], expected: list[str]) -> None:
    import yaml

    path = tmp_path / "myr"
    path.mkdir()
    (path / "cmr.yaml").write_text(yaml.safe_dump(meta))
    cli_ok(cli, "import", "repo", f"--path={path}")
    out = cli_ok(cli, "show", "repo", str(meta["alias"])).stdout.splitlines()
    assert out == ["=" * 55] + [line.format(path=path) for line in expected]


# `cm info` lists "Directories:" / "Files:" only when there are some
@pytest.mark.parametrize(("dirs", "files", "expected"), [
    ([], ["a.txt"], ["", "  Files:", "    _cm.json", "    a.txt"]),
    (["sub"], ["a.txt"], ["", "  Directories:", "    sub", "", "  Files:", "    _cm.json", "    a.txt"]),
])
def test_info_has_no_empty_sections(cli: Any, dirs: list[str], files: list[str], expected: list[str]) -> None:
    _make_repo(cli)
    path = Path(cli_ok(cli, "find", "myauto", "a1").stdout.strip())
    for name in dirs:
        (path / name).mkdir()
    for name in files:
        (path / name).write_text("x")
    out = cli_ok(cli, "info", "myauto", "a1").stdout.splitlines()
    assert out[3:5] == ["", f"Path = {path}"]
    assert out[5:] == expected


# other CM_CONFIG settings that change what CM prints (checked with cmind 4.2.0)
def test_cm_config_message_settings(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.json"
    config.write_text('{"info_cli": "XYZ usage", "line": "-----", "default_repo_pack": "my.zip"}')
    monkeypatch.setenv("CM_CONFIG", str(config))
    assert cli_ok(cli).stdout == "XYZ usage\n"
    assert cli_ok(cli, "-h").stdout.startswith("XYZ usage\n\nCommon actions")
    assert cli_ok(cli, "help", "core").stdout.startswith("XYZ usage\n")
    path = _make_repo(cli)
    assert cli_ok(cli, "show", "repo", "myr").stdout.splitlines()[:2] == ["-----", f"Path:               {path}"]
    assert cli_ok(cli, "pack", "repo", "myr").stdout == f"Packing repo from {path} to my.zip ...\n"
    assert Path("my.zip").is_file() and not Path("cm.zip").exists()
    cli_ok(cli, "rm", "repo", "myr", "--all", "-f")
    assert cli_ok(cli, "unpack", "repo").stdout.startswith(f"Unpacking my.zip to {path} ...")


def test_pack_without_a_name_is_an_error(cli: Any) -> None:
    res = cli("pack", "repo")
    assert res.code == 16 and "more than 1 repository found" in res.stderr
    assert not Path("cm.zip").exists()


def test_info_of_several_artifacts_starts_each_with_stars(cli: Any) -> None:
    """cmind prints 52 '*' before every artifact when more than one matches."""
    _make_repo(cli)
    cli_ok(cli, "add", "myauto", "myr:a2", "--tags=x")
    out = cli_ok(cli, "info", "myauto", "--tags=x").stdout.splitlines()
    starts = [n for n, line in enumerate(out) if line == "*" * 52]
    assert len(starts) == 2 and starts[0] == 0 and out[1].startswith("CID = myauto,")
    single = cli_ok(cli, "info", "myauto", "a1").stdout
    assert "*" not in single


# `cm init` (no automation) is `cm init core` in CM: cmind printed these four lines for --skip --quiet
def test_cm_init_without_automation_is_core(cli: Any) -> None:
    out = cli_ok(cli, "init", "--skip", "--quiet").stdout.splitlines()
    assert out[:4] == ["Checking platform information ...", "[SUCCESS]", "", "Checking system dependencies ..."]
    assert out[-1] == "[SUCCESS]"


def test_init_repo_prints_cm_header(cli: Any) -> None:
    out = cli_ok(cli, "init", "repo", "myr").stdout.splitlines()
    path = Path(os.environ["CM_REPOS"]) / "repos" / "myr"
    assert out[0] == "=" * 55 and out[1] == "Alias:    myr" and out[2].startswith("UID:      ")
    assert out[3:7] == ["Desc:     ", "Prefix:   ", "", f"Local path to the CM repository: {path}"]


def test_detect_repo_outside_a_repo(cli: Any) -> None:
    assert cli_ok(cli, "detect", "repo").stdout == "CM repository not found\n"


@pytest.mark.parametrize(("code", "status"), [(0, 0), (1, 1), (16, 16), (255, 255), (256, 1), (512, 1), (-1, 1)])
def test_exit_status_is_never_a_false_success(code: int, status: int) -> None:
    from colmind.cli.main import exit_status

    assert exit_status(code) == status  # main's colmind.exitcodes (the engine helper's), shared by mlc


@pytest.mark.parametrize("code", [256, 512])
def test_cm_and_mlc_exit_non_zero_for_large_codes(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    import colmind.api
    from colmind import config
    from colmind.cli.main import main
    from colmind.mlc.cli import main as mlc_main

    monkeypatch.setitem(config._front_end, "mlc", False)  # restored after the test (mlc sets it)
    monkeypatch.setattr(colmind.api, "access", lambda i, out=None: {"return": code, "error": "boom"})
    from colmind.cli.main import exit_status

    assert exit_status(main(["run", "script", "x"])) == 1  # cm's console scripts exit through exit_status
    assert mlc_main(["run", "script", "x"]) == 1


def test_info_repo(cli: Any) -> None:
    """cmind: ``CID = ::local,9a3280b14a4285c9`` ... ``Path = <local>``, its folders and files."""
    local = Path(os.environ["CM_REPOS"]) / "repos" / "local"
    cli_ok(cli, "add", "automation", "myauto")
    out = cli_ok(cli, "info", "repo", "local").stdout.splitlines()
    assert out[:5] == ["CID = ::local,9a3280b14a4285c9", "CID1 = ::9a3280b14a4285c9",
                       "CID2 = (::local,9a3280b14a4285c9)", "", f"Path = {local}"]
    assert out[5:] == ["", "  Directories:", "    automation", "", "  Files:", "    cmr.yaml"]
