"""The inotify binding: event decoding (table) and real events from the kernel."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from colmind.store import inotify as ino

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")


@pytest.mark.parametrize("events", [
    [],
    [(1, ino.IN_MODIFY, 0, "_cm.json")],
    [(3, ino.IN_CREATE | ino.IN_ISDIR, 0, "a-new-artifact")],
    [(2, ino.IN_DELETE_SELF, 0, ""), (2, ino.IN_IGNORED, 0, "")],
    [(-1, ino.IN_Q_OVERFLOW, 0, "")],
    [(5, ino.IN_MOVED_FROM, 77, "x" * 16), (6, ino.IN_MOVED_TO, 77, "ünïcode name")],
])
def test_parse_events_round_trip(events: list[tuple[int, int, int, str]]) -> None:
    data = b"".join(ino.pack_event(*e) for e in events)
    parsed = ino.parse_events(data)
    assert [(e.wd, e.mask, e.cookie, e.name) for e in parsed] == events


def test_is_dir_flag() -> None:
    (event,) = ino.parse_events(ino.pack_event(1, ino.IN_CREATE | ino.IN_ISDIR, 0, "d"))
    assert event.is_dir
    (event,) = ino.parse_events(ino.pack_event(1, ino.IN_CREATE, 0, "f"))
    assert not event.is_dir


@linux_only
def test_kernel_reports_a_write_before_the_writer_returns(tmp_path: Path) -> None:
    """The monitor's correctness rests on this: an event is queued by the syscall that causes it."""
    notify = ino.Inotify()
    try:
        wd = notify.add_watch(str(tmp_path), ino.IN_CLOSE_WRITE | ino.IN_CREATE | ino.IN_ONLYDIR)
        (tmp_path / "_cm.json").write_text("{}")
        events = notify.read()
        assert [(e.wd, e.name) for e in events if e.mask & ino.IN_CLOSE_WRITE] == [(wd, "_cm.json")]
        assert notify.read() == []
    finally:
        notify.close()


@linux_only
def test_add_watch_on_a_missing_folder_raises_oserror(tmp_path: Path) -> None:
    notify = ino.Inotify()
    try:
        with pytest.raises(OSError) as info:
            notify.add_watch(str(tmp_path / "missing"), ino.IN_CREATE)
        assert info.value.errno == 2
        assert "missing" in str(info.value)
    finally:
        notify.close()
    assert notify.fd == -1
    os.stat(tmp_path)  # nothing left behind
