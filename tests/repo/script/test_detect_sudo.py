"""detect-sudo: root, passwordless sudo, password-protected sudo, a hanging sudo, no sudo."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from recipe_fixtures import assert_valid_meta, fake_i, load_customize, load_module

probe = load_module("detect-sudo", "sudo_probe")


def fake_sudo(tmp_path: Path, body: str) -> str:
    path = tmp_path / "sudo"
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_meta() -> None:
    meta = assert_valid_meta("detect-sudo", ["detect", "sudo", "detect-sudo"])
    assert set(meta["new_env_keys"]) >= {"CM_SUDO", "CM_SUDO_USER"}


def test_root_needs_no_prefix() -> None:
    env = probe.detect(root=True)
    assert env["CM_SUDO_USER"] == "yes" and env["CM_SUDO"] == "" and env["CM_SUDO_IS_ROOT"] == "yes"


def test_no_sudo_installed() -> None:
    env = probe.detect(root=False, sudo="")
    assert env["CM_SUDO_USER"] == "no" and "not installed" in env["CM_SUDO_REASON"]


@pytest.mark.slow
@pytest.mark.parametrize("body,user,prefix,reason", [
    ('[[ "$1" == "-n" ]] && exit 0; exit 1\n', "yes", "sudo", "passwordless"),
    ('echo "sudo: a password is required" >&2; exit 1\n', "no", "", "a password is required"),
    ("sleep 30\n", "no", "", "did not answer"),
])
def test_non_root(tmp_path: Path, body: str, user: str, prefix: str, reason: str) -> None:
    env = probe.detect(timeout=1, root=False, sudo=fake_sudo(tmp_path, body))
    assert env["CM_SUDO_USER"] == user and env["CM_SUDO"] == prefix and env["CM_SUDO_IS_ROOT"] == "no"
    assert reason in env["CM_SUDO_REASON"]


def test_preprocess_sets_the_keys() -> None:
    i = fake_i("detect-sudo")
    assert load_customize("detect-sudo").preprocess(i) == {"return": 0}
    assert i["env"]["CM_SUDO_USER"] in ("yes", "no")
    assert i["env"]["CM_SUDO"] in ("", "sudo")
