"""Golden files of the pure planner: Dockerfiles, Apptainer definitions and argv for a matrix of
bases (Ubuntu 22.04/24.04, Debian, RHEL 9, an NVIDIA base), engines (docker, podman, apptainer)
and users (root, non-root).

Regenerate after a deliberate change (then read the diff):

    COLMIND_UPDATE_GOLDEN=1 python -m pytest -q tests/container/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from colmind.container import planner, settings
from colmind.container.planner import ContextItem, Host, Request, Step

GOLDEN = Path(__file__).parent / "golden"

CONTEXT = (ContextItem("wheels/colmind-0.1.0-py3-none-any.whl", "c0ffee", "wheel"),
           ContextItem("wheels/filelock-3.16.1-py3-none-any.whl", "f11e", "wheel"),
           ContextItem("repos/my-recipes", "beef", "repo"))
STEPS = (Step("get-python3", "get,python3", 2), Step("get-generic-python-lib", "get,generic-python-lib,_numpy", 4))
USER_HOST = Host(uid=1001, gid=1002, cwd="/home/ann/work", rootless=True,
                 files=frozenset({"/home/ann/data/cat.jpg"}))
ROOT_HOST = Host(uid=0, gid=0, cwd="/root/work", rootless=False)

META = {"alias": "app-image-classification-onnx-py",
        "docker": {"input_paths": ["input"], "skip_input_for_fake_run": ["input"], "os_version": "22.04",
                   "mounts": ["/srv/models:/models:ro"]},
        "variations": {"cuda": {"docker": {"base_image": "nvcr.io/nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04",
                                           "all_gpus": "yes"}}}}

# name: (tool, host, variations, flags)
MATRIX: dict[str, tuple[str, Host, list[str], dict[str, Any]]] = {
    "ubuntu22-docker-user": ("docker", USER_HOST, [], {}),
    "ubuntu24-docker-root": ("docker", ROOT_HOST, [], {"docker_os_version": "24.04"}),
    "debian12-podman-user": ("podman", USER_HOST, [], {"docker_os": "debian", "docker_os_version": "12"}),
    "debian-local-podman-root": ("podman", ROOT_HOST, [], {
        "docker_os": "debian", "docker_base_image": "localhost/debian-local:bookworm", "docker_runtime": "runc",
        "docker_ulimit": ["nofile=1024:1024", "nproc=1024:1024"]}),
    "rhel9-podman-user": ("podman", USER_HOST, [], {"docker_os": "rhel", "docker_os_version": "9"}),
    "nvidia-docker-user": ("docker", USER_HOST, ["cuda"], {"docker_shm_size": "32g"}),
    "nvidia-podman-root": ("podman", ROOT_HOST, ["cuda"], {}),
    "ubuntu22-apptainer-user": ("apptainer", USER_HOST, [], {}),
    "ubuntu22-docker-user-prerun-it": ("docker", USER_HOST, [], {
        "docker_pre_run_cmds": ["cm pull repo", "echo 'it''s'"], "docker_it": True, "docker_keep": True,
        "docker_mount_current_dir": "yes"}),
}


def request_for(name: str) -> Request:
    tool, host, variations, flags = MATRIX[name]
    inputs = {"input": "../data/cat.jpg", "env": {"CM_X": "a b"}, "quiet_mode": True}
    values = settings.resolve(flags, META, variations).values
    tags = ("python", "app", "image-classification", "onnx", *[f"_{v}" for v in variations])
    return Request(alias=META["alias"], tags=tags, inputs=inputs, settings=values, tool=tool, host=host,
                   steps=STEPS, context=CONTEXT, work_root="/var/cm/containers", state_dir="/var/cm/state-x")


def rendered(name: str) -> dict[str, str]:
    plan = planner.plan(request_for(name))
    argv = {"image": plan.image_ref, "user": plan.user, "build": plan.build_argv, "run": plan.run_argv,
            "mounts": [m.volume() for m in plan.mounts]}
    suffix = ".def" if plan.tool == "apptainer" else ".Dockerfile"
    return {name + suffix: plan.recipe_text, name + ".argv.json": json.dumps(argv, indent=2) + "\n"}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_golden(name: str) -> None:
    for file, text in rendered(name).items():
        path = GOLDEN / file
        if os.environ.get("COLMIND_UPDATE_GOLDEN"):
            path.write_text(text, encoding="utf-8")
        assert path.read_text(encoding="utf-8") == text, f"{file} changed; see this file's docstring"


def test_every_golden_file_belongs_to_a_case() -> None:
    expected = {f for name in MATRIX for f in rendered(name)}
    assert {p.name for p in GOLDEN.iterdir() if p.suffix in (".Dockerfile", ".def", ".json")} == expected
