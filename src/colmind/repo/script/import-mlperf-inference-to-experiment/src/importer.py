"""The import, step by step: read the sources, build one record per result, write them into
the ``all`` and the per-version experiments."""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import checking, naming, records, store, summary_csv, tree
from .rows import Rows
from .summary_csv import SourceError
from .values import normalise_version

OFFICIAL_RESULTS = "https://github.com/mlcommons/inference_results_{version}"


@dataclass(frozen=True)
class Options:
    target_repo: str = "local"
    summary_csv: str = ""
    submission_dir: str = ""
    results_dir: str = ""
    version: str = ""
    submitter: str = ""
    git_url: str = ""  # "none": leave git_url/url empty
    git_branch: str = ""
    run_checker: bool = True


@dataclass
class Outcome:
    records: int = 0
    skipped: list[str] = field(default_factory=list)
    experiments: list[store.Written] = field(default_factory=list)
    checker: list[str] = field(default_factory=list)

    def summary(self) -> str:
        new = sum(w.new for w in self.experiments)
        updated = sum(w.updated for w in self.experiments)
        same = sum(w.unchanged for w in self.experiments)
        changed = sum(1 for w in self.experiments if w.file_changed)
        return (f"imported {self.records} MLPerf inference result(s) into {len(self.experiments)} experiment(s) "
                f"({new} new, {updated} updated, {same} unchanged record(s); {changed} file(s) written); "
                f"skipped {len(self.skipped)} row(s)")


def run(opts: Options) -> Outcome:
    """Raises SourceError (nothing to read) or store.StoreError (cannot write)."""
    sources = read_sources(opts)
    outcome = Outcome(checker=[c for _, c in sources if c])
    built: list[records.Record] = []
    for (rows, _), origin in zip(sources, (origin_of(opts, rows) for rows, _ in sources), strict=True):
        keep_submitter(rows, opts.submitter)
        built += records.build(rows, origin, opts.version)
        outcome.skipped += rows.skipped
    if not built:
        raise SourceError("no MLPerf inference result to import" + (
            f"; skipped {len(outcome.skipped)} row(s):\n  " + "\n  ".join(outcome.skipped)
            if outcome.skipped else ""))
    outcome.records = len(built)
    for name, group in sorted(group_by_experiment(built).items()):
        outcome.experiments.append(store.write(opts.target_repo, name, naming.experiment_tags(name), group))
    return outcome


def read_sources(opts: Options) -> list[tuple[Rows, str]]:
    """(rows, checker verdict) of every source given."""
    sources: list[tuple[Rows, str]] = []
    if opts.summary_csv:
        sources.append((summary_csv.read(Path(opts.summary_csv)), ""))
    for folder in (opts.submission_dir, opts.results_dir):
        if not folder:
            continue
        path = Path(folder)
        if not path.is_dir():
            raise SourceError(f"{folder}: not a folder")
        errors, verdict = (checking.errors_per_location(tree.submission_root(path))
                           if opts.run_checker else (None, ""))
        sources.append((tree.read(path, errors), verdict))
    if not sources:
        raise SourceError("nothing to import: give --summary_csv=FILE, --submission_dir=DIR or --results_dir=DIR "
                          "(or use _skip_checker with a summary.csv in the current folder)")
    return sources


def keep_submitter(rows: Rows, submitter: str) -> None:
    if submitter:
        rows.rows = [(w, r) for w, r in rows.rows if str(r.get("Organization", "")) == submitter]


def origin_of(opts: Options, rows: Rows) -> records.Origin:
    """git_url: --git_url, else the tree's git remote, else (summary.csv) the official results
    repository of the round; a tree without a remote gets file:// URLs."""
    if opts.git_url.lower() == "none":
        return records.Origin()
    source = Path(rows.source)
    if source.is_dir():
        remote = "" if opts.git_url else _git_remote(source)
        url, branch = opts.git_url or remote, opts.git_branch
        if remote and not branch:  # the checkout's own branch
            branch = _git(source, "symbolic-ref", "--short", "HEAD")
        return records.Origin(url.removesuffix(".git"), branch or "master", None if url else source)
    version = normalise_version(opts.version or _first_version(rows))
    url = opts.git_url or (OFFICIAL_RESULTS.format(version=version) if version else "")
    return records.Origin(url, opts.git_branch or "master")


def _first_version(rows: Rows) -> str:
    return next((str(r.get("version")) for _, r in rows.rows if r.get("version")), "")


def _git_remote(folder: Path) -> str:
    """The remote of the git checkout whose top folder ``folder`` is ("" otherwise: a tree inside
    some other repository does not get that repository's URL)."""
    top = _git(folder, "rev-parse", "--show-toplevel")
    if not top or Path(top).resolve() != folder.resolve():
        return ""
    return _git(folder, "config", "--get", "remote.origin.url")


def _git(folder: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                              timeout=30, check=False, stdin=subprocess.DEVNULL,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def group_by_experiment(built: list[records.Record]) -> dict[str, list[records.Record]]:
    """Every record goes to ``...--all--...`` and ``...--<version>--...`` (same uid in both)."""
    groups: dict[str, list[records.Record]] = defaultdict(list)
    for record in built:
        for version in ("all", str(record["version"])):
            groups[naming.experiment_name(record, version)].append(record)
    return groups
