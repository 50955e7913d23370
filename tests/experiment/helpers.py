"""Shared helpers of the experiment tests: find run folders and records on disk (no colmind code,
as a reader of the records would)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def experiments(home: Path) -> list[Path]:
    root = home / "repos" / "local" / "experiment"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def run_dirs(artifact: Path) -> list[Path]:
    return sorted(p for p in artifact.iterdir() if (p / "cm-result.json").is_file())


def records(run_dir: Path) -> list[dict[str, Any]]:
    return json.loads((run_dir / "cm-result.json").read_text())


def only_run(home: Path) -> Path:
    arts = experiments(home)
    assert len(arts) == 1, arts
    runs = run_dirs(arts[0])
    assert len(runs) == 1, runs
    return runs[0]


def env_of_cm_repos() -> dict[str, str]:
    return dict(os.environ)
