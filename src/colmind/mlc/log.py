"""mlcflow's log lines on stderr: ``[YYYY-MM-DD HH:MM:SS,mmm <file:15>:<line:4> <LEVEL:5>] - msg``.

The file and line are colmind's own (the shape is what scripts match, e.g. ``- Item path: P``).
Unlike mlcflow, nothing is appended to ``./.mlc-log.txt``. ``-v`` shows DEBUG, ``-s`` only
warnings and errors. Errors of a failed action are ``ERROR:root:<message>`` as in mlcflow.
"""

from __future__ import annotations

import os
import sys

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40}
_state = {"level": 20}


def set_level(name: str) -> None:
    """``verbose`` -> DEBUG, ``silent`` -> WARN, anything else -> INFO."""
    _state["level"] = {"verbose": 10, "silent": 30}.get(name, 20)


def _emit(level: str, message: str, depth: int = 2) -> None:
    if _LEVELS[level] < _state["level"]:
        return
    import time

    frame = sys._getframe(depth)
    name = os.path.basename(frame.f_code.co_filename)
    now = time.time()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)) + f",{int(now % 1 * 1000):03d}"
    print(f"[{stamp} {name:<15}:{frame.f_lineno:4d} {level:<5}] - {message}", file=sys.stderr)


def debug(message: str) -> None:
    _emit("DEBUG", message)


def info(message: str) -> None:
    _emit("INFO", message)


def warn(message: str) -> None:
    _emit("WARN", message)


def error(message: str) -> None:
    _emit("ERROR", message)


def root_error(message: str) -> None:
    """``ERROR:root:<message>``: how mlcflow reports a failed action (always shown)."""
    print(f"ERROR:root:{message}", file=sys.stderr)
