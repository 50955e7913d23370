"""Accuracy from LoadGen's mlperf_log_accuracy.json (stdlib + numpy-free; runs anywhere).

Each log entry is ``{"seq_id": n, "qsl_idx": i, "data": "<hex of the response bytes>"}``; our harness
responds with the int32 little-endian label, an empty ``data`` means the sample failed. MultiStream
wraps around the dataset, so entries are de-duplicated by ``qsl_idx`` (first one kept). Samples that
never appear count as wrong: total is always the dataset size.

    python accuracy.py --log mlperf_log_accuracy.json --dataset DIR_WITH_val.npz [--output accuracy.txt]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import sys
import tempfile
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class AccuracyResult:
    accuracy: float  # fraction 0..1
    good: int
    total: int
    logged: int      # entries in the log (before de-duplication)
    unique: int      # distinct samples seen
    empty: int       # samples whose response was empty (inference failed)
    missing: int     # dataset samples never seen in the log


def load_log(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        entries = json.load(handle)
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of entries")
    return entries


def decode_label(data: str) -> int | None:
    """The int32 LE label in the hex string, or None when the response is empty/short."""
    raw = bytes.fromhex(data or "")
    if len(raw) < 4:
        return None
    return int(struct.unpack_from("<i", raw)[0])


def first_by_index(entries: list[dict[str, Any]]) -> dict[int, str]:
    seen: dict[int, str] = {}
    for entry in entries:
        seen.setdefault(int(entry["qsl_idx"]), str(entry.get("data", "")))
    return seen


def evaluate(entries: list[dict[str, Any]], labels: list[int]) -> AccuracyResult:
    """Compare the logged predictions with ``labels`` (the dataset's y)."""
    seen = first_by_index(entries)
    good = empty = 0
    for idx, data in seen.items():
        predicted = decode_label(data)
        if predicted is None:
            empty += 1
        elif 0 <= idx < len(labels) and predicted == labels[idx]:
            good += 1
    total = len(labels)
    missing = sum(1 for i in range(total) if i not in seen)
    return AccuracyResult(accuracy=good / total if total else 0.0, good=good, total=total,
                          logged=len(entries), unique=len(seen), empty=empty, missing=missing)


def load_labels(dataset: str) -> list[int]:
    import numpy as np

    path = os.path.join(dataset, "val.npz") if os.path.isdir(dataset) else dataset
    with np.load(path, allow_pickle=False) as data:
        return [int(v) for v in data["y"]]


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def accuracy_text(result: AccuracyResult, log_path: str) -> str:
    """accuracy.txt in the reference tools' form, plus the hash of the full log."""
    return (f"accuracy={100.0 * result.accuracy:.3f}%, good={result.good}, total={result.total}\n"
            f"hash={file_sha256(log_path)}\n")


def write_text(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".accuracy.", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def score_run(log_path: str, dataset: str, output: str = "") -> AccuracyResult:
    """Evaluate one accuracy run and write accuracy.txt when ``output`` is given."""
    result = evaluate(load_log(log_path), load_labels(dataset))
    if output:
        write_text(output, accuracy_text(result, log_path))
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="accuracy.py", description="accuracy from mlperf_log_accuracy.json")
    p.add_argument("--log", required=True)
    p.add_argument("--dataset", required=True, help="folder with val.npz or the npz file")
    p.add_argument("--output", default="", help="write accuracy.txt here")
    args = p.parse_args(argv)
    try:
        result = score_run(args.log, args.dataset, args.output)
    except (OSError, ValueError, KeyError) as exc:
        print(f"accuracy: ERROR: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
