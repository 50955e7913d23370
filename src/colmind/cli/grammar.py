"""CM's command-line grammar: argv -> CM input dict (spec cm-core 1.2, rules R1-R12).

Where cmind crashes (``--x,`` without a value, ``--a=1 --a.b=2``) we raise a clear ``CMError``.
"""

from __future__ import annotations

from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def parse(cmd: str | list[str] | None) -> dict[str, Any]:
    """Parse a command string or argv list into CM's input dict.

    A list argument is mutated like CM does: the action and automation tokens are popped.
    """
    if isinstance(cmd, str):
        import shlex

        argv: list[str] = shlex.split(cmd)
    else:
        argv = [] if cmd is None else cmd
    result: dict[str, Any] = {}
    for key in ("action", "automation"):
        if argv and argv[0].strip() and argv[0][0] not in "-@":
            result[key] = argv.pop(0)
        else:
            break
    positionals: list[str] = []
    for index, token in enumerate(argv):
        if token == "--":
            result["unparsed_cmd"] = argv[index + 1:]
            break
        if token.startswith("@"):
            result.update(_load_input_file(token[1:]))
        elif token.startswith("-"):
            _apply_flag(result, token)
        else:
            positionals.append(token)
            if len(positionals) == 1:
                result["artifact"] = token
    if len(positionals) > 1:
        result["artifacts"] = positionals[1:]
    result["cmd"] = cmd if cmd is not None else []
    return result


def _load_input_file(name: str) -> dict[str, Any]:
    import os

    from colmind.errors import NotFound
    from colmind.store import limits
    from colmind.store.meta import load_json_or_yaml

    if not (name.endswith(".json") or name.endswith(".yaml")):
        raise CMError(f"file extension must be .json or .yaml in {name}")
    if not os.path.isfile(name):
        raise NotFound(f"File {name} not found")
    data = load_json_or_yaml(name)
    limits.check_depth(data, name)
    if data is None:
        return {}
    if not isinstance(data, dict):
        from colmind.errors import BadFile

        raise BadFile(f"detected problem in {name}: the top level must be a mapping")
    return data


def split_flag(token: str) -> tuple[str, Any]:
    """One ``-``-token -> (key, value) per R6/R7 (dashes stripped, list suffix applied)."""
    eq = token.find("=")
    value: Any
    if eq > 0:
        key, value = token[:eq].strip(), token[eq + 1:].strip()
    elif token.endswith("-"):
        key, value = token[:-1], False
    else:
        key, value = token, True
    for _ in range(2):
        if key.startswith("-"):
            key = key[1:]
    if key.endswith(","):
        key = key[:-1]
        if not isinstance(value, str):
            raise CMError(f"flag {token} ends with ',' (a list) but has no value: write {token}=a,b")
        value = value.split(",") if value != "" else []
    return key, value


def _apply_flag(result: dict[str, Any], token: str) -> None:
    key, value = split_flag(token)
    if "." not in key:
        result[key.replace("-", "_")] = value
        return
    parts = key.split(".")
    parts[0] = parts[0].replace("-", "_")
    node = result
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif not isinstance(child, dict):
            path = ".".join(parts[: depth + 1])
            raise CMError(
                f"flag {token} sets a key inside --{path}, but --{path} already has the value "
                f"{child!r}; give either --{path}=... or --{path}.<key>=..., not both"
            )
        node = child
    node[parts[-1]] = value
