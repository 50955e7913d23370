"""Dataset and LoadGen query sample library (QSL) over a ``val.npz``.

Format: ``val.npz`` with ``x`` (model-ready inputs, first axis = sample, any dtype the model takes)
and ``y`` (int64 labels; needed for accuracy only). The whole array stays in memory, so LoadGen's
load/unload callbacks have nothing to do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


class DatasetError(Exception):
    """The dataset folder/file is missing or malformed."""


@dataclass
class Dataset:
    x: Any  # numpy array [N, ...]
    y: Any  # numpy int64 [N] or None
    path: str

    @property
    def count(self) -> int:
        return int(self.x.shape[0])


def npz_path(path: str) -> str:
    """Accept the folder holding ``val.npz`` or the npz file itself."""
    candidate = os.path.join(path, "val.npz") if os.path.isdir(path) else path
    if not os.path.isfile(candidate):
        raise DatasetError(f"dataset file not found: {candidate} (expected a folder with val.npz "
                           "holding arrays 'x' and 'y')")
    return candidate


def load_dataset(path: str) -> Dataset:
    """Load ``x``/``y`` from the npz; ``x`` is made C-contiguous for fast gathering."""
    import numpy as np

    file = npz_path(path)
    with np.load(file, allow_pickle=False) as data:
        if "x" not in data.files:
            raise DatasetError(f"{file} has no array 'x' (found: {', '.join(data.files)})")
        x = np.ascontiguousarray(data["x"])
        y = data["y"].astype(np.int64) if "y" in data.files else None
    if x.shape[0] == 0:
        raise DatasetError(f"{file}: array 'x' is empty")
    if y is not None and y.shape[0] != x.shape[0]:
        raise DatasetError(f"{file}: 'x' has {x.shape[0]} samples but 'y' has {y.shape[0]}")
    return Dataset(x=x, y=y, path=file)


def construct_qsl(lg: Any, dataset: Dataset, performance_count: int) -> Any:
    """A LoadGen QSL over the in-memory dataset."""
    perf = dataset.count if performance_count <= 0 else min(performance_count, dataset.count)

    def load(_indices: list[int]) -> None:
        return None

    def unload(_indices: list[int]) -> None:
        return None

    return lg.ConstructQSL(dataset.count, perf, load, unload)
