"""mlcflow 1.3.8's command-line grammar: argv -> ``Command`` (docs/mlc.md, spec mlc-cli §2).

``mlc <action> <target> [details] [extra...]``. Flags are converted as mlcflow converts them
(``--k-`` is ``k_: True``, ``-xyz`` sets x, y and z, ``--a.b=c`` nests, ``--k,=a,b`` is a list,
``foo=bar`` is a key, bare words after the details are dropped). Unlike mlcflow, nothing here
exits the process or prints: errors are ``UsageError`` (exit 2) or ``InputError`` (exit 1).
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

GENERAL_ACTIONS = ("run", "pull", "test", "add", "show", "list", "find", "search", "rm", "cp", "mv",
                   "help", "prune", "mark-tmp")
SCRIPT_ACTIONS = ("docker", "docker-run", "apptainer", "apptainer-run", "experiment", "remote-run",
                  "remote-experiment", "remote-docker", "remote-slurm", "remote-slurm-experiment",
                  "slurm-run", "slurm-docker", "slurm-apptainer", "slurm-experiment", "doc", "lint")
ALL_ACTIONS = (*GENERAL_ACTIONS, "reindex", *SCRIPT_ACTIONS, "load")
GENERAL_TARGETS = ("repo", "repos", "script", "cache", "experiment")
TARGETS_OF: dict[str, tuple[str, ...]] = {
    **{a: GENERAL_TARGETS for a in GENERAL_ACTIONS},
    "reindex": (*GENERAL_TARGETS, "all"),
    **{a: ("script", "run") for a in SCRIPT_ACTIONS},
    "load": ("cfg",),
}
# the flags the front-end consumes (log level); the script never sees them
LOG_FLAGS = {"-v": "verbose", "--verbose": "verbose", "-s": "silent", "--silent": "silent"}


class UsageError(Exception):
    """A bad action or target: mlcflow's argparse message, exit status 2."""


class InputError(Exception):
    """A bad input (a missing ``--mlc_input_file``...): exit status 1."""


class Command:
    """One parsed command line."""

    def __init__(self, action: str, target: str, run_args: dict[str, Any], log_level: str = "",
                 help: bool = False) -> None:
        self.action = action  # with "-" as typed ("mark-tmp"); "" when none was given
        self.target = target  # "repos" -> "repo", "run" (script-only actions) -> "script"
        self.run_args = run_args
        self.log_level = log_level
        self.help = help

    def __repr__(self) -> str:
        return f"Command({self.action!r}, {self.target!r}, {self.run_args!r})"


def is_uid(text: str) -> bool:
    return len(text) == 16 and all(c in "0123456789abcdef" for c in text.lower())


def rename_flag(token: str) -> str:
    """mlcflow's first pass: in ``--name=value`` ``-`` becomes ``_`` unless the name is dotted;
    in a bare ``--name`` every ``-`` becomes ``_`` (so ``--k-`` is ``--k_``)."""
    if not token.startswith("--"):
        return token
    if "=" in token:
        name, value = token[2:].split("=", 1)
        return f"--{name if '.' in name else name.replace('-', '_')}={value}"
    return "--" + token[2:].replace("-", "_")


def convert_flags(tokens: list[str]) -> dict[str, Any]:
    """The ``extra`` tokens -> run_args, left to right, later tokens winning (spec §2.4)."""
    out: dict[str, Any] = {}
    for token in tokens:
        if "=" in token:
            _key_value(out, token)
        elif token.startswith("--"):
            out[token.strip("-")] = True
        elif token.startswith("-"):
            for char in token.lstrip("-"):
                out[char] = True
        # a bare word is dropped, as mlcflow drops it
    return out


def _key_value(out: dict[str, Any], token: str) -> None:
    key, value = token.split("=", 1)
    key = key.strip("-")
    if "," in key:
        name, rest = key.rsplit(",", 1)
        if not rest:
            out[name] = value.split(",")
        return  # ``--a,b=c``: mlcflow drops it
    if "." in key:
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
        return
    out[key] = value


def split_argv(argv: list[str]) -> tuple[str, str, str, list[str], bool]:
    """argv (after renaming) -> action, target, details, extra, help (argparse's positional rules:
    ``details`` is the first token after the target unless it looks like a flag)."""
    help_flag = False
    positional: list[str] = []
    index = 0
    while index < len(argv) and len(positional) < 2:
        token = argv[index]
        if token in ("-h", "--help"):
            help_flag = True
        elif token.startswith("-") and token != "-":  # a flag before the target
            raise UsageError(f"mlc: error: unrecognized arguments: {token}")
        else:
            positional.append(token)
        index += 1
    rest = argv[index:]
    if "-h" in rest or "--help" in rest:
        help_flag = True
        rest = [t for t in rest if t not in ("-h", "--help")]
    details = ""
    if rest and not rest[0].startswith("-"):
        details, rest = rest[0], rest[1:]
    action = positional[0] if positional else ""
    target = positional[1] if len(positional) > 1 else ""
    return action, target, details, rest, help_flag


def check_choice(action: str, target: str) -> None:
    if action not in TARGETS_OF:
        import difflib

        hint = difflib.get_close_matches(action, ALL_ACTIONS, n=1)
        prefix = [a for a in ALL_ACTIONS if action and a.startswith(action)]
        guess = (hint or prefix or [""])[0]
        choices = ", ".join(f"'{a}'" for a in ALL_ACTIONS)
        raise UsageError((f"Did you mean '{guess}'?\n\n" if guess else "")
                         + f"mlc: error: argument command: invalid choice: '{action}' (choose from {choices})")
    allowed = TARGETS_OF[action]
    if target and target not in allowed:
        import difflib

        hint = difflib.get_close_matches(target, allowed, n=1)
        choices = ", ".join(f"'{t}'" for t in allowed)
        raise UsageError((f"Did you mean '{hint[0]}'?\n\n" if hint else "")
                         + f"mlc {action}: error: argument target: invalid choice: '{target}' (choose from {choices})")
    if not target and action != "reindex":
        raise UsageError(f"mlc {action}: error: the following arguments are required: target")


def parse(argv: list[str], run_cmd: str = "") -> Command:
    """``argv`` after the program name -> ``Command`` (``mlc_run_cmd`` = ``run_cmd`` or argv)."""
    renamed = [rename_flag(t) for t in argv]
    action, target, details, extra, help_flag = split_argv(renamed)
    if help_flag and not details and not _has_tags(extra):
        return Command(action, target, {}, help=True)
    if not action or (not target and action != "reindex" and not extra and not details):
        return Command("", "", {})  # mlcflow: "No command specified." (``mlc``, ``mlc help``, ``mlc list``)
    check_choice(action, target)
    log_level = ""
    for token in list(extra):
        if token in LOG_FLAGS:
            log_level = LOG_FLAGS[token]
            extra.remove(token)
    run_args = convert_flags(extra)
    run_args["mlc_run_cmd"] = run_cmd or shell_join(["mlc", *renamed])
    target = {"repos": "repo", "run": "script"}.get(target, target)
    _positionals(run_args, action, target, details, extra)
    run_args = _merge_input_file(run_args)
    if run_args.get("path_only") or run_args.get("p"):
        run_args["path_only"] = True
    if help_flag:
        run_args["help"] = True
    return Command(action, target, run_args, log_level)


_SAFE = frozenset("%+,-./0123456789:=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")


def shell_join(argv: list[str]) -> str:
    """``shlex.join`` without importing ``shlex`` (and ``re``) on every command."""
    return " ".join(t if t and set(t) <= _SAFE else "'" + t.replace("'", "'\"'\"'") + "'" for t in argv)


def _has_tags(extra: list[str]) -> bool:
    return any(t.startswith("--tags=") for t in extra)


def _positionals(run_args: dict[str, Any], action: str, target: str, details: str, extra: list[str]) -> None:
    if action in ("pull", "rm", "add", "find", "search") and target == "repo":
        run_args["repo"] = details or None  # mlcflow forgets ``search`` here (always empty): we do not
    if details and not is_uid(details) and not run_args.get("tags") and target in ("script", "cache"):
        run_args["tags"] = details
    if details and not run_args.get("details"):
        run_args["details"] = details
    if action in ("cp", "mv"):
        run_args["target"] = target
        if details:
            run_args["src"] = details
        if extra:
            run_args["dest"] = extra[0]
    if action == "reindex" and target:
        run_args["reindex_target"] = target


def _merge_input_file(run_args: dict[str, Any]) -> dict[str, Any]:
    """``--mlc_input_file=F``: a YAML (or ``.json``) mapping deep-merged under the command line."""
    name = run_args.pop("mlc_input_file", None)
    if not name:
        return run_args
    import os

    if not isinstance(name, str):
        raise InputError(f"Input file option must be a path, got: {name!r}")
    if not os.path.isfile(name):
        raise InputError(f"Input file not found: {name}")
    try:
        data = _json(name) if name.lower().endswith(".json") else _yaml(name)
    except Exception as exc:  # noqa: BLE001 - any parse error names the file
        raise InputError(f"Failed to parse input file {name}: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"Input file {name} must contain a mapping at the top level")
    return _deep_merge(data, run_args)


def _json(name: str) -> Any:
    import json

    with open(name, encoding="utf-8") as handle:
        return json.load(handle)


def _yaml(name: str) -> Any:
    import yaml

    with open(name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def non_ascii(argv: list[str]) -> list[tuple[str, str]]:
    """Tokens with a non-ASCII character (mlcflow refuses them: usually a dash pasted from a PDF)."""
    bad = []
    for token in argv:
        if len(token) > 1 and token[0] == token[-1] and token[0] in "'\"":
            continue
        for char in token:
            if ord(char) > 127:
                bad.append((token, char))
                break
    return bad
