"""Cell values as upstream's importer types them, and MLPerf's Accuracy text parsed to numbers."""

from __future__ import annotations

import math
import re
from typing import Any

Value = Any  # str | int | float | bool | None

_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
# "acc: 76.078", "ROUGE1: 44.54  ROUGE2: 22.1  ROUGEL: 29.0", "mAP: 37.55", "F1: 90.87  TOKENS_PER_SAMPLE: 294.4"
_METRIC = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)\s*[:=]\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)")


def typed(cell: Value) -> Value:
    """"True"/"False" -> bool, a number -> int (when integral) or float, anything else unchanged.

    NaN and infinities stay text: JSON has no such numbers."""
    if not isinstance(cell, str):
        return cell
    text = cell.strip()
    if text in ("True", "False"):
        return text == "True"
    if not _NUMBER.fullmatch(text):
        return cell
    number = float(text)
    if not math.isfinite(number):
        return cell
    return int(number) if number.is_integer() and "e" not in text.lower() and abs(number) < 2**53 else number


def number(value: Value) -> float | int | None:
    """A finite number, or None (bools are not numbers here)."""
    value = typed(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def accuracy_metrics(value: Value) -> dict[str, float | int]:
    """``{metric: number}`` of a checker Accuracy cell, in the order written.

    A plain number (older checkers) is ``{"": value}``; text without any number is ``{}``."""
    plain = number(value)
    if plain is not None:
        return {"": plain}
    if not isinstance(value, str):
        return {}
    found: dict[str, float | int] = {}
    for name, text in _METRIC.findall(value):
        parsed = number(text)
        if parsed is not None and name not in found:
            found[name] = parsed
    return found


def accuracy_fields(value: Value) -> dict[str, Value]:
    """Record keys from an Accuracy cell: ``Accuracy`` (the first metric, a number),
    ``Accuracy_div_100`` (when > 0, as upstream), ``Accuracy_<metric>`` per named metric and
    ``Accuracy_text`` (the checker's text, when it was text). Never raises."""
    metrics = accuracy_metrics(value)
    fields: dict[str, Value] = {}
    if isinstance(value, str) and number(value) is None and value.strip():
        fields["Accuracy_text"] = value.strip()
    if not metrics:
        fields["Accuracy"] = None
        return fields
    first = next(iter(metrics.values()))
    fields["Accuracy"] = first
    if first > 0:
        fields["Accuracy_div_100"] = round(first / 100, 5)
    for name, metric in metrics.items():
        if name:
            fields[f"Accuracy_{name}"] = metric
    return fields


def normalise_version(text: str) -> str:
    """"4.1", "v4.1", "V4.1" -> "v4.1"; other labels ("local", "") unchanged."""
    text = text.strip()
    if text[:1] in ("v", "V") and text[1:2].isdigit():
        return "v" + text[1:]
    return "v" + text if text[:1].isdigit() else text
