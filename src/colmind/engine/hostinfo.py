"""Host OS information given to recipes as ``os_info`` and the host env keys (spec 2.2 step 8).

Computed once per process (CM recomputes it per nested run with a ``getconf`` call).
"""

from __future__ import annotations

import functools
import os
import sys

from colmind.engine.dialect import Dialect

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

COPIED_HOST_VARS = ("GH_TOKEN", "ftp_proxy", "FTP_PROXY", "http_proxy", "HTTP_PROXY", "https_proxy",
                    "HTTPS_PROXY", "no_proxy", "NO_PROXY", "socks_proxy", "SOCKS_PROXY")


def is_windows() -> bool:
    return os.name == "nt"


def _machine() -> str:
    """``platform.machine()`` without importing ``platform`` where ``os.uname`` exists."""
    if hasattr(os, "uname"):
        return os.uname().machine
    import platform

    return platform.machine()


@functools.lru_cache(maxsize=1)
def _base_info() -> dict[str, Any]:
    win = is_windows()
    bits = "64" if sys.maxsize > 2**32 else "32"
    plat = "windows" if win else ("darwin" if sys.platform == "darwin" else "linux")
    return {
        "platform": plat,
        "bat_ext": ".bat" if win else ".sh",
        "bat_rem": "rem" if win else "#",
        "env_separator": ";" if win else ":",
        "env_var": "%env_var%" if win else "${env_var}",
        "set_env": "set ${key}=${value}" if win else 'export ${key}="${value}"',
        "run_local_bat": "call " if win else ". ./",
        "run_local_bat_from_python": "call " if win else "bash -c ./",
        "run_bat": "call ${bat_file}" if win else ". ${bat_file}",
        "start_script": ["@echo off", ""] if win else ["#!/bin/bash", ""],
        "redirect_to_null": " > nul" if win else " > /dev/null",
        "bits": bits,
        "python_bits": str(sys.maxsize.bit_length() + 1),  # Py_ssize_t is pointer-sized (no ``struct``)
        "machine": _machine(),
    }


def os_info(dialect: Dialect) -> dict[str, Any]:
    """A fresh ``os_info`` dict (recipes may mutate theirs)."""
    info = dict(_base_info())
    info["start_script"] = list(info["start_script"])
    info["env"] = host_env(dialect)
    return info


def host_env(dialect: Dialect) -> dict[str, str]:
    """Env keys the engine adds for the host."""
    env: dict[str, str] = {}
    if is_windows():
        env[dialect.key("WINDOWS")] = "yes"
    if dialect.name == "mlc":
        base = _base_info()
        env[dialect.key("HOST_OS_TYPE")] = "windows" if is_windows() else (
            "darwin" if base["platform"] == "darwin" else "linux")
        env[dialect.key("HOST_PLATFORM_FLAVOR")] = base["machine"]
    return env


def copied_host_vars(dialect: Dialect) -> dict[str, str]:
    names = list(COPIED_HOST_VARS) + (["USER", "HOME"] if dialect.name == "mlc" else [])
    environ = os.environ
    return {n: v for n in names if (v := environ.get(n)) is not None}
