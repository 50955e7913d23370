"""``cm find`` answered by the index monitor, when one is running.

A ``cm find <automation> --tags=...`` command spends most of its time starting Python and loading
SQLite and colmind's index code; the query itself takes a millisecond or two. When the index
monitor of ``$CM_REPOS`` runs (``colmind.store.monitord``), it has all of that loaded already, so
the ``cm`` client sends it the command line (with its working directory, its ``CM_*``/``MLC_*``
environment and its output encodings), and writes the output and exit status that come back.

Only command lines that ``monitor_protocol.eligible`` accepts are sent. Whenever there is any
doubt (no monitor, another colmind, a refusal, a malformed or late answer), ``try_served`` returns
None and the command runs in this process as usual, with the same result.
"""

from __future__ import annotations

import os
import sys

ANSWER_TIMEOUT = 10.0  # a query waits for the index's lock like any command; then it runs itself


def try_served(argv: list[str]) -> int | None:
    """Exit status of ``cm <argv>`` answered by the index monitor, or None to run it here."""
    if not sys.platform.startswith("linux"):
        return None
    from colmind.store.monitor_protocol import eligible

    if not eligible(argv, os.environ) or not _byte_streams():
        return None
    from colmind.store.monitor import setting

    if setting() == "no":
        return None
    answer = _ask(argv)
    if answer is None:
        return None
    code, chunks = answer
    return _write(chunks, code)


def _ask(argv: list[str]) -> tuple[int, list[tuple[int, bytes]]] | None:
    from colmind.store.monitor import exchange
    from colmind.store.monitor_protocol import Query, decode_answer, encode_query, query_env
    from colmind.store.paths import default_repos_dir

    try:
        query = Query(_package_dir(), _version(), os.getcwd(), query_env(os.environ),
                      _encodings(), tuple(argv))
        data = exchange(default_repos_dir(), encode_query(query), ANSWER_TIMEOUT, kill_late=False)
        return decode_answer(data) if data else None
    except (OSError, ValueError, AttributeError):
        return None


def _byte_streams() -> bool:
    return hasattr(sys.stdout, "buffer") and hasattr(sys.stderr, "buffer")


def _package_dir() -> str:
    import colmind

    return os.path.dirname(os.path.abspath(colmind.__file__))


def _version() -> str:
    from colmind.version import __version__

    return __version__


def _encodings() -> tuple[str, str, str, str]:
    out, err = sys.stdout, sys.stderr
    return (str(out.encoding), str(out.errors), str(err.encoding), str(err.errors))


def _write(chunks: list[tuple[int, bytes]], code: int) -> int:
    """Write the answer's output in its order; ``cm find | head`` exits quietly like ``main``."""
    from colmind.store.monitor_protocol import OUT

    try:
        for stream, data in chunks:
            target = sys.stdout if stream == OUT else sys.stderr
            target.flush()
            target.buffer.write(data)
            target.buffer.flush()
    except BrokenPipeError:
        from colmind.cli.main import closed_stdout

        return closed_stdout()
    return code


__all__ = ["try_served"]
