"""``cm pareto experiment NAME --objective=max:KEY --objective=min:KEY [--constraint=EXPR] [--dir=RUN]``.

Steps: objectives and constraints parsed (errors first) -> the experiment and its run folder
(``--dir``, else the one written last) -> its records -> the front -> ``cm-pareto.json`` in the run
folder (the playground reads it to draw the front) -> a table on the console, the front returned.
"""

from __future__ import annotations

import os
from typing import Any

from colmind.errors import CMError, NotFound
from colmind.experiment import artifact as art_mod
from colmind.experiment import records
from colmind.experiment.model import dims_of
from colmind.experiment.objectives import (
    ObjectiveError,
    check_known,
    parse_constraints,
    parse_objectives,
    repeated,
)
from colmind.experiment.pareto import pareto

PARETO_FILE = "cm-pareto.json"


def pareto_experiment(i: dict[str, Any]) -> dict[str, Any]:
    try:
        objectives = parse_objectives(repeated(i, "objective"))
        constraints = parse_constraints(repeated(i, "constraint"))
    except ObjectiveError as exc:
        raise CMError(str(exc)) from None
    if not objectives:
        raise CMError("give at least one --objective=max:KEY or --objective=min:KEY")
    run_dir = pick_run_folder(art_mod.path_of(art_mod.find_one(i)), str(i.get("dir") or ""))
    recs = records.load_records(run_dir)
    try:
        check_known(recs, objectives, constraints)
    except ObjectiveError as exc:
        raise CMError(f"{exc} (in {os.path.join(run_dir, records.RESULT_FILE)})") from None
    found = pareto(recs, objectives, constraints)
    front = [front_row(recs[k], found.values[k], objectives) for k in found.front]
    front.sort(key=lambda row: _rank(row, objectives))
    doc = {"run_dir": run_dir, "objectives": [o.label for o in objectives],
           "constraints": [c.text for c in constraints], "records": len(recs),
           "feasible": len(found.feasible), "front_uids": [row["uid"] for row in front], "front": front}
    from colmind.store import atomic

    path = os.path.join(run_dir, PARETO_FILE)
    atomic.write_json(path, doc, sort_keys=False)
    if i.get("out") == "con":
        print(render(doc))
    return {"return": 0, "pareto_path": path, **doc}


def pick_run_folder(artifact_path: str, name: str) -> str:
    """``--dir`` (must hold records), else the run folder whose records were written last."""
    if name:
        run_dir = os.path.join(artifact_path, records.check_dir_name(name))
        if not os.path.isfile(os.path.join(run_dir, records.RESULT_FILE)):
            raise NotFound(f"no {records.RESULT_FILE} in {run_dir}")
        return run_dir
    found = records.run_folders(artifact_path)
    if not found:
        raise NotFound(f"no experiment records in {artifact_path}")
    return max(found, key=lambda d: os.path.getmtime(os.path.join(d, records.RESULT_FILE)))


def front_row(record: dict[str, Any], values: Any, objectives: list[Any]) -> dict[str, Any]:
    return {"uid": record.get("uid"), "dims": dims_of(record),
            "values": {o.label: v for o, v in zip(objectives, values or (), strict=False)}}


def _rank(row: dict[str, Any], objectives: list[Any]) -> tuple[float, ...]:
    """Best first on the first objective, then the next ones."""
    return tuple(-row["values"][o.label] if o.maximize else row["values"][o.label] for o in objectives)


def render(doc: dict[str, Any]) -> str:
    """A plain-text table of the front: uid, dimension values, objective values."""
    dims = sorted({k for row in doc["front"] for k in row["dims"]})
    head = ["uid", *dims, *doc["objectives"]]
    rows = [[str(row["uid"]), *(_cell(row["dims"].get(d)) for d in dims),
             *(_cell(row["values"][o]) for o in doc["objectives"])] for row in doc["front"]]
    widths = [max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"Pareto front: {len(rows)} of {doc['feasible']} feasible records "
                 f"({doc['records']} in all); written to {os.path.join(doc['run_dir'], PARETO_FILE)}")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)
