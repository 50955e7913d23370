"""The command builder: a recipe's variations and inputs -> a ``cm`` command line (never run here).

URL keys as upstream: ``~~GROUP=VARIATION`` picks a variation of a group (``''`` = none),
``~VARIATION=true|false`` toggles an ungrouped one, ``@FLAG=VALUE`` sets an input. Values are
quoted with POSIX rules (``shlex.quote``) or Windows ``cmd`` rules, so a ``$(...)`` in a value
stays text (upstream P3). ``--dry-run`` previews go through ``colmind.api.access`` with
``dry_run`` set: the engine walks the dependency plan without running or importing anything.
"""

from __future__ import annotations

import pprint
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from colmind.playground.names import BadInput

SCRIPT_AUTOMATION = "script,5b4e0237da074764"
_SAFE_WIN = re.compile(r"^[A-Za-z0-9_.,:/\\=+@-]+$")
_FLAG = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
MAX_VALUE = 1000


@dataclass
class Group:
    name: str
    choices: list[str]
    default: str
    selected: str = ""


@dataclass
class Builder:
    """What the page shows: variation groups, free variations, inputs and the resulting command."""

    tags: str
    groups: list[Group] = field(default_factory=list)
    free: list[tuple[str, bool]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    flags: dict[str, str] = field(default_factory=dict)
    variations: list[str] = field(default_factory=list)

    def all_tags(self) -> list[str]:
        return [t for t in re.split(r"[,\s]+", self.tags) if t] + ["_" + v for v in self.variations]


def variation_model(meta: Mapping[str, Any]) -> tuple[list[Group], list[str]]:
    """Variation groups (with defaults) and ungrouped variations of a recipe meta."""
    groups: dict[str, Group] = {}
    free: list[str] = []
    for vname, vmeta in (meta.get("variations") or {}).items():
        if not isinstance(vmeta, dict) or "alias" in vmeta or "#" in vname or vname.endswith("_"):
            continue
        group = vmeta.get("group")
        if group:
            g = groups.setdefault(str(group), Group(str(group), [], ""))
            g.choices.append(vname)
            if vmeta.get("default") or vmeta.get("default_gui"):
                g.default = vname
        else:
            free.append(vname)
    order = [str(x) for x in meta.get("variation_groups_order") or []]
    ordered = sorted(groups.values(), key=lambda g: (order.index(g.name) if g.name in order else len(order), g.name))
    return ordered, sorted(free)


def build(meta: Mapping[str, Any], params: Mapping[str, str], tags: str = "") -> Builder:
    """The builder state of ``meta`` under URL ``params``."""
    b = Builder(tags or ",".join(str(t) for t in meta.get("tags") or []))
    groups, free = variation_model(meta)
    for g in groups:
        g.selected = params.get(f"~~{g.name}", g.default)
        if g.selected and g.selected not in g.choices:
            raise BadInput(f"unknown variation {g.selected[:40]!r} for group {g.name!r}")
        if g.selected:
            b.variations.append(g.selected)
    b.groups = groups
    for v in free:
        on = str(params.get(f"~{v}", "")).lower() in ("true", "yes", "on", "1")
        b.free.append((v, on))
        if on:
            b.variations.append(v)
    described = dict(meta.get("input_description") or {})
    for flag, env in (meta.get("input_mapping") or {}).items():
        described.setdefault(flag, {"desc": f"sets {env}"})
    for flag, desc in sorted(described.items(), key=lambda kv: (-_sort_of(kv[1]), kv[0])):
        desc = desc if isinstance(desc, dict) else {"desc": str(desc)}
        value = params.get(f"@{flag}", "" if desc.get("default") is None else str(desc.get("default")))
        b.inputs.append({"flag": flag, "desc": str(desc.get("desc", "")), "value": value,
                         "choices": [str(c) for c in desc.get("choices") or []],
                         "boolean": bool(desc.get("boolean"))})
    for key, value in params.items():
        if key.startswith("@"):
            flag = key[1:]
            if not _FLAG.match(flag):
                raise BadInput("invalid flag name: letters, digits and _ . - only")
            if len(value) > MAX_VALUE:
                raise BadInput(f"value of --{flag} longer than {MAX_VALUE} characters")
    for item in b.inputs:
        _set_flag(b, item["flag"], item["value"], item["boolean"])
    for key, value in params.items():
        if key.startswith("@") and key[1:] not in described:
            _set_flag(b, key[1:], value, False)
    return b


def _sort_of(desc: Any) -> int:
    try:
        return int(desc.get("sort", 0)) if isinstance(desc, dict) else 0
    except (TypeError, ValueError):
        return 0


def _set_flag(b: Builder, flag: str, value: str, boolean: bool) -> None:
    if boolean or value.lower() in ("true", "false"):
        if value.lower() in ("true", "yes", "on", "1"):
            b.flags[flag] = "true"
    elif value != "":
        b.flags[flag] = value


def quote(value: str, windows: bool) -> str:
    """One argument for a POSIX shell or for Windows ``cmd``."""
    if not windows:
        return shlex.quote(value)
    if _SAFE_WIN.match(value):
        return value
    return '"' + value.replace('"', '\\"') + '"'


def command(b: Builder, windows: bool = False, shell: bool = False, docker: bool = False,
            experiment: bool = False) -> str:
    """The command line, one flag per continued line."""
    tags = b.all_tags()
    head = "cm docker script" if docker else "cm run script"
    tag_part = quote("--tags=" + ",".join(tags), windows)
    parts = [f"{head} {tag_part}"]
    if experiment:
        parts[0] = f"cm run experiment --tags=repro,{','.join(t for t in tags if not t.startswith('_'))} -- " + parts[0]
    for flag, value in b.flags.items():
        parts.append(f"--{flag}" if value == "true" else f"--{flag}={quote(value, windows)}"
                     if windows else quote(f"--{flag}={value}", False))
    if shell:
        parts.append("--shell")
    cont = " ^\n   " if windows else " \\\n   "
    return cont.join(parts)


def access_input(b: Builder) -> dict[str, Any]:
    """The ``colmind.access`` dict the command stands for."""
    i: dict[str, Any] = {"action": "run", "automation": SCRIPT_AUTOMATION, "tags": ",".join(b.all_tags()),
                         "out": "con"}
    for flag, value in b.flags.items():
        i[flag] = True if value == "true" else value
    return i


def input_file(b: Builder) -> str:
    """The same run as an input file: ``cm run script @input.json``."""
    import json

    i = access_input(b)
    del i["out"]
    return json.dumps(i, indent=2)


def python_snippet(b: Builder) -> str:
    return ("import colmind\n\nr = colmind.access(" + pprint.pformat(access_input(b), sort_dicts=False) + ")\n"
            "if r['return'] > 0:\n    print(r['error'])\n")
