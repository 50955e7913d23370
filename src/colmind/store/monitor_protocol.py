"""The index monitor's wire protocol, shared by the daemon and its clients.

A client connects to the monitor's abstract Unix socket (named after the device and inode of
``$CM_REPOS``), sends one request line and reads the reply until the monitor closes:

- ``since <seq>``: the monitor first reads every file-system event already queued (an edit
  finished before the request is therefore in the answer), then replies with its identity, the
  repository roots it watches and every artifact or automation directory that changed after
  ``seq``;
- ``stop``: the monitor replies ``bye`` and exits.

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
