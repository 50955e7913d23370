"""Wall-clock timing of whole commands: repetitions, medians, timeouts, ratios."""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Sample:
    """The timings of one command (seconds); ``timed_out`` means the first run hit the cap."""

    label: str
    cmd: list[str]
    times: list[float] = field(default_factory=list)
    rc: int = 0
    timed_out: bool = False
    cap_s: float = 0.0
    stdout: str = ""
    stderr_tail: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and not self.timed_out else None

    @property
    def best(self) -> float | None:
        return min(self.times) if self.times and not self.timed_out else None

    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("stdout")
        data["stderr_tail"] = self.stderr_tail[-1500:] if self.rc not in (0,) else ""
        data["median"] = self.median
        data["best"] = self.best
        data["n"] = len(self.times)
        return data


def run_once(cmd: list[str], env: dict[str, str], cwd: str, timeout: float) -> tuple[float, int, str, str, bool]:
    """Run one command with stdin closed; return (seconds, rc, stdout, stderr, timed_out)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return time.perf_counter() - start, -1, out, "timeout", True
    return time.perf_counter() - start, proc.returncode, proc.stdout, proc.stderr, False


def measure(label: str, cmd: list[str], env: dict[str, str], cwd: str, *, reps: int, warmup: int = 1,
            timeout: float = 120.0, budget: float = 90.0) -> Sample:
    """Median-of-``reps`` timing of one command after ``warmup`` unmeasured runs."""
    return measure_group([Job(label, cmd, env, cwd)], reps=reps, warmup=warmup, timeout=timeout,
                         budget=budget)[label]


@dataclass(frozen=True)
class Job:
    """A command to time: ``label`` names its result."""

    label: str
    cmd: list[str]
    env: dict[str, str]
    cwd: str
    prep: tuple[tuple[str, ...], ...] = ()  # untimed commands run before every run (e.g. clear a cache)

    def prepare(self, timeout: float) -> None:
        for cmd in self.prep:
            run_once(list(cmd), self.env, self.cwd, timeout)


def measure_group(jobs: list[Job], *, reps: int, warmup: int = 1, timeout: float = 120.0,
                  budget: float = 90.0) -> dict[str, Sample]:
    """Time several commands **interleaved** (A B A B ...), so that a load change on the machine
    hits every tool alike; the ratio of medians is then fair even on a busy machine.

    A slow command gets fewer repetitions: at most ``budget`` seconds are spent on its measured
    runs (at least one). A command that hits ``timeout`` is not run again (``timed_out``).
    """
    samples = {job.label: Sample(label=job.label, cmd=job.cmd, cap_s=timeout) for job in jobs}
    wanted = {job.label: reps for job in jobs}
    for job in jobs:
        for _ in range(warmup):
            job.prepare(timeout)
            seconds, rc, _out, _err, timed_out = run_once(job.cmd, job.env, job.cwd, timeout)
            if timed_out:
                samples[job.label].timed_out, samples[job.label].rc = True, -1
                break
            if seconds * reps > budget:
                wanted[job.label] = max(1, int(budget / max(seconds, 1e-9)))
    for rep in range(reps):
        for job in jobs:
            sample = samples[job.label]
            if sample.timed_out or rep >= wanted[job.label]:
                continue
            job.prepare(timeout)
            seconds, rc, out, err, timed_out = run_once(job.cmd, job.env, job.cwd, timeout)
            if timed_out:
                sample.timed_out, sample.rc = True, -1
                continue
            sample.times.append(seconds)
            sample.rc, sample.stdout, sample.stderr_tail = rc, out, err[-8000:]
    return samples


def single(label: str, cmd: list[str], env: dict[str, str], cwd: str, timeout: float = 300.0) -> Sample:
    """One measured run (for things that change state, such as the first index build)."""
    sample = Sample(label=label, cmd=cmd, cap_s=timeout)
    seconds, rc, out, err, timed_out = run_once(cmd, env, cwd, timeout)
    sample.rc, sample.stdout, sample.stderr_tail, sample.timed_out = rc, out, err[-8000:], timed_out
    if not timed_out:
        sample.times.append(seconds)
    return sample


def ratio(slow: Sample | None, fast: Sample | None) -> str:
    """``slow/fast`` as text; a capped slow side gives ``> N x``."""
    if slow is None or fast is None or fast.median is None:
        return "n/a"
    if slow.timed_out:
        return f"> {slow.cap_s / fast.median:,.0f}x"
    if slow.median is None:
        return "n/a"
    return f"{slow.median / fast.median:,.1f}x"


def fmt_seconds(sample: Sample | None) -> str:
    if sample is None:
        return "n/a"
    if sample.timed_out:
        return f"> {sample.cap_s:.0f} s"
    if sample.median is None:
        return "n/a"
    value = sample.median
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"
