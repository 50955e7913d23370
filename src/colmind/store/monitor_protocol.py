"""The index monitor's wire protocol, shared by the daemon and its clients.

A client connects to the monitor's abstract Unix socket (named after the device and inode of
``$CM_REPOS``), sends one request line and reads the reply until the monitor closes:

- ``since <seq>``: the monitor first reads every file-system event already queued (an edit
  finished before the request is therefore in the answer), then replies with its identity, the
  repository roots it watches and every artifact or automation directory that changed after
  ``seq``;
- ``stop``: the monitor replies ``bye`` and exits;
- ``stats``: one line of counters (queries answered and refused, and the last refusal's reason);
- ``query <length>`` + payload: a ``cm`` command line to run in the monitor (see ``eligible``);
  the answer is ``done <exit status> <chunks>`` followed by the output chunks in the order they
  were written, or ``refused <reason>`` (the client then runs the command itself).

Fields are NUL-separated (paths may hold any character but NUL): ``ok``, the monitor's
``$CM_REPOS``, its instance id, its epoch, its current sequence number, the number of roots, the
roots, then pairs of (changed path, sequence number). Instance and epoch change whenever the
monitor may have missed events (a restart, an event-queue overflow, a re-registration of repos):
a client whose last answer came from another instance or epoch must check the disk in full.
Stdlib-light on purpose: a command imports this on every query.
"""

from __future__ import annotations

import os

from colmind.valueclass import FrozenValue

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import ClassVar


def address(repos_path: str) -> str:
    """The abstract socket name of the monitor of ``repos_path`` (its device and inode)."""
    st = os.stat(repos_path)
    return f"\0colmind-index-monitor-{st.st_dev:x}-{st.st_ino:x}"


class Report(FrozenValue):
    """What the monitor saw: who it is, what it watches, and what changed after a sequence number."""

    _fields: ClassVar[tuple[str, ...]] = ("repos_path", "instance", "epoch", "seq", "roots", "dirty")
    repos_path: str
    instance: str
    epoch: int
    seq: int
    roots: frozenset[str]
    dirty: dict[str, int]

    def __init__(self, repos_path: str, instance: str, epoch: int, seq: int, roots: frozenset[str],
                 dirty: dict[str, int]) -> None:
        for name, value in zip(self._fields, (repos_path, instance, epoch, seq, roots, dirty), strict=True):
            self._set(name, value)

    @property
    def token(self) -> str:
        """What a client stores next to what it synced: ``instance:epoch:seq``."""
        return f"{self.instance}:{self.epoch}:{self.seq}"

    def since(self, token: str) -> int | None:
        """The sequence number of ``token`` if it came from this instance and epoch, else None."""
        head, _, seq = token.rpartition(":")
        if head != f"{self.instance}:{self.epoch}" or not seq.isdigit():
            return None
        return int(seq)


def encode_report(report: Report) -> bytes:
    fields = ["ok", report.repos_path, report.instance, str(report.epoch), str(report.seq),
              str(len(report.roots)), *sorted(report.roots)]
    for path, seq in report.dirty.items():
        fields += [path, str(seq)]
    return b"\0".join(os.fsencode(f) for f in fields)


def decode_report(data: bytes) -> Report:
    """Parse a reply; raises ValueError on anything malformed."""
    fields = [os.fsdecode(f) for f in data.split(b"\0")]
    if len(fields) < 6 or fields[0] != "ok":
        raise ValueError("not a monitor report")
    count = int(fields[5])
    roots = frozenset(fields[6:6 + count])
    rest = fields[6 + count:]
    if len(roots) != count or len(rest) % 2:
        raise ValueError("truncated monitor report")
    dirty = {rest[i]: int(rest[i + 1]) for i in range(0, len(rest), 2)}
    return Report(fields[1], fields[2], int(fields[3]), int(fields[4]), roots, dirty)


# -- queries the monitor answers itself ------------------------------------------------------------
# ``cm find <automation> [names] [--tags=...]`` spends most of its time starting Python and importing
# SQLite; the monitor has both loaded, so the ``cm`` client can send it the command line and print
# what comes back. Only read-only commands of this exact shape qualify (``eligible``); anything
# else, and any doubt on the monitor's side, means the client runs the command itself.
QUERY_ACTIONS = frozenset({"find", "search", "ls", "list"})
QUERY_VERSION = "1"
OUT, ERR = 1, 2


def eligible(argv: list[str], environ: Mapping[str, str]) -> bool:
    """Whether ``cm <argv>`` may be answered by the monitor: a find of built-in shape whose
    answer depends on nothing but the repositories (no files, no ``.``, no flags but ``--tags``)."""
    if len(argv) < 2 or argv[0] not in QUERY_ACTIONS or environ.get("CM_CONFIG", "").strip():
        return False
    if environ.get("CM_DEBUG", "").strip().lower() in ("yes", "on", "true", "1"):
        return False
    return _plain(argv[1]) and all(t.startswith("--tags=") or _plain(t) for t in argv[2:])


def _plain(token: str) -> bool:
    return bool(token) and token[0] not in ".@-~" and "/" not in token and "\\" not in token


class Query(FrozenValue):
    """One command line for the monitor, with what its answer may depend on in the client."""

    _fields: ClassVar[tuple[str, ...]] = ("package", "version", "cwd", "env", "encodings", "argv")
    package: str
    version: str
    cwd: str
    env: dict[str, str]
    encodings: tuple[str, str, str, str]
    argv: tuple[str, ...]

    def __init__(self, package: str, version: str, cwd: str, env: dict[str, str],
                 encodings: tuple[str, str, str, str], argv: tuple[str, ...]) -> None:
        for name, value in zip(self._fields, (package, version, cwd, env, encodings, argv), strict=True):
            self._set(name, value)


def query_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The part of the environment a query's answer may depend on."""
    return {k: v for k, v in environ.items() if k.startswith(("CM_", "MLC_")) or k == "HOME"}


def encode_query(query: Query) -> bytes:
    env = [f"{k}={v}" for k, v in sorted(query.env.items())]
    fields = [QUERY_VERSION, query.package, query.version, query.cwd, *query.encodings,
              str(len(env)), *env, *query.argv]
    payload = b"\0".join(os.fsencode(f) for f in fields)
    return b"query %d\n" % len(payload) + payload


def decode_query(payload: bytes) -> Query:
    """Parse a query's payload (after its ``query <length>`` line); ValueError if malformed."""
    fields = [os.fsdecode(f) for f in payload.split(b"\0")]
    if len(fields) < 9 or fields[0] != QUERY_VERSION:
        raise ValueError("not a query of this protocol version")
    count = int(fields[8])
    env_items = fields[9:9 + count]
    if len(env_items) != count or not all("=" in item for item in env_items):
        raise ValueError("truncated query")
    env = dict(item.split("=", 1) for item in env_items)
    encodings = (fields[4], fields[5], fields[6], fields[7])
    return Query(fields[1], fields[2], fields[3], env, encodings, tuple(fields[9 + count:]))


def encode_answer(code: int, chunks: list[tuple[int, bytes]]) -> bytes:
    """The output of an answered query, in the order it was written: (stream, bytes) chunks."""
    parts = [b"done %d %d\n" % (code, len(chunks))]
    for stream, data in chunks:
        parts += [b"%d %d\n" % (stream, len(data)), data]
    return b"".join(parts)


def decode_answer(data: bytes) -> tuple[int, list[tuple[int, bytes]]] | None:
    """(exit status, chunks) of an answer; None for a refusal; ValueError if malformed."""
    head, _, rest = data.partition(b"\n")
    words = head.split()
    if not words or words[0] != b"done" or len(words) != 3:
        return None
    code, count = int(words[1]), int(words[2])
    chunks: list[tuple[int, bytes]] = []
    for _ in range(count):
        line, _, rest = rest.partition(b"\n")
        stream, size = (int(w) for w in line.split())
        if stream not in (OUT, ERR) or size > len(rest):
            raise ValueError("truncated answer")
        chunks.append((stream, rest[:size]))
        rest = rest[size:]
    if rest:
        raise ValueError("trailing bytes after an answer")
    return code, chunks
