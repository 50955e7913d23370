"""mlcflow 1.3.8's grammar (spec mlc-cli §2), cases run against the real mlcflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from colmind.mlc.grammar import InputError, UsageError, convert_flags, parse, rename_flag


@pytest.mark.parametrize(("token", "renamed"), [
    ("--k-", "--k_"), ("--a-b=c-d", "--a_b=c-d"), ("--x-y.z-w=1", "--x-y.z-w=1"), ("--a-b.c", "--a_b.c"),
    ("-j", "-j"), ("plain-word", "plain-word"), ("--env.MY-VAR=1", "--env.MY-VAR=1"),
])
def test_rename(token: str, renamed: str) -> None:
    assert rename_flag(token) == renamed


@pytest.mark.parametrize(("tokens", "expected"), [
    (["--k=v"], {"k": "v"}), (["--k=a=b"], {"k": "a=b"}), (["--k="], {"k": ""}), (["--k"], {"k": True}),
    (["--k_"], {"k_": True}), (["--a.b=c", "--a.d=e"], {"a": {"b": "c", "d": "e"}}),
    (["--a.b"], {"a.b": True}), (["--x-y.z-w=1"], {"x-y": {"z-w": "1"}}),
    (["--k,=a,b"], {"k": ["a", "b"]}), (["--a.b,=p,q"], {"a.b": ["p", "q"]}), (["--a,b=c"], {}),
    (["--x,"], {"x,": True}), (["-j"], {"j": True}), (["-xyz"], {"x": True, "y": True, "z": True}),
    (["-"], {}), (["@file.json"], {}), (["foo=bar"], {"foo": "bar"}), (["--", "a", "b"], {"": True}),
    (["--k=1", "--k=2"], {"k": "2"}), (["--a=1", "--a.b=2"], {"a": {"b": "2"}}),
])
def test_convert_flags(tokens: list[str], expected: dict[str, Any]) -> None:
    assert convert_flags(tokens) == expected


def test_the_transcript_of_spec_section_7() -> None:
    """``mlc find cache --tags=zzz --k- --a.b=c --x,=1,2 -yz pos2 foo=bar -- tail --after=1`` (mlcflow
    1.3.8 echoed exactly these run_args, mlc_run_cmd included)."""
    argv = "find cache --tags=zzz --k- --a.b=c --x,=1,2 -yz pos2 foo=bar -- tail --after=1".split()
    cmd = parse(argv)
    assert (cmd.action, cmd.target) == ("find", "cache")
    assert cmd.run_args == {"tags": "zzz", "k_": True, "a": {"b": "c"}, "x": ["1", "2"], "y": True, "z": True,
                            "foo": "bar", "": True, "after": "1",
                            "mlc_run_cmd": "mlc find cache --tags=zzz --k_ --a.b=c --x,=1,2 -yz pos2 foo=bar "
                                           "-- tail --after=1"}


@pytest.mark.parametrize(("argv", "action", "target", "run_args"), [
    (["find", "script", "detect-os"], "find", "script", {"tags": "detect-os", "details": "detect-os"}),
    (["find", "script", "863735b7db8c44fc"], "find", "script", {"details": "863735b7db8c44fc"}),
    (["find", "cache", "--tags=a", "x"], "find", "cache", {"tags": "a"}),
    (["run", "script", "detect", "os"], "run", "script", {"tags": "detect", "details": "detect"}),
    (["run", "script", "a,b", "--tags=c"], "run", "script", {"tags": "c", "details": "a,b"}),
    (["pull", "repo", "mlcommons@mlperf-automations", "--branch=dev"], "pull", "repo",
     {"repo": "mlcommons@mlperf-automations", "details": "mlcommons@mlperf-automations", "branch": "dev"}),
    (["pull", "repo"], "pull", "repo", {"repo": None}),
    (["search", "repo", "x"], "search", "repo", {"repo": "x", "details": "x"}),
    (["list", "repos"], "list", "repo", {}),
    (["cp", "script", "a", "b"], "cp", "script", {"tags": "a", "details": "a", "target": "script", "src": "a",
                                                    "dest": "b"}),
    (["docker", "run", "--tags=x"], "docker", "script", {"tags": "x"}),
    (["reindex"], "reindex", "", {}),
    (["reindex", "cache"], "reindex", "cache", {"reindex_target": "cache"}),
    (["find", "script", "x", "-p"], "find", "script", {"tags": "x", "details": "x", "p": True, "path_only": True}),
    (["find", "script", "x", "--path_only"], "find", "script", {"tags": "x", "details": "x", "path_only": True}),
])
def test_positionals(argv: list[str], action: str, target: str, run_args: dict[str, Any]) -> None:
    cmd = parse(argv)
    cmd.run_args.pop("mlc_run_cmd")
    assert (cmd.action, cmd.target, cmd.run_args) == (action, target, run_args)


@pytest.mark.parametrize(("argv", "level"), [
    (["run", "script", "x", "-v"], "verbose"), (["run", "script", "x", "--silent"], "silent"),
    (["run", "script", "x", "-s"], "silent"), (["run", "script", "x"], ""),
])
def test_log_flags_are_consumed(argv: list[str], level: str) -> None:
    cmd = parse(argv)
    assert cmd.log_level == level
    assert not {"v", "s", "verbose", "silent"} & set(cmd.run_args)


@pytest.mark.parametrize(("argv", "message"), [
    (["lst", "repo"], "Did you mean 'list'?"),
    (["foo", "bar"], "invalid choice: 'foo'"),
    (["find", "scripts"], "Did you mean 'script'?"),
    (["-v", "list", "repo"], "unrecognized arguments: -v"),
    (["list", "-v", "repo"], "unrecognized arguments: -v"),
    (["docker", "cache"], "invalid choice: 'cache'"),
    (["load", "script"], "invalid choice: 'script'"),
])
def test_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse(argv)


@pytest.mark.parametrize(("argv", "help_", "target"), [
    (["-h"], True, ""), (["script", "--help"], True, ""), (["pull", "repo", "-h"], True, "repo"),
    (["run", "script", "detect-os", "--help"], False, "script"),  # tags given: the engine's help
])
def test_help(argv: list[str], help_: bool, target: str) -> None:
    cmd = parse(argv)
    assert cmd.help is help_
    if not help_:
        assert cmd.run_args["help"] is True and cmd.run_args["tags"] == "detect-os"


def test_shortcut_keeps_its_own_command_line() -> None:
    cmd = parse(["run", "script", "detect,os", "-j"], run_cmd="mlcr detect,os -j")
    assert cmd.run_args["mlc_run_cmd"] == "mlcr detect,os -j"


def test_input_file_merges_under_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text("tags: a,b\nquiet: true\nenv:\n  X: '1'\n  Y: '2'\n")
    cmd = parse(["run", "script", f"--mlc_input_file={tmp_path / 'in.yaml'}", "--env.Y=3"])
    assert cmd.run_args["tags"] == "a,b" and cmd.run_args["quiet"] is True
    assert cmd.run_args["env"] == {"X": "1", "Y": "3"}
    assert "mlc_input_file" not in cmd.run_args
    (tmp_path / "in.json").write_text('{"tags": "j"}')
    assert parse(["run", "script", "x", f"--mlc_input_file={tmp_path / 'in.json'}"]).run_args["tags"] == "x"


@pytest.mark.parametrize(("content", "message"), [
    (None, "Input file not found"), ("- a\n- b\n", "must contain a mapping"), ("a: [\n", "Failed to parse"),
])
def test_input_file_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "in.yaml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        parse(["run", "script", "x", f"--mlc_input_file={path}"])


# MLCommons documentation command lines -> what colmind's engine / repo automation receive
@pytest.mark.parametrize(("argv", "expected"), [
    (["run", "script", "run-mlperf,inference,_find-performance,_full,_r5.0-dev", "--model=resnet50",
      "--implementation=reference", "--framework=onnxruntime", "--category=edge", "--scenario=Offline",
      "--execution_mode=test", "--device=cpu", "--quiet", "--test_query_count=100"],
     {"action": "run", "automation": "script", "tags": "run-mlperf,inference,_find-performance,_full,_r5.0-dev",
      "model": "resnet50", "implementation": "reference", "framework": "onnxruntime", "category": "edge",
      "scenario": "Offline", "execution_mode": "test", "device": "cpu", "quiet": True, "test_query_count": "100"}),
    (["run", "script", "--tags=get,python3", "--adr.python.version_min=3.8", "--env.MLC_X=1", "-j"],
     {"action": "run", "automation": "script", "tags": "get,python3", "adr": {"python": {"version_min": "3.8"}},
      "env": {"MLC_X": "1"}, "j": True}),
    (["run", "script", "863735b7db8c44fc", "--quiet"],
     {"action": "run", "automation": "script", "artifact": "863735b7db8c44fc", "quiet": True}),
    (["docker", "script", "app,mlperf,inference", "--docker_dt"],
     {"action": "docker", "automation": "script", "tags": "app,mlperf,inference", "docker_dt": True}),
])
def test_engine_input(argv: list[str], expected: dict[str, Any]) -> None:
    from colmind.mlc.items import engine_input

    cmd = parse(argv)
    assert engine_input(cmd.run_args, cmd.action) == expected


@pytest.mark.parametrize(("argv", "expected"), [
    (["pull", "repo", "mlcommons@mlperf-automations", "--branch=dev"],
     {"artifact": "mlcommons@mlperf-automations", "branch": "dev"}),
    (["pull", "repo", "https://github.com/mlcommons/mlperf-automations.git", "--checkout=abc123"],
     {"url": "https://github.com/mlcommons/mlperf-automations.git", "artifact": "mlcommons@mlperf-automations",
      "checkout": "abc123"}),
    (["pull", "repo", "a@b", "--tag=v1.0", "--shallow"], {"artifact": "a@b", "checkout": "tags/v1.0", "depth": "1"}),
    (["pull", "repo", "a@b", "--ssh", "--depth=3", "--extra_git_args=--no-tags"],
     {"artifact": "a@b", "url": "git@github.com:a/b.git", "depth": "3", "extra_cmd_git": "--no-tags"}),
    (["pull", "repo", "foo"], {"url": "foo"}),  # used as given: no mlcommons@ prefix, as in mlcflow
    (["pull", "repo"], {}),
])
def test_pull_input(argv: list[str], expected: dict[str, Any]) -> None:
    from colmind.mlc.repos import _pull_input

    cmd = parse(argv)
    assert _pull_input(str(cmd.run_args.get("repo") or ""), cmd.run_args) == {"action": "pull", "automation": "repo",
                                                                              **expected}
