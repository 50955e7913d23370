"""Executors: run a :class:`~colmind.container.planner.ContainerPlan` with docker, podman or apptainer.

They only ever pass the plan's argv lists to :func:`subprocess.run` (no shell). ``choose`` picks
the tool for ``--docker_tool=auto``: docker when a daemon can be reached, then podman, then
apptainer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from colmind.container.planner import ContainerPlan
from colmind.errors import CMError

TOOLS = ("docker", "podman", "apptainer")


def docker_daemon_reachable() -> bool:
    """A docker client is useless without a daemon (these machines have the client only)."""
    host = os.environ.get("DOCKER_HOST", "")
    if host:
        return not host.startswith("unix://") or os.path.exists(host[len("unix://"):])
    return os.path.exists("/var/run/docker.sock")


def choose(setting: str, which: Callable[[str], str | None] = shutil.which,
           docker_ok: Callable[[], bool] = docker_daemon_reachable) -> str:
    """The tool to use, or ``""`` when none is installed (fine for ``--docker_dry_run``)."""
    wanted = (setting or "auto").lower()
    if wanted != "auto":
        if wanted not in TOOLS:
            raise CMError(f"--docker_tool={setting} is not one of: auto, " + ", ".join(TOOLS))
        return wanted if which(wanted) else ""
    if which("docker") and docker_ok():
        return "docker"
    for tool in ("podman", "apptainer"):
        if which(tool):
            return tool
    return ""


class Executor:
    """Image existence, build and run for one tool."""

    def __init__(self, plan: ContainerPlan) -> None:
        self.plan = plan

    def image_exists(self) -> bool:
        plan = self.plan
        if plan.tool == "apptainer":
            return os.path.isfile(plan.image_ref)
        argv = [plan.tool, *_global(plan), "image", "inspect", plan.image_ref]
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode == 0

    def build(self) -> int:
        plan = self.plan
        cwd = plan.context_dir if plan.tool == "apptainer" else None
        return subprocess.run(plan.build_argv, cwd=cwd, check=False).returncode

    def run(self) -> int:
        return subprocess.run(self.plan.run_argv, check=False).returncode


def _global(plan: ContainerPlan) -> list[str]:
    """The global options in the plan's build argv (podman ``--runtime=...``), for other subcommands."""
    out = []
    for arg in plan.build_argv[1:]:
        if arg == "build":
            break
        out.append(arg)
    return out
