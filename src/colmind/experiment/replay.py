"""``cm replay experiment``: re-run recorded steps with their recorded env and command and compare.

Each replayed step runs in ``<run folder>/replays/<uid16>/`` (its record, with ``colmind_replay_of``,
goes to ``<run folder>/replays/cm-result.json``); a table lists every numeric key of the old record
with the new value and the relative change; beyond ``--tolerance`` percent (default 5) the command
fails. ``--record=cm-run-record.json`` replays a ``cm run script`` instead (see :func:`replay_run_record`).
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from colmind.errors import CMError, NotFound
from colmind.experiment import artifact as art_mod
from colmind.experiment import records
from colmind.experiment.compare import Row, compare, parse_compare, parse_tolerance, render
from colmind.experiment.model import K_KEY, K_REPLAY_OF, K_STEP, StepOutcome, StepSpec, dims_of, step_key

REPLAYS = "replays"


def replay_steps(i: dict[str, Any]) -> dict[str, Any]:
    tolerance = parse_tolerance(i.get("tolerance"))
    only = parse_compare(i.get("compare"), tolerance)
    art = art_mod.find_one(i)
    chosen = _choose(art_mod.path_of(art), str(i.get("dir") or ""), str(i.get("uid") or ""))
    console = i.get("out") == "con"
    results = []
    worst_ok = True
    for run_dir, record in chosen:
        outcome = replay_one(run_dir, record)
        rows = compare(record, outcome.to_record(), tolerance, only)
        ok = outcome.ok and all(r.ok for r in rows)
        worst_ok = worst_ok and ok
        if console:
            print(f"Replay of {record.get('uid')} -> {outcome.spec.step_dir} "
                  f"(exit status {outcome.rc}{'' if outcome.ok else ': ' + str(outcome.error)})")
            print(render(rows, tolerance))
        results.append({"uid": record.get("uid"), "replay_uid": outcome.spec.uid, "ok": ok,
                        "return_code": outcome.rc, "rows": [r.as_dict() for r in rows]})
    if not worst_ok:
        raise CMError("replay differs from the record beyond the tolerance (or failed)", replays=results)
    return {"return": 0, "replays": results}


def _choose(artifact_path: str, dir_name: str, uid: str) -> list[tuple[str, dict[str, Any]]]:
    if dir_name:
        run_dir = os.path.join(artifact_path, records.check_dir_name(dir_name))
        if not os.path.isfile(os.path.join(run_dir, records.RESULT_FILE)):
            raise NotFound(f"no {records.RESULT_FILE} in {run_dir}: nothing to replay")
        candidates = [run_dir]
    else:
        candidates = records.run_folders(artifact_path)
    if not candidates:
        raise NotFound(f"experiment(s) not found in {artifact_path}")
    if uid:
        hit = records.find_record(candidates, uid)
        if hit is None:
            raise NotFound(f"couldn't find result with UID {uid}")
        return [hit]
    if len(candidates) > 1:
        names = ", ".join(os.path.basename(c) for c in candidates)
        raise CMError(f"more than 1 run folder ({names}): choose one with "
                      f'"cm replay experiment --dir=..." or a record with --uid=...')
    return [(candidates[0], r) for r in records.load_records(candidates[0])]


def replay_one(run_dir: str, record: dict[str, Any]) -> StepOutcome:
    """Run the recorded step again (its ``cm-input.json``: env and command) in a new folder."""
    from colmind.experiment.step import run_step

    uid = str(record.get("uid") or "")
    old_dir = os.path.join(run_dir, uid)
    saved = os.path.join(old_dir, records.INPUT_FILE)
    if not uid or not os.path.isfile(saved):
        raise NotFound(f"no step folder with {records.INPUT_FILE} for record {uid!r} in {run_dir}: "
                       "only steps run by an experiment can be replayed")
    with open(saved, encoding="utf-8") as handle:
        data = json.load(handle)
    new_dir = os.path.join(run_dir, REPLAYS, uuid.uuid4().hex[:16])
    command = str(data.get("command") or "").replace(old_dir, new_dir)
    dims = dims_of(record)
    spec = StepSpec(index=int(record.get(K_STEP) or 0), key=str(record.get(K_KEY) or step_key(dims)), dims=dims,
                    command=command, step_dir=new_dir, env={str(k): str(v) for k, v in (data.get("env") or {}).items()})
    outcome = run_step(spec)
    outcome.output[K_REPLAY_OF] = uid
    records.append_records(os.path.join(run_dir, REPLAYS), [outcome.to_record()])
    return outcome


def replay_run_record(i: dict[str, Any]) -> dict[str, Any]:
    """Re-run the request of a ``cm-run-record.json`` and compare every cache key of its plan."""
    from colmind.api import access

    path = os.path.abspath(str(i.get("record") or i.get("artifact")))
    if os.path.isdir(path):
        path = os.path.join(path, "cm-run-record.json")
    if not os.path.isfile(path):
        raise NotFound(f"run record {path} not found")
    with open(path, encoding="utf-8") as handle:
        old = json.load(handle)
    request = dict(old.get("request") or {})
    new_path = os.path.join(os.getcwd(), "cm-run-record-replay.json")
    request.update({"action": "run", "automation": "script", "record": new_path, "quiet": True})
    request.pop("out", None)
    result = access(request)
    with open(new_path, encoding="utf-8") as handle:
        new = json.load(handle)
    rows = compare_keys(cache_keys(old.get("plan")), cache_keys(new.get("plan")))
    if i.get("out") == "con":
        print(render_keys(rows))
    same = all(r["same"] for r in rows) and result.get("return", 0) == 0
    out = {"record": new_path, "keys": rows, "same": same, "run_return": result.get("return", 0)}
    if not same:
        raise CMError(f"the replay of {path} differs (cache keys or the run failed: {result.get('error', '')})",
                      **out)
    return {"return": 0, **out}


def cache_keys(plan: Any, trail: str = "") -> dict[str, str]:
    """``recipe path in the plan -> cache key`` for every cached recipe of a run record's plan."""
    found: dict[str, str] = {}
    if not isinstance(plan, dict):
        return found
    name = f"{trail}/{plan.get('alias') or plan.get('uid') or plan.get('request_tags')}"
    if plan.get("cache_key"):
        found[name] = str(plan["cache_key"])
    for child in plan.get("children") or []:
        found.update(cache_keys(child, name))
    return found


def compare_keys(old: dict[str, str], new: dict[str, str]) -> list[dict[str, Any]]:
    return [{"recipe": name, "old": old.get(name, ""), "new": new.get(name, ""), "same": old.get(name) == new.get(name)}
            for name in sorted(set(old) | set(new))]


def render_keys(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no cached recipe in this run)"
    lines = [f"{'recipe':50} {'recorded key':18} {'replayed key':18} same"]
    for r in rows:
        lines.append(f"{r['recipe'][-50:]:50} {r['old'][:16]:18} {r['new'][:16]:18} {'yes' if r['same'] else 'NO'}")
    return "\n".join(lines)


__all__ = ["Row", "replay_one", "replay_run_record", "replay_steps"]
