"""The system under test: LoadGen queries -> backend batches -> QuerySamplesComplete.

Rules this module keeps (LoadGen 6.0.17 pitfalls):
- every issued sample is completed exactly once: an exception anywhere (backend, gathering, building
  responses) completes the affected samples with EMPTY responses and is recorded; after the first
  error the backend is no longer called and every later sample is completed empty at once, so the
  run ends quickly and the harness reports the error (an exception escaping a callback would
  segfault LoadGen; a sample never completed would hang it);
- SingleStream/MultiStream run inline in the issue callback (one query in flight at a time);
  Server/Offline put chunks of at most ``batch_size`` samples on a queue served by worker threads
  (onnxruntime releases the GIL in ``run``); Server workers batch whatever is queued (dynamic batching);
- ``fast=True`` uses ``ConstructFastSUT`` (callback gets plain id/index lists: about half the Python
  cost per sample), ``fast=False`` the classic ``ConstructSUT`` with QuerySample objects;
- a response is the int32 label: 4 bytes, little endian.
"""

from __future__ import annotations

import queue
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any

INLINE_SCENARIOS = ("SingleStream", "MultiStream")


@dataclass(frozen=True)
class SutOptions:
    scenario: str
    workers: int = 2
    batch_size: int = 32
    fast: bool = True


@dataclass
class SutStats:
    issued: int = 0
    completed: int = 0
    failed: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


class Sut:
    """Owns the worker threads and the LoadGen SUT handle."""

    def __init__(self, lg: Any, backend: Any, x: Any, opts: SutOptions) -> None:
        self.lg = lg
        self.backend = backend
        self.x = x
        self.opts = opts
        self.inline = opts.scenario in INLINE_SCENARIOS or opts.workers <= 0
        self.dynamic = opts.scenario == "Server"
        self.batch_size = max(1, opts.batch_size)
        self.stats = SutStats()
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self.handle: Any = None

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> Any:
        """Start the workers and construct the LoadGen SUT; returns the handle."""
        if not self.inline:
            for n in range(self.opts.workers):
                thread = threading.Thread(target=self._worker, name=f"sut-worker-{n}", daemon=True)
                thread.start()
                self._threads.append(thread)
        if self.opts.fast:
            self.handle = self.lg.ConstructFastSUT(self.issue_fast, self.flush)
        else:
            self.handle = self.lg.ConstructSUT(self.issue, self.flush)
        return self.handle

    def stop(self) -> None:
        """Stop the workers and destroy the LoadGen SUT."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=30)
        if self.handle is not None:
            (self.lg.DestroyFastSUT if self.opts.fast else self.lg.DestroySUT)(self.handle)
            self.handle = None

    # -- LoadGen callbacks -------------------------------------------------------------------
    def flush(self) -> None:
        return None

    def issue(self, samples: list[Any]) -> None:
        """Classic callback: a list of QuerySample objects."""
        self.issue_fast([s.id for s in samples], [s.index for s in samples])

    def issue_fast(self, ids: list[int], indices: list[int]) -> None:
        """Fast callback: parallel lists of response ids and sample indices."""
        with self._lock:
            self.stats.issued += len(ids)
        if self.inline:
            self._run(ids, indices)
            return
        pos = 0
        try:
            step = self.batch_size
            while pos < len(ids):
                self._queue.put((ids[pos:pos + step], indices[pos:pos + step]))
                pos += step
        except BaseException as exc:  # never let an exception reach LoadGen
            self._record(exc, len(ids) - pos)
            self._complete_empty(ids[pos:])

    # -- work --------------------------------------------------------------------------------
    def _worker(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            ids, indices = item
            stop = False
            if self.dynamic:
                ids, indices, stop = self._gather_more(list(ids), list(indices))
            self._run(ids, indices)
            if stop:
                return

    def _gather_more(self, ids: list[int], indices: list[int]) -> tuple[list[int], list[int], bool]:
        """Server: add whatever else is queued, up to batch_size samples."""
        while len(ids) < self.batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return ids, indices, True
            ids.extend(item[0])
            indices.extend(item[1])
        return ids, indices, False

    def _run(self, ids: list[int], indices: list[int]) -> None:
        """Predict and complete; on any error complete the samples empty."""
        lg = self.lg
        labels = None
        try:
            if self.stats.errors:  # fail fast: the backend is broken, do not call it again
                responses = [lg.QuerySampleResponse(i, 0, 0) for i in ids]
                with self._lock:
                    self.stats.failed += len(ids)
            else:
                labels = self.backend.predict(self.x[indices])
                if labels.shape[0] != len(ids):
                    raise ValueError(f"backend returned {labels.shape[0]} labels for {len(ids)} samples")
                base = labels.__array_interface__["data"][0]
                responses = [lg.QuerySampleResponse(i, base + 4 * k, 4) for k, i in enumerate(ids)]
        except BaseException as exc:
            self._record(exc, len(ids))
            responses = [lg.QuerySampleResponse(i, 0, 0) for i in ids]
        lg.QuerySamplesComplete(responses)  # `labels` is alive until this returns
        del labels
        with self._lock:
            self.stats.completed += len(ids)
            self.stats.batches += 1

    def _complete_empty(self, ids: list[int]) -> None:
        self.lg.QuerySamplesComplete([self.lg.QuerySampleResponse(i, 0, 0) for i in ids])
        with self._lock:
            self.stats.completed += len(ids)

    def _record(self, exc: BaseException, samples: int) -> None:
        with self._lock:
            first = not self.stats.errors
            self.stats.failed += samples
            if len(self.stats.errors) < 5:
                self.stats.errors.append(f"{type(exc).__name__}: {exc}")
        if first:
            print("harness: inference failed; completing the remaining samples with empty responses",
                  file=sys.stderr)
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
