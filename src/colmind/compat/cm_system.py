"""CM system helpers: date/time, disk and memory use, clipboard, debugger attach."""

from __future__ import annotations

import os

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_GB = 1024 ** 3


def get_current_date_time(i: dict[str, Any]) -> dict[str, Any]:
    """Now as ``array`` {date_year..time_second} and ``iso_datetime`` (optional ``timezone`` name)."""
    tz = None
    if i.get("timezone"):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            tz = ZoneInfo(i["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            return {"return": 1, "error": f"unknown timezone {i['timezone']}: {exc}"}
    import datetime  # here, not at the top: every recipe call installs this module

    now = datetime.datetime.now(tz)
    array = {"date_year": now.year, "date_month": now.month, "date_day": now.day,
             "time_hour": now.hour, "time_minute": now.minute, "time_second": now.second}
    return {"return": 0, "array": array, "iso_datetime": now.isoformat()}


def get_disk_use(path: str = "/", console: bool = False) -> dict[str, Any]:
    """``shutil.disk_usage`` totals in bytes and GB."""
    import shutil

    usage = shutil.disk_usage(path)
    out: dict[str, Any] = {"return": 0}
    for key in ("total", "used", "free"):
        out[key] = getattr(usage, key)
        out[f"{key}_gb"] = getattr(usage, key) / _GB
    if console:
        print(f"Disk use of {path}: total {out['total_gb']:.1f} GB, used {out['used_gb']:.1f} GB, "
              f"free {out['free_gb']:.1f} GB")
    return out


def _meminfo() -> tuple[int, int, int]:
    """(process RSS, available, total) in bytes from /proc (Linux) when psutil is absent."""
    fields: dict[str, int] = {}
    with open("/proc/meminfo", encoding="utf8") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            fields[key] = int(rest.split()[0]) * 1024
    rss = 0
    with open("/proc/self/status", encoding="utf8") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    return rss, fields.get("MemAvailable", fields.get("MemFree", 0)), fields.get("MemTotal", 0)


def get_memory_use(console: bool = False) -> dict[str, Any]:
    """Process, available and total memory (psutil when installed, else /proc)."""
    try:
        import psutil

        rss = psutil.Process(os.getpid()).memory_info().rss
        vm = psutil.virtual_memory()
        available, total = vm.available, vm.total
    except ImportError:
        try:
            rss, available, total = _meminfo()
        except OSError as exc:
            return {"return": 1, "error": f"cannot read memory use (install psutil): {exc}"}
    out: dict[str, Any] = {"return": 0, "memory_use": rss, "memory_use_gb": rss / _GB,
                           "available_memory": available, "available_memory_gb": available / _GB,
                           "total_memory": total, "total_memory_gb": total / _GB}
    if console:
        print(f"Memory use: {out['memory_use_gb']:.3f} GB; available {out['available_memory_gb']:.1f} GB "
              f"of {out['total_memory_gb']:.1f} GB")
    return out


def _copy_with_tkinter(text: str) -> None:
    import tkinter

    root = tkinter.Tk()
    root.withdraw()
    root.clipboard_clear()
    root.clipboard_append(text)
    root.update()
    root.destroy()


def copy_to_clipboard(i: dict[str, Any]) -> dict[str, Any]:
    """Copy ``i['string']`` (pyperclip, else tkinter); ``skip_fail`` turns failure into a warning."""
    text = i.get("string", "")
    try:
        try:
            import pyperclip

            pyperclip.copy(text)
        except ImportError:
            _copy_with_tkinter(text)
    except Exception as exc:  # noqa: BLE001 - any clipboard backend failure
        if i.get("skip_fail", False):
            return {"return": 0, "warning": str(exc)}
        return {"return": 1, "error": str(exc)}
    return {"return": 0}


def debug_here(module_path: str, host: str = "localhost", port: int = 5678, text: str = "",
               env: dict[str, Any] | None = None, env_debug_uid: str = "") -> dict[str, Any]:
    """Start a debugpy listener and wait for a client.

    With ``env_debug_uid`` it only starts when ``env['CM_TMP_DEBUG_UID']`` equals it.
    """
    env = env or {}
    if env_debug_uid and env.get("CM_TMP_DEBUG_UID", "") != env_debug_uid:
        return {"return": 0, "started": False}
    try:
        import debugpy
    except ImportError:
        return {"return": 1, "error": "debug_here needs debugpy: pip install debugpy"}
    debugpy.listen((host, int(port)))
    print(f"{text}Waiting for a debugger on {host}:{port} ({module_path}) ...")
    debugpy.wait_for_client()
    return {"return": 0, "started": True}
