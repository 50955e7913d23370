"""The index monitor's query worker: runs eligible ``cm find`` command lines for ``cm`` clients.

One worker thread runs one query at a time (a second client meanwhile is refused and runs the
command itself), so the monitor's main thread keeps answering ``since`` requests at once. A query
runs exactly what ``cm`` would run (``colmind.cli.main.main``) with a fresh core, in the client's
working directory and ``CM_*``/``MLC_*`` environment, its output captured per stream in the order
it was written and encoded as the client's streams would encode it.

It is refused (the client then runs it itself, with the same result) when:
- the client is another colmind (package folder or version) or the command is not eligible;
- the client's ``$CM_REPOS`` spells another folder than the monitor's;
- colmind's own source files changed since the monitor loaded them (the monitor then stops, so
  that the next command starts a fresh one);
- the command would run code from a repository (an automation's ``module.py``): a long-lived
  process must not keep what such code leaves behind;
- anything at all goes wrong while it runs.
"""

from __future__ import annotations

import os
import sys
import threading

from colmind.store.monitor_protocol import ERR, OUT, Query, decode_query, eligible, encode_answer, query_env

TYPE_CHECKING = False

if TYPE_CHECKING:
    import socket
    from collections.abc import Callable
    from typing import Any


class Refused(BaseException):
    """The monitor does not answer this query itself (the reason is the message).

    A ``BaseException``, like ``KeyboardInterrupt``: raised from deep inside a command (a stream
    attribute the capture cannot honour, an automation's ``module.py`` about to be loaded), it
    must pass through ``access()``, which turns every ``Exception`` into a return code."""


class CodeChanged(Refused):
    """colmind's source changed under the running monitor."""


class CapturedStream:
    """``sys.stdout``/``sys.stderr`` of the monitor: what the query thread writes is captured as
    (stream, bytes) chunks; every other thread writes to the real stream."""

    def __init__(self, real: Any, stream: int, local: threading.local) -> None:
        self._real = real
        self._stream = stream
        self._local = local

    def _capture(self) -> Any:
        return getattr(self._local, "capture", None)

    def write(self, text: str) -> int:
        capture = self._capture()
        if capture is None:
            return int(self._real.write(text))
        encoding, errors = capture.encodings[self._stream]
        capture.chunks.append((self._stream, text.encode(encoding, errors)))
        return len(text)

    def flush(self) -> None:
        if self._capture() is None:
            self._real.flush()

    def isatty(self) -> bool:
        return False if self._capture() is not None else bool(self._real.isatty())

    def __getattr__(self, name: str) -> Any:
        if self._capture() is not None:
            raise Refused(f"the command used sys.{'stdout' if self._stream == OUT else 'stderr'}.{name}")
        return getattr(self._real, name)


class Capture:
    """One query's output: (stream, bytes) chunks in the order written, encoded as the client's
    streams would encode them."""

    def __init__(self, query: Query) -> None:
        out_enc, out_err, err_enc, err_err = query.encodings
        self.encodings = {OUT: (out_enc, out_err), ERR: (err_enc, err_err)}
        self.chunks: list[tuple[int, bytes]] = []


class QueryWorker:
    """The thread that answers queries, one at a time, for ``MonitorDaemon``."""

    def __init__(self, repos_path: str, on_code_change: Callable[[str], None]) -> None:
        import queue

        self.repos_path = repos_path
        self.on_code_change = on_code_change
        self.answered = 0
        self.refused = 0
        self.last_refusal = ""
        self._busy = threading.Lock()
        self._inbox: queue.SimpleQueue[tuple[socket.socket, int, bytes]] = queue.SimpleQueue()
        self._local = threading.local()
        self._sources: dict[str, int] = {}
        self._package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def start(self) -> QueryWorker:
        """Capture this process's streams per thread, guard module loads, start the thread."""
        sys.stdout = CapturedStream(sys.stdout, OUT, self._local)
        sys.stderr = CapturedStream(sys.stderr, ERR, self._local)
        _guard_repository_code()
        threading.Thread(target=self._loop, name="colmind-query", daemon=True).start()
        return self

    def offer(self, conn: socket.socket, size: int, head: bytes) -> bool:
        """Take ``conn`` (its ``query <size>`` line and then ``head`` read) unless a query is
        running already."""
        if not self._busy.acquire(blocking=False):
            return False
        self._inbox.put((conn, size, head))
        return True

    def stats(self) -> str:
        return f"answered {self.answered} refused {self.refused} last-refusal {self.last_refusal or '-'}"

    def _loop(self) -> None:
        while True:
            conn, size, head = self._inbox.get()
            try:
                conn.sendall(self._answer(conn, size, head))
            except OSError:
                pass
            finally:
                conn.close()
                self._busy.release()

    def _answer(self, conn: socket.socket, size: int, head: bytes) -> bytes:
        try:
            query = decode_query(_read_exactly(conn, size, head))
            code, chunks = self.run(query)
        except CodeChanged as exc:
            self.on_code_change(str(exc))
            return self._refusal(str(exc))
        except Refused as exc:
            return self._refusal(str(exc))
        except (Exception, SystemExit) as exc:  # never let a query take the monitor down
            return self._refusal(f"{type(exc).__name__}: {exc}")
        self.answered += 1
        return encode_answer(code, chunks)

    def _refusal(self, reason: str) -> bytes:
        self.refused += 1
        self.last_refusal = " ".join(reason.split())[:200]
        return b"refused " + self.last_refusal.encode() + b"\n"

    # -- running one query ---------------------------------------------------------------------
    def run(self, query: Query) -> tuple[int, list[tuple[int, bytes]]]:
        """Steps: check who asks and what; enter the client's context; run ``main``; leave."""
        self._check(query)
        capture = Capture(query)
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        try:
            _enter(query)
            self._check_home()
            self._local.capture = capture
            code = _run_main(list(query.argv))
        finally:
            self._local.capture = None
            _leave(saved_env, saved_cwd)
        self._check_sources()
        return code, capture.chunks

    def _check(self, query: Query) -> None:
        from colmind.version import __version__

        if query.package != self._package or query.version != __version__:
            raise Refused(f"the client is another colmind ({query.package} {query.version})")
        if not eligible(list(query.argv), query.env):
            raise Refused("not a query the monitor answers")
        _check_encodings(query)
        self._check_sources()

    def _check_home(self) -> None:
        from colmind.config import default_repos_dir

        if default_repos_dir() != self.repos_path:
            raise Refused(f"the client's CM_REPOS is spelled {default_repos_dir()}, not {self.repos_path}")

    def _check_sources(self) -> None:
        """Remember the stats of every colmind module loaded; refuse if one changed since."""
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None) or ""
            if not path.startswith(self._package + os.sep):
                continue
            try:
                st = os.stat(path)
            except OSError:
                raise CodeChanged(f"colmind's source {path} is gone") from None
            stamp = st.st_mtime_ns ^ st.st_size
            if self._sources.setdefault(path, stamp) != stamp:
                raise CodeChanged(f"colmind's source {path} changed")


def _read_exactly(conn: socket.socket, size: int, data: bytes) -> bytes:
    conn.settimeout(2.0)
    while len(data) < size:
        chunk = conn.recv(min(1 << 16, size - len(data)))
        if not chunk:
            raise ValueError("incomplete query")
        data += chunk
    if len(data) != size:
        raise ValueError("a query longer than announced")
    return data


def _check_encodings(query: Query) -> None:
    import codecs

    out_enc, out_err, err_enc, err_err = query.encodings
    try:
        for encoding in (out_enc, err_enc):
            codecs.lookup(encoding)
        for errors in (out_err, err_err):
            codecs.lookup_error(errors)
    except LookupError as exc:
        raise Refused(f"unknown output encoding: {exc}") from None


def _enter(query: Query) -> None:
    """The client's working directory and environment (its ``CM_*``, ``MLC_*`` and ``HOME``)."""
    os.chdir(query.cwd)
    for key in list(query_env(os.environ)):
        del os.environ[key]
    os.environ.update(query.env)


def _leave(saved_env: dict[str, str], saved_cwd: str) -> None:
    os.environ.clear()
    os.environ.update(saved_env)
    try:
        os.chdir(saved_cwd)
    except OSError:
        os.chdir("/")


def _run_main(argv: list[str]) -> int:
    """``cm <argv>`` with a fresh core (settings, warnings and repositories read anew)."""
    from colmind.cli.main import main
    from colmind.core import reset_core

    reset_core()
    try:
        return main(argv)
    finally:
        reset_core()


def _guard_repository_code() -> None:
    from colmind.automations.registry import guard_module_loads

    guard_module_loads(_refuse_module)


def _refuse_module(path: str) -> None:
    """Let an automation's ``module.py`` load only when it imports nothing but the standard
    library and ``cmind.automation``/``mlc.automation``: such code leaves nothing stale behind in
    a long-lived process (the module itself is executed anew by every command, edits included)."""
    reason = _module_import_problem(path)
    if reason:
        raise Refused(f"{path} {reason}")


ALLOWED_IMPORTS = frozenset({"cmind.automation", "mlc.automation"})
DYNAMIC_IMPORTS = frozenset({"__import__", "import_module", "exec", "eval", "run_path", "run_module"})


def _name_of(node: Any) -> str:
    import ast

    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def _module_import_problem(path: str) -> str:
    import ast

    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read(), path)
    except (OSError, SyntaxError, ValueError) as exc:
        return f"cannot be read ({type(exc).__name__})"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else ["." * node.level]
        elif _name_of(node) in DYNAMIC_IMPORTS:
            return "imports modules dynamically"
        else:
            continue
        for name in names:
            if name not in ALLOWED_IMPORTS and name.partition(".")[0] not in sys.stdlib_module_names:
                return f"imports {name}"
    return ""
