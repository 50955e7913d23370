"""Entry points: ``cm``/``colmind``/``python -m colmind`` and ``cmr`` (= ``cm run script``)."""

from __future__ import annotations

import sys

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
        return _closed_stdout()
    except Exception:
        if debug or _env_debug():
            raise
        raise
    return _finish(result, args, first_output())


def _closed_stdout() -> int:
    """The reader of stdout went away (``cm ... | head``): exit quietly like other Unix tools."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 141


def _env_debug() -> bool:
    from colmind.config import env_true

    return env_true("CM_DEBUG")


def _finish(result: dict[str, Any], args: list[str], output: Any) -> int:
    saved = _save_to_json_target(args)
    if saved:
        from colmind.store import atomic

        atomic.write_json(saved, _json_safe(result))
    code = int(result.get("return", 0) or 0)
    try:
        if output == "json":
            import json

            print(json.dumps(_json_safe(result), indent=2, sort_keys=True, ensure_ascii=False))
        elif code > 0 and output in (None, "con"):
            print(_error_text(str(result.get("error", ""))), file=sys.stderr)
    except BrokenPipeError:
        return _closed_stdout()
    return code


def _error_text(error: str) -> str:
    """CM's ``CM error: <message>!`` exactly (scripts parse it; multi-line messages keep the
    pasteable lines, such as a re-run command, before their last line)."""
    return f"\nCM error: {error}!"


def _save_to_json_target(args: list[str]) -> str:
    for token in args:
        stripped = token.lstrip("-")
        if stripped.startswith("save_to_json=") or stripped.startswith("save-to-json="):
            return stripped.split("=", 1)[1]
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
    """Console script ``cm``."""
    sys.exit(main())


def run_script() -> None:
    """Console script ``cmr``: ``cm run script <args>``."""
    sys.exit(main(["run", "script", *sys.argv[1:]]))


__all__ = ["main", "run", "run_script"]
