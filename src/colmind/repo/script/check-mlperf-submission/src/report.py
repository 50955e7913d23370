"""Findings of a check: every problem names the file it concerns, relative to the submission root."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR | WARNING
    path: str
    message: str


@dataclass
class Report:
    root: Path  # the submission root (holds the division folders)
    strict: bool = False
    expected_seeds: tuple[int, ...] | None = None
    full_logs: Path | None = None  # <output>/accuracy-logs: untruncated accuracy logs, when known
    findings: list[Finding] = field(default_factory=list)
    versions: dict[str, list[str]] = field(default_factory=dict)  # loadgen version -> files
    seeds: dict[tuple[Any, ...], list[str]] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def error(self, path: Path, message: str) -> None:
        self.findings.append(Finding("ERROR", self.rel(path), message))

    def warn(self, path: Path, message: str) -> None:
        self.findings.append(Finding("WARNING", self.rel(path), message))

    def soft(self, path: Path, message: str) -> None:
        """An error with --strict, a warning otherwise (test-length runs)."""
        (self.error if self.strict else self.warn)(path, message)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "ERROR")
