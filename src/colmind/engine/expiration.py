"""MLC ``cache_expiration`` (``"30m"``, ``"2h"``, ``"5d"``, ``"0"``): from meta, variation, input or
dep (``inherit_cache_expiration``); stored in the entry meta as an absolute epoch, and an
entry past it is not served (spec 1.3 Caching, 2.7).
"""

from __future__ import annotations

import time

from colmind.errors import CMError

UNITS = {"m": 60.0, "h": 3600.0, "d": 86400.0}


def seconds(value: str) -> float:
    """Duration of ``value`` in seconds (``"0"`` = expires immediately).

    Raises:
        CMError: empty value or unknown unit (MLC accepts m/h/d only).
    """
    text = str(value).strip()
    if not text:
        raise CMError("cache_expiration is empty", hint='use e.g. "30m", "2h", "5d" or "0"')
    if text == "0":
        return 0.0
    unit = text[-1].lower()
    if unit not in UNITS:
        raise CMError(f"cache_expiration {text!r}: unknown unit {unit!r}", hint="use m (minutes), h (hours) or d (days)")
    try:
        return float(text[:-1]) * UNITS[unit]
    except ValueError:
        raise CMError(f"cache_expiration {text!r} is not a number followed by m/h/d") from None


def expires_at(value: str, now: float | None = None) -> float:
    """Absolute epoch at which an entry made now with ``value`` expires."""
    return (time.time() if now is None else now) + seconds(value)


def expired(meta_value: object, now: float | None = None) -> bool:
    """True when an entry's stored ``cache_expiration`` epoch has passed."""
    if isinstance(meta_value, bool) or not isinstance(meta_value, (int, float)):
        return False
    return float(meta_value) < (time.time() if now is None else now)
