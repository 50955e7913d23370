"""detect-os: os_probe parsing tables and the customize hook on this host."""

from __future__ import annotations

import platform
import sys

import pytest
from recipe_fixtures import assert_valid_meta, fake_i, load_customize, load_module

probe = load_module("detect-os", "os_probe")


def test_meta() -> None:
    meta = assert_valid_meta("detect-os", ["detect-os", "detect", "os", "info"])
    assert meta.get("cache") is False
    assert "CM_HOST_OS_*" in meta["new_env_keys"] and "+CM_HOST_OS_*" in meta["new_env_keys"]
    assert meta["new_state_keys"] == ["os_uname_*"]


@pytest.mark.parametrize("text,expected", [
    ('ID=debian\nVERSION_ID="12"\n', {"ID": "debian", "VERSION_ID": "12"}),
    ("ID='ubuntu'\n# comment\nID_LIKE=debian\n\n", {"ID": "ubuntu", "ID_LIKE": "debian"}),
    ('NAME="Red Hat"\nbroken line\n', {"NAME": "Red Hat"}),
])
def test_parse_os_release(text: str, expected: dict[str, str]) -> None:
    assert probe.parse_os_release(text) == expected


@pytest.mark.parametrize("flavor,like,manager", [
    ("debian", "", "apt"), ("ubuntu", "debian", "apt"), ("linuxmint", "ubuntu debian", "apt"),
    ("rhel", "fedora", "dnf"), ("rocky", "rhel centos fedora", "dnf"), ("amzn", "", "yum"),
    ("sles", "suse", "zypper"), ("arch", "", "pacman"), ("alpine", "", "apk"), ("macos", "", "brew"),
    ("plan9", "", ""),
])
def test_package_manager(flavor: str, like: str, manager: str) -> None:
    assert probe.package_manager(flavor, like) == manager


def test_parse_ld_search_dirs() -> None:
    text = 'SEARCH_DIR("=/usr/local/lib/x86_64-linux-gnu"); SEARCH_DIR("=/lib"); SEARCH_DIR("/usr/lib");\n' \
           'SEARCH_DIR("=/lib");'
    assert probe.parse_ld_search_dirs(text) == ["/usr/local/lib/x86_64-linux-gnu", "/lib", "/usr/lib"]


@pytest.mark.skipif(sys.platform != "linux", reason="linux host values")
def test_preprocess_on_this_host() -> None:
    i = fake_i("detect-os")
    assert load_customize("detect-os").preprocess(i) == {"return": 0}
    env, state = i["env"], i["state"]
    assert env["CM_HOST_OS_TYPE"] == "linux"
    assert env["CM_HOST_OS_BITS"] in ("32", "64")
    assert env["CM_HOST_PYTHON_BITS"] == ("64" if sys.maxsize > 2 ** 32 else "32")
    assert env["CM_HOST_PLATFORM_FLAVOR"] == platform.machine() == env["CM_HOST_OS_MACHINE"]
    assert env["CM_HOST_OS_KERNEL_VERSION"] == platform.release()
    assert env["CM_HOST_SYSTEM_NAME"] == platform.node()
    assert env["CM_HOST_OS_FLAVOR"] == probe.read_os_release().get("ID", "").lower()
    assert isinstance(env["+CM_HOST_OS_DEFAULT_LIBRARY_PATH"], list) and env["+CM_HOST_OS_DEFAULT_LIBRARY_PATH"]
    if platform.libc_ver()[0] == "glibc":
        assert env["CM_HOST_OS_GLIBC_VERSION"] == platform.libc_ver()[1]
    assert state["os_uname_machine"] == platform.machine()
    assert platform.release() in state["os_uname_all"]
