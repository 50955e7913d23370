"""What one experiment step is (:class:`StepSpec`) and what came out of it (:class:`StepOutcome`).

Both are plain picklable dataclasses: an executor may ship them to other processes or machines.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

# keys colmind adds to every record of cm-result.json (documented in docs/experiments.md)
K_STEP = "colmind_step"
K_KEY = "colmind_key"
K_DIMS = "colmind_dims"
K_RC = "colmind_return_code"
K_STATUS = "colmind_status"
K_DURATION = "colmind_duration_s"
K_HOST = "colmind_host"
K_ERROR = "colmind_error"
K_REPLAY_OF = "colmind_replay_of"
BOOKKEEPING = ("uid", "iso_datetime", K_STEP, K_KEY, K_RC, K_STATUS, K_DURATION, K_HOST, K_ERROR, K_REPLAY_OF)


def step_key(dims: dict[str, Any]) -> str:
    """The stable key of a step: 16 hex digits of the SHA-256 of its dimension values (JSON, sorted)."""
    text = json.dumps(dims, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class StepSpec:
    """One step of a sweep: its dimension values, the final command and where it runs."""

    index: int  # 1-based position in the sweep (CM_EXPERIMENT_STEP)
    key: str  # step_key(dims)
    dims: dict[str, Any]
    command: list[str] | str  # a shell command line (str) or an argv list run without a shell
    step_dir: str  # absolute; the folder name is the record uid
    env: dict[str, str] = field(default_factory=dict)  # exported to the command (on top of os.environ)
    capture: bool = False  # stdout+stderr to <step_dir>/cm-step.log instead of the console (parallel runs)

    @property
    def uid(self) -> str:
        import os

        return os.path.basename(self.step_dir.rstrip("/\\"))


@dataclass
class StepOutcome:
    """What a step produced; ``to_record()`` is its record in ``cm-result.json``."""

    spec: StepSpec
    rc: int
    started: str  # local ISO time of the start (CM's iso_datetime)
    duration_s: float
    host: str
    output: dict[str, Any] = field(default_factory=dict)  # the step's cm-output.json, flattened
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.rc == 0 and self.error is None

    def to_record(self) -> dict[str, Any]:
        """Flattened output + CM's ``uid``/``iso_datetime`` + colmind's ``colmind_*`` keys."""
        record = dict(self.output)
        record.update({
            "uid": self.spec.uid,
            "iso_datetime": self.started,
            K_STEP: self.spec.index,
            K_KEY: self.spec.key,
            K_RC: self.rc,
            K_STATUS: "ok" if self.ok else "failed",
            K_DURATION: round(self.duration_s, 6),
            K_HOST: self.host,
        })
        for name, value in self.spec.dims.items():
            record[f"{K_DIMS}.{name}"] = value
        if self.error is not None:
            record[K_ERROR] = self.error
        return record


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts -> ``a.b.c`` keys (lists kept), as CM's experiments do; a fresh dict every call."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def dims_of(record: dict[str, Any]) -> dict[str, Any]:
    """The dimension values of a record (its ``colmind_dims.*`` keys)."""
    prefix = K_DIMS + "."
    return {k[len(prefix):]: v for k, v in record.items() if k.startswith(prefix)}


def is_success(record: dict[str, Any]) -> bool:
    """A record of a step that succeeded (records without colmind keys, from CM, count as done)."""
    status = record.get(K_STATUS)
    return status is None or status == "ok"
