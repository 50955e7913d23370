"""Entry points: ``cm``/``colmind``/``python -m colmind``, ``cmr`` (= ``cm run script``), ``cme``
(= ``cm run experiment``) and ``cmrd`` (= ``cm docker script``)."""

from __future__ import annotations

import sys

from colmind.exitcodes import closed_stdout, error_message, exit_status

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def main(argv: list[str] | None = None) -> int:
    """Run the ``cm`` command line and return the exit status (= CM return code)."""
    from colmind.api import access, first_output, reset_output

    reset_output()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or "cm-debug" in args
    try:
        result = access(args, out="con")
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return closed_stdout()
    except Exception:
        if debug or _env_debug():
            raise
        raise
    return _finish(result, args, first_output())


def exit_with(code: object) -> None:
    """``sys.exit`` with :func:`exit_status` applied (for console scripts and ``halt``)."""
    sys.exit(exit_status(code))


def _env_debug() -> bool:
    from colmind.config import env_true

    return env_true("CM_DEBUG")


def _finish(result: dict[str, Any], args: list[str], output: Any) -> int:
    saved = _save_to_json_target(args)
    if saved:
        problem = _save_to_json(saved, result)
        if problem:
            result = {"return": 1, "error": problem}
    code = int(result.get("return", 0) or 0)
    try:
        if output == "json":
            import json

            print(json.dumps(_json_safe(result), indent=2, sort_keys=True, ensure_ascii=False))
        elif code > 0 and output in (None, "con"):
            print(_error_text(str(result.get("error", ""))), file=sys.stderr)
    except BrokenPipeError:
        return closed_stdout()
    return code


def _error_text(error: str) -> str:
    """CM's ``CM error: <message>!`` exactly (scripts parse it; multi-line messages keep the
    pasteable lines, such as a re-run command, before their last line). ``error_prefix`` of
    ``CM_CONFIG`` replaces ``CM error:`` as in CM."""
    return f"\n{_error_prefix()} {error_message(error)}!"


def _error_prefix() -> str:
    import os

    if not os.environ.get("CM_CONFIG", "").strip():
        return "CM error:"
    from colmind.config import load_settings
    from colmind.errors import CMError

    try:
        prefix = load_settings().cfg.get("error_prefix", "CM error:")
    except CMError:
        return "CM error:"
    return str(prefix)



def _save_to_json_target(args: list[str]) -> str:
    for token in args:
        stripped = token.lstrip("-")
        if stripped.startswith("save_to_json=") or stripped.startswith("save-to-json="):
            return stripped.split("=", 1)[1]
    return ""


def _save_to_json(target: str, result: dict[str, Any]) -> str:
    """Write ``--save_to_json`` (atomically); a problem is returned as the error to report."""
    import os

    from colmind.store import atomic

    folder = os.path.dirname(os.path.abspath(target))
    if not target or target.endswith(("/", os.sep)) or os.path.isdir(target):
        return f"cannot write --save_to_json={target}: it is a folder, give a file name"
    if not os.path.isdir(folder):
        return f"cannot write --save_to_json={target}: folder {folder} does not exist"
    try:
        atomic.write_json(target, _json_safe(result))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"cannot write --save_to_json={target}: {reason}"
    return ""


def _json_safe(value: Any) -> Any:
    """Drop what JSON cannot hold (CM's ``dump_safe_json``)."""
    import json

    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            try:
                json.dumps(item)
                out[key] = item
            except (TypeError, ValueError):
                continue
        return out
    return value


def run() -> None:
    """Console script ``cm``: a ``cm find`` the index monitor can answer is sent to it
    (``colmind.cli.served``); everything else, and every doubt, runs here."""
    args = sys.argv[1:]
    try:
        served = try_served(args)
    except KeyboardInterrupt:  # Ctrl-C while the monitor answers: as main() says it
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(130)
    exit_with(main(args) if served is None else served)


# the actions the index monitor may answer (``monitor_protocol.QUERY_ACTIONS``, not imported here:
# every other command pays nothing for this check)
SERVED_ACTIONS = ("find", "search", "ls", "list")


def try_served(args: list[str]) -> int | None:
    if not args or args[0] not in SERVED_ACTIONS:
        return None  # the common case costs one comparison, no import
    import os

    if os.environ.get("MLC_REPOS", "").strip():
        return None  # the monitor reads colmind's registry only, not mlcflow's (docs/mlc.md)
    from colmind.cli.served import try_served as served

    return served(args)


def run_script() -> None:
    """Console script ``cmr``: ``cm run script <args>``."""
    exit_with(main(["run", "script", *sys.argv[1:]]))


def run_experiment() -> None:
    """Console script ``cme``: ``cm run experiment <args>``."""
    exit_with(main(["run", "experiment", *sys.argv[1:]]))


def run_docker() -> None:
    """Console script ``cmrd``: ``cm docker script <args>``."""
    exit_with(main(["docker", "script", *sys.argv[1:]]))


__all__ = ["error_message", "exit_status", "exit_with", "main", "run", "run_docker", "run_experiment", "run_script"]
