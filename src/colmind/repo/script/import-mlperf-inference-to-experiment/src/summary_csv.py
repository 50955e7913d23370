"""The MLPerf submission checker's summary.csv -> typed rows (malformed lines are skipped with
their line number and reason, never a crash)."""

from __future__ import annotations

import csv
from pathlib import Path

from .rows import IDENTITY, Rows
from .values import typed


class SourceError(ValueError):
    """A source that cannot be read at all (missing file, no header, missing columns)."""


def read(path: Path) -> Rows:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return parse(handle.read().splitlines(), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc


def parse(lines: list[str], source: str) -> Rows:
    """Rows of a summary.csv given as lines (the first is the header)."""
    reader = csv.reader(lines)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise SourceError(f"{source}: no header line") from exc
    lacking = [c for c in (*IDENTITY, "Result") if c not in header]
    if lacking:
        raise SourceError(f"{source}: not an MLPerf checker summary (no column {', '.join(lacking)}); "
                          f"columns: {', '.join(header)}")
    out = Rows(source)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.skip(f"{source}:{reader.line_num}", f"bad CSV: {exc}")
            continue
        if not any(c.strip() for c in cells):
            continue
        where = f"{source}:{reader.line_num}"
        if len(cells) != len(header):
            out.skip(where, f"{len(cells)} cells, the header has {len(header)}")
            continue
        out.add(where, {name: typed(cell) for name, cell in zip(header, cells, strict=True)})
    return out
