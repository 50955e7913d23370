"""Real builds and runs with podman (``pytest -m container``; marked slow).

How it works here (docs/containers.md, ../shared/notes/containers-here.md): Debian's podman with
``--runtime=runc``, explicit ulimits, and a base image made locally with ``debootstrap`` (no
registry is reachable). The base image ``localhost/debian-local:bookworm`` is made once and kept
in podman's store, so later sessions reuse it (about 30 s the first time). Every test skips with
the reason where podman, runc, debootstrap or root is missing. colmind goes into the image as a
wheel of this checkout, offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.container]

BASE = "localhost/debian-local:bookworm"
FLAGS = ["--docker_tool=podman", "--docker_os=debian", f"--docker_base_image={BASE}", "--docker_runtime=runc",
         "--docker_ulimit,=nofile=1024:1024,nproc=1024:1024"]
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _mirror() -> str:
    for path in Path("/etc/apt").glob("sources.list*/**/*.sources"):
        for line in path.read_text().splitlines():
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
    return "http://deb.debian.org/debian"


def _podman(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", "--runtime=runc", *args], capture_output=True, text=True, check=False,
                          **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def podman_base(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The local Debian base image (made with debootstrap once; kept in podman's store)."""
    for tool in ("podman", "runc"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install podman runc debootstrap uidmap)")
    if os.geteuid() != 0:
        pytest.skip("the real-container tests run podman as root here (rootless needs subuid setup)")
    info = _podman("info")
    if info.returncode != 0:
        pytest.skip(f"podman cannot run here: {info.stderr.strip()[-300:]}")
    if _podman("image", "exists", BASE).returncode == 0:
        return BASE
    if not shutil.which("debootstrap"):
        pytest.skip("debootstrap is not installed: no base image can be made without a registry")
    rootfs = tmp_path_factory.mktemp("rootfs") / "bookworm"
    made = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), _mirror()],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"debootstrap failed (no Debian mirror?): {made.stderr.strip()[-300:]}")
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    imported = subprocess.run(["podman", "import", "-", BASE], stdin=tar.stdout, capture_output=True, check=False)
    tar.wait()
    shutil.rmtree(rootfs, ignore_errors=True)
    if imported.returncode != 0:
        pytest.skip(f"podman import failed: {imported.stderr.decode()[-300:]}")
    return BASE


def cm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run([sys.executable, "-m", "colmind", *args], capture_output=True, text=True, check=False,
                          cwd=cwd, env=env, timeout=900)


def test_print_hello_world_in_podman_then_reuse(podman_base: str, tmp_path: Path) -> None:
    first = cm("docker", "script", "--tags=print,hello-world", "--test1=from-host", *FLAGS, "-j", cwd=tmp_path)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "HELLO WORLD!" in first.stdout and "CM_ENV_TEST1 = from-host" in first.stdout
    result = json.loads(first.stderr[first.stderr.index("{\n"):])
    assert result["new_env"]["CM_ENV_TEST1"] == "from-host"  # -j from outside: the inner run's result
    image = result["container"]["image"]
    second = cm("docker", "script", "--tags=print,hello-world", "--test1=from-host", *FLAGS, cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"Image {image} is up to date" in second.stdout and "STEP 1/" not in second.stdout
    assert _podman("image", "exists", image).returncode == 0


def test_user_repository_mounted_input_and_exit_code(podman_base: str, tmp_path: Path) -> None:
    repo = tmp_path / "boxrepo"
    assert cm("init", "repo", "boxrepo", f"--path={repo}", cwd=tmp_path).returncode == 0
    recipe = repo / "script" / "boxed-fail"
    recipe.mkdir(parents=True)
    (recipe / "_cm.yaml").write_text(
        "alias: boxed-fail\nuid: 7e57c0ffee000001\nautomation_alias: script\nautomation_uid: 5b4e0237da074764\n"
        "tags: [boxed, fail]\ninput_mapping: {input: CM_BOX_INPUT}\ndocker: {input_paths: [input]}\n")
    (recipe / "run.sh").write_text('#!/bin/bash\necho "read: $(cat "$CM_BOX_INPUT")"\nexit 7\n')
    data = tmp_path / "data"
    data.mkdir()
    (data / "note.txt").write_text("secret-of-the-host-file\n")
    done = cm("docker", "script", "--tags=boxed,fail", "--input=data/note.txt", *FLAGS, cwd=tmp_path)
    assert "read: secret-of-the-host-file" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    # the inner run's own failure comes back: CM's code 2 for a failed script, with its message
    assert done.returncode == 2 and "name = boxed-fail, exit status 7" in done.stderr


def test_non_root_image_on_a_root_host(podman_base: str, tmp_path: Path) -> None:
    """The non-root image path for real (cmuser, UID 1000 since the host is root): the user is
    created, owns its home and cache, and still writes its result to the state folder."""
    done = cm("docker", "script", "--tags=print,hello-world", "--docker_user=cmuser",
              "--docker_pre_run_cmds,=id -un,echo home=$HOME", *FLAGS, "-j", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "cmuser\nhome=/home/cmuser" in done.stdout and "HELLO WORLD!" in done.stdout
    result = json.loads(done.stderr[done.stderr.index("{\n"):])
    assert result["new_env"]["CM_ENV_TEST1"] == "TEST1" and result["container"]["exit_code"] == 0
