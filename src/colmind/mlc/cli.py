"""Console scripts ``mlc``/``mlcflow`` and the shortcuts ``mlcr mlcd mlca mlce mlct mlcp``.

Exit status as mlcflow: 0 success (also an empty find, an rm that matched nothing), 1 any error,
2 a bad action or target. Unlike mlcflow, no command prints a Python traceback (set
``CM_DEBUG=yes`` to see one) and nothing is written to ``./.mlc-log.txt``.
"""

from __future__ import annotations

import sys

from colmind.exitcodes import closed_stdout
from colmind.mlc import __version__ as MLC_VERSION

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.mlc.grammar import Command

ENGINE_REPORTED = ("run", "docker", "docker-run", "experiment", "doc", "help", "test")
USAGE = "usage: mlc <action> <target> [details] [--flags]   (mlc -h for help)"


def version_text() -> str:
    from colmind.version import __version__

    return f"mlcflow {MLC_VERSION} (colmind {__version__})"


def main(argv: list[str] | None = None, run_cmd: str = "") -> int:
    """Run one ``mlc`` command line; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    bad = _non_ascii(args)
    if bad:
        return bad
    if args and args[0] in ("--version", "-V", "version"):
        print(version_text())
        return 0
    try:
        return _run(args, run_cmd)
    except KeyboardInterrupt:
        print("\nInterrupted.")
        return 1
    except BrokenPipeError:
        return closed_stdout()


def _non_ascii(args: list[str]) -> int:
    from colmind.mlc.grammar import non_ascii

    bad = non_ascii(args)
    if not bad:
        return 0
    print("\n\u26a0\ufe0f  ERROR: Non-ASCII characters detected in command-line arguments!\n")
    for token, char in bad:
        print(f"  \u2192 Argument: {token}")
        print(f"    Contains non-ASCII character: '{char}' (U+{ord(char):04X})")
    print("\nThis often happens due to copy-paste from PDFs or documents.\n"
          "Please retype the arguments using plain ASCII.\n")
    return 1


def _run(args: list[str], run_cmd: str) -> int:
    from colmind.mlc import grammar, log

    try:
        cmd = grammar.parse(args, run_cmd)
    except grammar.UsageError as exc:
        print(f"{USAGE}\n\n{exc}", file=sys.stderr)
        return 2
    except grammar.InputError as exc:
        log.root_error(str(exc))
        return 1
    if cmd.help:
        return _help(cmd)
    if not cmd.action:
        log.root_error("Error: No command specified.")
        print(USAGE, file=sys.stderr)
        return 1
    log.set_level(cmd.log_level)
    result = execute(cmd)
    return _finish(cmd, result)


def _help(cmd: Command) -> int:
    from colmind.mlc import helptext, log

    try:
        text = helptext.text(cmd.action, cmd.target)
    except helptext.HelpError as exc:
        log.root_error(str(exc))
        return 1
    if text.startswith("Error: "):
        log.root_error(text)  # mlcflow: an unsupported pair's help is an error line, exit status 0
    else:
        print(text)
    return 0


def execute(cmd: Command) -> dict[str, Any]:
    """Dispatch on colmind (reading mlcflow's registry too); every error is a result dict."""
    from colmind.api import reset_output
    from colmind.config import use_mlc_registry
    from colmind.mlc.dispatch import dispatch

    use_mlc_registry(True)  # before the process makes its core: it reads mlcflow's registry
    reset_output()
    try:
        return dispatch(cmd.action, cmd.target, cmd.run_args)
    except Exception as exc:  # a bug of ours: a clear line, no traceback (CM_DEBUG=yes shows it)
        from colmind.config import env_true

        if env_true("CM_DEBUG") or env_true("MLC_DEBUG"):
            raise
        return {"return": 1, "error": f"internal error {type(exc).__name__}: {exc} "
                                      "(re-run with CM_DEBUG=yes to see the traceback, and please report it)"}


def _finish(cmd: Command, result: dict[str, Any]) -> int:
    from colmind.exitcodes import exit_status
    from colmind.mlc import log

    code = int(result.get("return", 0) or 0)
    if code > 0:
        if cmd.action in ENGINE_REPORTED and cmd.target == "script":
            _report_failure(cmd, str(result.get("error", "")))
        else:
            log.root_error(str(result.get("error", "")))
        return min(exit_status(code), 1)  # mlcflow exits 1 whatever the engine's code
    console_output(cmd, result)
    return 0


def console_output(cmd: Command, result: dict[str, Any]) -> None:
    """mlcflow's output step: found paths, the reindex message, warnings (spec §2.7)."""
    from colmind.mlc import log

    run_args = cmd.run_args
    if cmd.action in ("find", "search"):
        found = result.get("list") or []
        if not found and not run_args.get("path_only"):
            shown = {k: v for k, v in run_args.items()}
            shown["target_name"] = cmd.target
            log.warn(f"No {cmd.target} entry found for the specified input: {shown}!")
            log.info("Tip: Run 'mlc pull repo' to fetch the latest upstream changes.")
        for item in found:
            if run_args.get("path_only"):
                print(item.path)
            else:
                log.info(f"Item path: {item.path}")
    if cmd.action == "reindex" and result.get("message"):
        log.info(str(result["message"]))
    warnings = result.get("warnings") or []
    if warnings:
        log.warn(f"{len(warnings)} warning(s) found during the execution of the mlc command.")
        for warning in warnings:
            log.warn(f"Warning code: {warning.get('code')}, Description: {warning.get('description')}")


def _report_failure(cmd: Command, error: str) -> None:
    """The shortcut report of a failed script (mlcflow prints a traceback under plain ``mlc``)."""
    from colmind.mlc import log

    tags = str(cmd.run_args.get("tags") or cmd.run_args.get("details") or "")
    log.error(f"Error during 'script' action: {error}")
    if tags:
        log.error(f"Failed script: {tags}")
        log.error(f"To rerun just the failed part: {rerun_command(tags, cmd.run_args)}")
    log.error(version_text())


def rerun_command(tags: str, run_args: dict[str, Any]) -> str:
    skip = {"mlc_run_cmd", "tags", "details", "path_only", "p", "action", "target", "env", "quiet"}
    parts = ["mlcr", tags]
    for key, value in run_args.items():
        if key in skip or isinstance(value, (dict, list)) or key.lower().startswith("mlc_"):
            continue
        parts.append(f"--{key}" if value is True else f"--{key}={value}")
    return " ".join(parts)


def _shortcut(action: str, target: str) -> int:
    from colmind.mlc.grammar import shell_join

    args = sys.argv[1:]
    name = sys.argv[0].rsplit("/", 1)[-1] or "mlc"
    return main([action, target, *args], run_cmd=shell_join([name, *args]))


def mlc() -> None:
    sys.exit(main())


def mlcr() -> None:
    sys.exit(_shortcut("run", "script"))


def mlcd() -> None:
    sys.exit(_shortcut("docker", "script"))


def mlca() -> None:
    sys.exit(_shortcut("apptainer", "script"))


def mlce() -> None:
    sys.exit(_shortcut("experiment", "script"))


def mlct() -> None:
    sys.exit(_shortcut("test", "script"))


def mlcp() -> None:
    sys.exit(_shortcut("pull", "repo"))


__all__ = ["main", "mlc", "mlca", "mlcd", "mlce", "mlcp", "mlcr", "mlct"]
