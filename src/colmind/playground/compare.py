"""Comparison of two results or two systems, with MLCommons' delta ``(1 - p1/p2) x 100 %``."""

from __future__ import annotations

from typing import Any

from colmind.playground.explore import number


def delta_percent(a: Any, b: Any) -> float | None:
    """MLCommons' compare page: ``(1 - a/b) * 100``; None where undefined."""
    x, y = number(a), number(b)
    if x is None or y is None or y == 0:
        return None
    return (1.0 - x / y) * 100.0


def compare_records(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Every key of either record: both values, absolute and percent deltas, and whether they differ."""
    keys = list(dict.fromkeys([*a, *b]))
    rows = []
    for k in keys:
        va, vb = a.get(k), b.get(k)
        na, nb = number(va), number(vb)
        rows.append({"key": k, "a": va, "b": vb, "differs": va != vb,
                     "abs": (na - nb) if na is not None and nb is not None else None,
                     "pct": delta_percent(va, vb)})
    return rows


def efficiency(rec: dict[str, Any]) -> float | None:
    """Performance per watt (Offline/Server), 1000/energy (SingleStream), 8000/energy (MultiStream)."""
    power = number(rec.get("Result_Power"))
    if power is None or power == 0:
        return None
    scenario = str(rec.get("Scenario", ""))
    if scenario == "SingleStream":
        return 1000.0 / power
    if scenario == "MultiStream":
        return 8000.0 / power
    perf = number(rec.get("Result"))
    return perf / power if perf is not None else None


def compare_systems(records: list[dict[str, Any]], system1: str, system2: str) -> list[dict[str, Any]]:
    """Per model x scenario: performance, power and efficiency of both systems and their deltas."""
    def pick(name: str) -> dict[tuple[str, str], dict[str, Any]]:
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for r in records:
            if r.get("SystemName") == name:
                slot = out.setdefault((str(r.get("Model", "")), str(r.get("Scenario", ""))), {})
                for k in ("Result", "Result_Power", "Result_Units"):
                    if r.get(k) is not None:
                        slot.setdefault(k, r[k])
                slot.setdefault("Scenario", r.get("Scenario"))
        return out
    one, two = pick(system1), pick(system2)
    rows = []
    for key in sorted(set(one) | set(two)):
        r1, r2 = one.get(key, {}), two.get(key, {})
        e1, e2 = efficiency(r1), efficiency(r2)
        rows.append({"model": key[0], "scenario": key[1], "units": r1.get("Result_Units") or r2.get("Result_Units"),
                     "perf1": r1.get("Result"), "perf2": r2.get("Result"),
                     "perf_delta": delta_percent(r1.get("Result"), r2.get("Result")),
                     "power1": r1.get("Result_Power"), "power2": r2.get("Result_Power"),
                     "power_delta": delta_percent(r1.get("Result_Power"), r2.get("Result_Power")),
                     "eff1": e1, "eff2": e2, "eff_delta": delta_percent(e1, e2)})
    return rows
