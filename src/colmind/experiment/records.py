"""Run folders and their files (spec section 3): ``<artifact>/<datetime>[.N]/`` with
``cm-input.json`` and ``cm-result.json``, one ``<uid16>/`` folder per step.

``cm-result.json`` stays CM's JSON list; every append is a read-modify-write under a file lock
(``cm-result.json.lock`` beside it) ending in an atomic rename, so concurrent experiments writing
into one run folder lose nothing and readers never see a partial file.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from colmind.errors import CMError

RESULT_FILE = "cm-result.json"
INPUT_FILE = "cm-input.json"
LOCK_FILE = RESULT_FILE + ".lock"
_DROP_INPUT = ("parsed_artifact", "parsed_automation", "parsed_artifacts", "cmd")


def run_folder_name(now: datetime | None = None) -> str:
    """CM's name: local ``isoformat()`` with ``:``->``-`` and ``T``->``.``."""
    return (now or datetime.now()).isoformat().replace(":", "-").replace("T", ".")


def check_dir_name(name: str) -> str:
    """``--dir`` must name a folder inside the artifact (CM accepts ``..`` and absolute paths)."""
    parts = name.replace("\\", "/").split("/")
    if not name or os.path.isabs(name) or any(p in ("", ".", "..") for p in parts):
        raise CMError(f"--dir={name!r} must be a folder name inside the experiment (no '..', not absolute)")
    return name


def make_run_folder(artifact_path: str, name: str = "") -> str:
    """``name`` (created or reused) or a new datetime folder (``.1``, ``.2``... if taken)."""
    if name:
        path = os.path.join(artifact_path, check_dir_name(name))
        os.makedirs(path, exist_ok=True)
        return path
    base = os.path.join(artifact_path, run_folder_name())
    for n in range(1000):
        path = base if n == 0 else f"{base}.{n}"
        try:
            os.makedirs(path)
            return path
        except FileExistsError:
            continue
    raise CMError(f"could not create a run folder next to {base}")


def run_folders(artifact_path: str) -> list[str]:
    """Subfolders holding a ``cm-result.json``, ascending by name."""
    if not os.path.isdir(artifact_path):
        return []
    names = sorted(n for n in os.listdir(artifact_path)
                   if os.path.isfile(os.path.join(artifact_path, n, RESULT_FILE)))
    return [os.path.join(artifact_path, n) for n in names]


def save_input(run_dir: str, i: dict[str, Any]) -> None:
    from colmind.store import atomic

    data = {k: v for k, v in i.items() if k not in _DROP_INPUT and _jsonable(v)}
    atomic.write_json(os.path.join(run_dir, INPUT_FILE), data)


def load_input(run_dir: str) -> dict[str, Any]:
    path = os.path.join(run_dir, INPUT_FILE)
    if not os.path.isfile(path):
        raise CMError(f"{INPUT_FILE} not found in {run_dir}")
    return _load(path, dict)  # type: ignore[no-any-return]


def load_records(run_dir: str) -> list[dict[str, Any]]:
    path = os.path.join(run_dir, RESULT_FILE)
    if not os.path.isfile(path):
        return []
    return [r for r in _load(path, list) if isinstance(r, dict)]


def append_records(run_dir: str, records: list[dict[str, Any]]) -> None:
    """Append ``records`` to the run folder's ``cm-result.json`` (locked, atomic). The existing
    list is extended as text (its closing ``]`` replaced), so an append costs no parse of it."""
    from colmind.store import atomic
    from colmind.store.lock import locked

    path = os.path.join(run_dir, RESULT_FILE)
    with locked(os.path.join(run_dir, LOCK_FILE)):
        old = _read_text(path)
        text = _extended(old, records) if old is not None else None
        if text is None:  # absent, or not a list we can extend as text: parse and rewrite
            text = _dump(load_records(run_dir) + records)
        atomic.write_text(path, text, durable=False)


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _extended(old: str, records: list[dict[str, Any]]) -> str | None:
    body = old.rstrip()
    if not (body.startswith("[") and body.endswith("]")):
        return None
    if not records:
        return old
    items = ",\n".join("  " + json.dumps(r, indent=2, sort_keys=True, ensure_ascii=False, default=str)
                       .replace("\n", "\n  ") for r in records)
    head = body[:-1].rstrip()
    if head == "[":
        return "[\n" + items + "\n]\n"
    return head + ",\n" + items + "\n]\n"


def write_records(run_dir: str, records: list[dict[str, Any]]) -> bool:
    """Replace the records (locked, atomic); False when they were already exactly these."""
    from colmind.store import atomic
    from colmind.store.lock import locked

    text = _dump(records)
    path = os.path.join(run_dir, RESULT_FILE)
    with locked(os.path.join(run_dir, LOCK_FILE)):
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                if handle.read() == text:
                    return False
        atomic.write_text(path, text)
    return True


def find_record(run_dirs: list[str], uid: str) -> tuple[str, dict[str, Any]] | None:
    for run_dir in run_dirs:
        for record in load_records(run_dir):
            if record.get("uid") == uid:
                return run_dir, record
    return None


def _dump(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def _load(path: str, kind: type) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CMError(f"can't read {path}: {exc}") from None
    if not isinstance(data, kind):
        raise CMError(f"{path} must hold a JSON {kind.__name__}")
    return data


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
