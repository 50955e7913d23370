"""Native scripts: choosing ``run-<flavor>-<version>-<platform>.sh`` ... ``run.sh``, writing
``tmp-run.sh`` / ``tmp-run.bat`` with sorted, quoted exports, running them with live output and a
log file, and reading ``tmp-run-env.out`` / ``tmp-run-state.json`` back (spec 2.10).
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from stat import S_ISLNK, S_ISREG

from colmind.engine import envvars
from colmind.engine.dialect import Dialect
from colmind.store import atomic
from colmind.valueclass import Value

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import IO, Any

TMP_FILES = ("tmp-run-state.json", "tmp-run-env.out", "tmp-ver.out", "tmp-env.sh", "tmp-env-all.sh",
             "tmp-state.json", "tmp-run.sh", "tmp-run.bat", "tmp-run.log")
ENV_OUT = "tmp-run-env.out"
STATE_OUT = "tmp-run-state.json"
LOG_FILE = "tmp-run.log"


def candidates(name: str, env: Mapping[str, Any], dialect: Dialect, windows: bool,
               existing: Sequence[str] | None = None) -> list[str]:
    """Native script file names to try, most specific first."""
    if windows:
        return [name + ".bat"]
    p = dialect.prefix
    flavor = str(env.get(p + "HOST_OS_FLAVOR", "") or "")
    version = str(env.get(p + "HOST_OS_VERSION", "") or "")
    platform = str(env.get(p + "HOST_PLATFORM_FLAVOR", "") or "")
    if dialect.name == "mlc":
        if existing is not None and not any(f.startswith(name + "-") for f in existing):
            return [name + ".sh"]
        like = str(env.get(p + "HOST_OS_FLAVOR_LIKE", "") or "")
        ostype = str(env.get(p + "HOST_OS_TYPE", "") or "")
        parts = [(flavor, version, platform), (flavor, version), (flavor, platform), (flavor,),
                 (like, platform), (like,), (ostype, platform), (ostype,), (platform,)]
    else:
        parts = [(flavor, version, platform), (flavor, platform), (flavor, version), (flavor,), (platform,)]
    out = [f"{name}-{'-'.join(combo)}.sh" for combo in parts if all(combo)]
    return out + [name + ".sh"]


def choose(script_dir: str, name: str, env: Mapping[str, Any], dialect: Dialect, windows: bool) -> str:
    """Path of the native script to run, or ``""`` if none exists."""
    try:
        existing = os.listdir(script_dir)
    except OSError:
        return ""
    for cand in candidates(name, env, dialect, windows, existing):
        if cand in existing:
            return os.path.join(script_dir, cand)
    return ""


def _safe_name(name: str) -> bool:
    """``^[A-Za-z_][A-Za-z0-9_]*$`` (``re`` is loaded only when env files are written)."""
    import re

    return re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) is not None


def sh_quote(value: str) -> str:
    """Single-quote a value for bash so it reaches the script literally."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _dq(value: str) -> str:
    """Escape for inside double quotes (used where ``${VAR}`` must still expand)."""
    import re

    return re.sub(r'([\\"$`])', r"\\\1", value)


def cm_quote(value: str) -> str:
    """A recipe's own value as CM and MLC write it: in double quotes, so ``$VAR``, ``\\$`` and
    backticks keep their shell meaning when the script runs (``\\${PIPESTATUS[0]}`` becomes
    ``${PIPESTATUS[0]}``, expanded where the recipe ``eval``s it). A ``"`` that is not escaped
    already is escaped (MLC; CM writes it bare and the export breaks), and a trailing odd
    backslash is doubled, so the value never ends the quoting early."""
    out: list[str] = []
    backslashes = 0
    for ch in value:
        if ch == '"' and backslashes % 2 == 0:
            out.append("\\")
        out.append(ch)
        backslashes = backslashes + 1 if ch == "\\" else 0
    if backslashes % 2:
        out.append("\\")
    return '"' + "".join(out) + '"'


def literal_values() -> Mapping[str, set[str]] | None:
    """The user/host values of the run in progress (``None`` outside a run: all literal)."""
    from colmind.engine.context import current

    ctx = current()
    return None if ctx is None else ctx.literal_env


def value_text(value: Any) -> str:
    """How a non-list env value is written (``True`` for booleans, like CM)."""
    if isinstance(value, list):
        return ":".join(str(v) for v in value)
    if isinstance(value, dict):
        from colmind.engine.jsondump import dumps

        return dumps(value, sort_keys=True)
    return str(value)


def export_lines(env: Mapping[str, Any], windows: bool = False,
                 literal: Mapping[str, set[str]] | None = None) -> list[str]:
    """One export per env key, sorted by key; ``+K`` lists prepend to the existing variable.

    ``literal``: the values (per key) the user or the host gave; they are single-quoted and reach
    the script as typed (E9). Any other value is the recipe's own and is written as CM does (see
    :func:`cm_quote`). ``None`` (no run in progress, e.g. ``tmp-env.sh`` for the user): all literal.
    """
    lines: list[str] = []
    for key in sorted(env):
        value = env[key]
        plus = envvars.plus_key(key, ";" if windows else ":")
        if plus is not None:
            name, sep = plus
            if not _safe_name(name):
                continue
            items = value if isinstance(value, list) else [value]
            lines.append(_plus_line(name, sep, [str(v) for v in items], windows))
            continue
        if not _safe_name(key):
            continue
        text = value_text(value)
        if windows:
            lines.append(f'set "{key}={text}"')
        elif literal is None or text in literal.get(key, ()):
            lines.append(f"export {key}={sh_quote(text)}")
        else:
            lines.append(f"export {key}={cm_quote(text)}")
    return lines


def _plus_line(name: str, sep: str, items: list[str], windows: bool) -> str:
    if windows:
        return f'set "{name}={sep.join(items + [f"%{name}%"])}"'
    joined = sep.join(_dq(i) for i in items)
    return f'export {name}="{joined}{sep}${{{name}}}"'


def tmp_script_text(env: Mapping[str, Any], native: str, windows: bool,
                    prefix_lines: Sequence[str] = ()) -> str:
    """Content of ``tmp-run.sh`` (or ``tmp-run.bat``)."""
    if windows:
        body = ["@echo off", ""] + list(prefix_lines) + export_lines(env, True) + ["", f'call "{native}"', ""]
        return "\r\n".join(body)
    body = ["#!/bin/bash", ""] + list(prefix_lines) + export_lines(env, literal=literal_values()) + ["", ""]
    if native:
        body.append(f". {sh_quote(native)}")
    return "\n".join(body) + "\n"


class NativeResult(Value):
    """Outcome of one native script run."""

    _fields = ("returncode", "log_path", "tail", "script")

    def __init__(self, returncode: int, log_path: str, tail: list[str] | None = None, script: str = "") -> None:
        self.returncode = returncode
        self.log_path = log_path
        self.tail: list[str] = [] if tail is None else tail
        self.script = script

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def describe_status(returncode: int) -> str:
    """``exit status 3`` / ``killed by signal 9 (SIGKILL)``."""
    if returncode < 0:
        import signal

        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "?"
        return f"killed by signal {-returncode} ({name})"
    return f"exit status {returncode}"


def run(workdir: str, env: Mapping[str, Any], native: str, *, windows: bool = False,
        prefix_lines: Sequence[str] = (), stream: bool = True, base_env: Mapping[str, str] | None = None,
        tmp_name: str = "") -> NativeResult:
    """Write the temporary wrapper in ``workdir`` and run it; output streams live and to a log."""
    name = tmp_name or ("tmp-run.bat" if windows else "tmp-run.sh")
    wrapper = os.path.join(workdir, name)
    atomic.write_text(wrapper, tmp_script_text(env, native, windows, prefix_lines))
    if not windows:
        os.chmod(wrapper, atomic.executable_mode())
    cmd = ["cmd", "/c", name] if windows else ["bash", "-c", f". ./{name}"]
    log_path = os.path.join(workdir, LOG_FILE)
    code, tail = _spawn(cmd, workdir, log_path, stream, base_env)
    return NativeResult(code, log_path, tail, native)


def _spawn(cmd: list[str], cwd: str, log_path: str, stream: bool,
           base_env: Mapping[str, str] | None) -> tuple[int, list[str]]:
    import subprocess
    import threading

    tail: deque[str] = deque(maxlen=25)
    lock = threading.Lock()
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=dict(base_env) if base_env is not None else None)

        def pump(src: IO[bytes], dst: Any) -> None:
            for raw in iter(src.readline, b""):
                line = raw.decode("utf-8", errors="replace")
                with lock:
                    log.write(line)
                    log.flush()
                    tail.append(line.rstrip("\n"))
                    if stream:
                        dst.write(line)
                        dst.flush()
            src.close()

        assert proc.stdout is not None and proc.stderr is not None
        threads = [threading.Thread(target=pump, args=(proc.stdout, sys.stdout), daemon=True),
                   threading.Thread(target=pump, args=(proc.stderr, sys.stderr), daemon=True)]
        for t in threads:
            t.start()
        code = proc.wait()
        for t in threads:
            t.join()
    return code, list(tail)


def read_back(workdir: str) -> tuple[dict[str, str], dict[str, Any]]:
    """``tmp-run-env.out`` (split at the first ``=``) and ``tmp-run-state.json``."""
    env: dict[str, str] = {}
    state: dict[str, Any] = {}
    env_file = os.path.join(workdir, ENV_OUT)
    if os.path.isfile(env_file):
        with open(env_file, encoding="utf-8", errors="replace") as f:
            env = envvars.parse_env_out(f.read())
    state_file = os.path.join(workdir, STATE_OUT)
    if os.path.isfile(state_file):
        with open(state_file, encoding="utf-8") as f:
            import json

            loaded = json.load(f)
        if isinstance(loaded, dict):
            state = loaded
    return env, state


def remove_outputs(workdir: str) -> None:
    """Delete stale ``tmp-run-env.out`` / ``tmp-run-state.json`` before a run."""
    for name in (ENV_OUT, STATE_OUT):
        try:
            os.remove(os.path.join(workdir, name))
        except OSError:
            pass


def clean(workdir: str, extra: Sequence[str] = ()) -> None:
    """Delete the engine's tmp files and meta ``clean_files`` from ``workdir``."""
    for name in list(TMP_FILES) + [str(e) for e in extra]:
        path = os.path.join(workdir, name)
        try:  # one lstat: a file, or a link (to anything); never a folder
            mode = os.lstat(path).st_mode
            if S_ISLNK(mode) or S_ISREG(mode):
                os.remove(path)
        except OSError:
            pass


def env_sh_text(env: Mapping[str, Any], windows: bool = False) -> str:
    """``tmp-env.sh`` content (exports of ``env``)."""
    return "\n".join(export_lines(env, windows)) + "\n"
