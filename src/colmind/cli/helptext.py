"""Help screens: ``cm help``, ``cm help <automation>``, ``cm <action> <automation> --help``."""

from __future__ import annotations

import inspect
from typing import Any

from colmind.console import say
from colmind.errors import NotFound

_COMMON = [("add", ""), ("copy", "cp"), ("delete", "rm"), ("info", ""), ("load", ""),
           ("move", "mv, ren, rename"), ("search", "find, list, ls"), ("test", ""), ("update", ""),
           ("version", "")]


def common_help(suffix: str = "") -> str:
    lines = ["", "Common actions to manage CM repositories (use -h | -help to see the API):", ""]
    for name, aliases in _COMMON:
        extra = f" ({aliases})" if aliases else ""
        lines.append(f"  * cm  {name}{extra}{suffix}")
    return "\n".join(lines) + "\n"


def _actions_of(obj: Any) -> list[str]:
    from colmind.automations.base import COMMON_ACTIONS

    names = []
    for name, _member in inspect.getmembers(type(obj), inspect.isfunction):
        if not name.startswith("_") and name not in COMMON_ACTIONS:
            names.append(name)
    return sorted(names)


def automation_help(obj: Any, i: dict[str, Any]) -> dict[str, Any]:
    from colmind.config import INFO_CLI

    if i.get("out") == "con":
        say(INFO_CLI)
        say("")
        say(f"Automation python module: {obj.automation_file_path or type(obj).__module__}")
        say(common_help(f" {obj.alias}"))
        say("Automation actions:")
        say("")
        for name in _actions_of(obj):
            say(f"  * cm {name} {obj.alias}")
    return {"return": 0, "warning": "no automation action"}


def action_help(obj: Any, method_name: str, action: str, i: dict[str, Any]) -> dict[str, Any]:
    method = getattr(obj, method_name, None)
    if method is None:
        raise NotFound("API not found")
    doc = inspect.getdoc(method) or "(no description)"
    if i.get("out") == "con":
        say(f"Path to the automation code: {inspect.getsourcefile(type(obj))}")
        say("")
        say("Python API (add -- to keys if used from the command line):")
        say("")
        say(f"def {method_name}(i):")
        say(doc)
    return {"return": 0, "help": doc}
