"""Help screens: ``cm help``, ``cm help <automation>``, ``cm <action> <automation> --help``."""

from __future__ import annotations

import inspect
import os

from colmind.cli.info import INFO_CLI  # noqa: E402,F401
from colmind.console import say
from colmind.errors import NotFound

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_COMMON = [("add", ""), ("copy", "cp"), ("delete", "rm"), ("info", ""), ("load", ""),
           ("move", "mv, ren, rename"), ("search", "find, list, ls"), ("test", ""), ("update", ""),
           ("version", "")]


def common_help(suffix: str = "") -> str:
    """The common-action list of ``cm help`` (no trailing newline)."""
    lines = ["", "Common actions to manage CM repositories (use -h | -help to see the API):", ""]
    for name, aliases in _COMMON:
        extra = f" ({aliases})" if aliases else ""
        lines.append(f"  * cm  {name}{extra}{suffix}")
    return "\n".join(lines)


def _actions_of(obj: Any) -> list[str]:
    from colmind.automations.base import COMMON_ACTIONS

    names = []
    for name, _member in inspect.getmembers(type(obj), inspect.isfunction):
        if not name.startswith("_") and name not in COMMON_ACTIONS:
            names.append(name)
    return sorted(names)


def automation_help(obj: Any, i: dict[str, Any]) -> dict[str, Any]:
    if i.get("out") == "con":
        say(INFO_CLI)
        say("")
        say(f"Automation python module: {_source_file(obj)}")
        say(common_help(f"  {obj.alias}"))
        actions = [n for n in _actions_of(obj) if n not in (obj.meta.get("action_substitutions") or {})]
        if actions:
            say("")
            say("Automation actions:")
            say("")
            for name in actions:
                say(f"  * cm  {name}  {obj.alias}")
    return {"return": 0, "warning": "no automation action"}


def _source_file(obj: Any) -> str:
    path = obj.automation_file_path
    if path and os.path.isfile(path):
        return str(path)
    return inspect.getsourcefile(type(obj)) or type(obj).__module__


def _api_text(method: Any, name: str) -> str:
    """The source of ``def name(`` through the end of its docstring (what CM prints for ``-h``)."""
    try:
        lines = inspect.getsourcelines(method)[0]
    except (OSError, TypeError):
        return f"def {name}(i):\n" + (inspect.getdoc(method) or "")
    out: list[str] = []
    quotes = 0
    for line in lines:
        if not out and "def " not in line:
            continue
        out.append(line.rstrip("\n"))
        quotes += line.count('"""') + line.count("'''")
        if quotes >= 2 or (len(out) > 1 and quotes == 0):
            break
    if quotes == 0:
        out = out[:1]
    return "\n".join(out)


def action_help(obj: Any, method_name: str, action: str, i: dict[str, Any]) -> dict[str, Any]:
    method = getattr(obj, method_name, None)
    if method is None or method_name.startswith("_") or not callable(method):
        raise NotFound("API not found")
    doc = inspect.getdoc(method) or "(no description)"
    if i.get("out") == "con":
        say(f"Path to the internal CM automation code: {inspect.getsourcefile(method) or _source_file(obj)}")
        say("")
        say("Python API (add -- to keys if used from the command line):")
        say("")
        say(_api_text(method, method_name))
    return {"return": 0, "help": doc}
