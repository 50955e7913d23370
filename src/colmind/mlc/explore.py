"""``mlc experiment script`` (``mlce``) on colmind's experiment runner (docs/mlc.md).

mlcflow varies **one key at a time**: ``--exp.k1=1:3 --exp.k2,=a,b`` runs k1=1, k1=2, k1=3, then
k2=a, k2=b (five runs, never a product), each run setting the script input ``--<key>=<value>``.
Values: ``a:b`` and ``a:b:s`` are inclusive integer ranges, digit strings become ints, ``--k,=a,b``
is a list, anything else is one value. Here each key becomes one ``cm run experiment`` with
``explore={key: [values]}`` and the step command ``mlcr <tags> ... --<key>={{key}}``, so MLC users get
the runner's records, replay and the playground.
"""

from __future__ import annotations

import re

from colmind.mlc.items import FRONT_END_KEYS, MlcError, call, tags_text

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RANGE = re.compile(r"^-?\d+:-?\d+(:-?\d+)?$")


def parse_value(value: Any) -> list[Any]:
    """One ``--exp.K`` value -> the list of values it stands for."""
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            out += parse_value(item)  # mlcflow nests a range inside a list: we flatten it
        return out
    text = str(value)
    if _RANGE.match(text):
        parts = [int(p) for p in text.split(":")]
        step = parts[2] if len(parts) == 3 else 1
        if step == 0:
            raise MlcError(f"the range {text} has a step of 0")
        return list(range(parts[0], parts[1] + (1 if step > 0 else -1), step))
    return [int(text) if text.isdigit() else text]


def sweeps(run_args: dict[str, Any]) -> list[dict[str, list[Any]]]:
    """The ``exp`` keys of run_args (``--exp.k=v`` nests, ``--exp.k,=a,b`` stays flat) -> one explore
    mapping per key, in the order given; ``[{}]`` (one plain run) when there is none."""
    found: dict[str, Any] = {}
    for key, value in run_args.items():
        if key == "exp" and isinstance(value, dict):
            found.update(value)
        elif key.startswith("exp."):
            found[key[4:]] = value
    out = []
    for key, value in found.items():
        if isinstance(value, dict):
            raise MlcError("Dictionary inputs are not supported for mlc experiment script")
        if not _KEY.match(key):
            raise MlcError(f"--exp.{key}: an experiment key must be a plain input name (letters, digits, _)")
        out.append({key: parse_value(value)})
    return out or [{}]


def flags(run_args: dict[str, Any], prefix: str = "") -> list[str]:
    """run_args -> mlc command-line flags that parse back to the same run_args."""
    out: list[str] = []
    for key, value in run_args.items():
        name = prefix + str(key)
        if isinstance(value, dict):
            out += flags(value, name + ".")
        elif isinstance(value, list):
            out.append(f"--{name},={','.join(str(v) for v in value)}")
        elif value is True:
            out.append(f"--{name}")
        else:
            out.append(f"--{name}={value}")
    return out


def step_command(run_args: dict[str, Any], key: str, python: str) -> list[str]:
    """The command each experiment step runs: this colmind's ``mlcr`` with the swept key."""
    rest = {k: v for k, v in run_args.items()
            if k not in FRONT_END_KEYS and k not in ("exp", "exp_tags", "p", "tags") and not k.startswith("exp.")}
    tags = tags_text(run_args.get("tags")) or str(run_args.get("details") or "")
    argv = [python, "-m", "colmind.mlc", "run", "script", f"--tags={tags}", *flags(rest)]
    if key:
        argv.append(f"--{key}={{{{{key}}}}}")
    return argv


def experiment_tags(run_args: dict[str, Any]) -> str:
    tags = tags_text(run_args.get("tags")) or str(run_args.get("details") or "")
    base = [t for t in tags.split(",") if t and not t.startswith("_")]
    extra = [t for t in tags_text(run_args.get("exp_tags")).split(",") if t]
    return ",".join(dict.fromkeys(base + extra))


def requests(run_args: dict[str, Any], python: str) -> list[dict[str, Any]]:
    """The ``cm run experiment`` inputs of one ``mlce`` command (pure: tested without the runner)."""
    if not (tags_text(run_args.get("tags")) or run_args.get("details")):
        raise MlcError("No script was selected: mlce <tags> --exp.<key>=<values>")
    out = []
    for sweep in sweeps(run_args):
        key = next(iter(sweep), "")
        out.append({"action": "run", "automation": "experiment", "tags": experiment_tags(run_args),
                    "explore": sweep, "unparsed_cmd": step_command(run_args, key, python)})
    return out


def experiment_script(run_args: dict[str, Any]) -> dict[str, Any]:
    import sys

    results = []
    for request in requests(run_args, sys.executable):
        result = call(request, out="con")
        if result.get("return", 0) > 0:
            if result.get("return") == 4 and "experiment" in str(result.get("error", "")):
                raise MlcError("colmind's experiment runner is not installed in this version "
                               "(automation 'experiment' not found)")
            return result
        results.append(result)
    return {"return": 0, "list": results}
