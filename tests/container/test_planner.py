"""The pure planner: same request -> same plan; the tag follows content; user text never meets a shell."""

from __future__ import annotations

import dataclasses
import json
import shlex

import pytest

from colmind.container import planner, settings
from colmind.container.planner import ContextItem, Host, Request, Step

EVIL = "x'; rm -rf / #$(id)"


def make(tool: str = "docker", flags: dict | None = None, **changes: object) -> Request:
    base = Request(alias="demo", tags=("demo", "_v"), inputs={"text": EVIL, "input": "in.txt"},
                   settings=settings.resolve(flags or {}, {"docker": {"input_paths": ["input"]}}, []).values,
                   tool=tool, host=Host(uid=1234, gid=99, cwd="/home/u", files=frozenset({"/home/u/in.txt"})),
                   steps=(Step("dep", "get,dep,_x", 3),),
                   context=(ContextItem("wheels/colmind-0.1.0-py3-none-any.whl", "d1", "wheel"),),
                   work_root="/w", state_dir="/w/state-1")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_pure_and_deterministic() -> None:
    assert planner.plan(make()) == planner.plan(make())


@pytest.mark.parametrize("change", [
    {"context": (ContextItem("wheels/colmind-0.1.0-py3-none-any.whl", "d2", "wheel"),)},  # colmind changed
    {"steps": ()},                                                                          # chain changed
    {"host": Host(uid=1, gid=99, cwd="/home/u")},                                           # build arg UID
    {"inputs": {"text": "other"}},                                                          # build RUN line
])
def test_tag_follows_content(change: dict) -> None:
    assert planner.plan(make(**change)).tag != planner.plan(make()).tag


@pytest.mark.parametrize("change", [
    {"state_dir": "/elsewhere"}, {"work_root": "/other"},
    {"inputs": {"text": EVIL, "input": "other.txt"}},  # an input path is a run-time mount, not content
])
def test_tag_ignores_run_time_values(change: dict) -> None:
    assert planner.plan(make(**change)).tag == planner.plan(make()).tag


def test_user_text_is_one_argv_item_and_json_in_run_lines() -> None:
    plan = planner.plan(make())
    assert f"--text={EVIL}" in plan.run_argv
    final = [line for line in plan.recipe_text.splitlines() if line.startswith('RUN ["cm", "run"')][-1]
    assert f"--text={EVIL}" in json.loads(final[4:])


def test_no_host_paths_or_uid_in_the_dockerfile() -> None:
    text = planner.plan(make()).recipe_text
    assert "/home/u" not in text and "in.txt" not in text and "1234" not in text
    assert ["--build-arg", "UID=1234"] == planner.plan(make()).build_argv[2:4]


def test_input_file_mounted_by_parent_and_rewritten() -> None:
    plan = planner.plan(make())
    assert "--input=/cm-mount/home/u/in.txt" in plan.inner_argv
    assert "/home/u:/cm-mount/home/u" in [m.volume() for m in plan.mounts]
    assert "/w/state-1:/colmind-state" in [m.volume() for m in plan.mounts]


def test_one_run_per_dependency_and_fake_run() -> None:
    text = planner.plan(make()).recipe_text
    layer = [ln for ln in text.splitlines() if "--colmind_deps_limit" in ln]
    assert "# dependency 3: dep (get,dep,_x)" in text and len(layer) == 1
    assert json.loads(layer[0][4:])[:4] == ["cm", "run", "script", "--tags=demo,_v"]
    assert json.loads(layer[0][4:])[-2:] == ["--fake_run", "--colmind_deps_limit=3"]
    assert '"--fake_run"]' in text
    off = planner.plan(make(flags={"docker_split_run": "no", "docker_real_run": "yes"})).recipe_text
    assert "# dependency" not in off and "--fake_run" not in off


@pytest.mark.parametrize("tool, host, expected, absent", [
    ("podman", Host(uid=1234, gid=99), ["--userns=keep-id", "--format=docker"], []),
    ("podman", Host(uid=0, gid=0, rootless=False), [], ["--userns=keep-id"]),
    ("docker", Host(uid=1234, gid=99), ["--rm"], ["--userns=keep-id"]),
])
def test_engine_options(tool: str, host: Host, expected: list, absent: list) -> None:
    plan = planner.plan(make(tool, host=host))
    argv = plan.build_argv + plan.run_argv
    assert all(e in argv for e in expected) and not any(a in argv for a in absent)


def test_root_image_has_no_user_switch() -> None:
    plan = planner.plan(make(host=Host(uid=0, gid=0, rootless=False)))
    assert plan.user == "root" and "USER " not in plan.recipe_text and "CM_REPOS=/root/CM" in plan.recipe_text


def test_pre_run_commands_keep_the_argv_out_of_the_script() -> None:
    plan = planner.plan(make(flags={"docker_pre_run_cmds": ["echo hi"], "docker_keep": "yes"}))
    i = plan.run_argv.index("bash")
    assert plan.run_argv[i:i + 4] == ["bash", "-c", 'echo hi && "$@"', "colmind"]
    assert plan.run_argv[i + 4:] == plan.inner_argv and "--rm" not in plan.run_argv


def test_apptainer_definition_quotes_user_text() -> None:
    plan = planner.plan(make("apptainer"))
    line = [ln for ln in plan.recipe_text.splitlines() if "--fake_run" in ln][0].strip()
    assert f"--text={EVIL}" in shlex.split(line)
    assert plan.image_ref.endswith(f"_{plan.tag}.sif") and plan.build_argv[:3] == ["apptainer", "build", "--fakeroot"]


def test_unknown_os_is_a_clear_error() -> None:
    from colmind.errors import CMError

    with pytest.raises(CMError, match="not supported"):
        planner.plan(make(flags={"docker_os": "plan9"}))


def test_non_root_image_on_root_host_gets_uid_1000() -> None:
    plan = planner.plan(make(host=Host(uid=0, gid=0, rootless=False), flags={"docker_user": "cmuser"}))
    assert plan.user == "cmuser" and plan.build_argv[2:6] == ["--build-arg", "UID=1000", "--build-arg", "GID=1000"]
