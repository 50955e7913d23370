"""``enable_if_env`` / ``skip_if_env`` (AND) and ``enable_if_any_env`` / ``skip_if_any_env`` (OR)
as pure predicates over an env mapping (spec 2.8, end).

colmind wraps a scalar expectation in a list (MLC) instead of iterating its characters (CM bug,
spec 7.12), and treats a value still holding ``<<<KEY>>>`` as unset (MLC).
"""

from __future__ import annotations

from collections.abc import Mapping

from colmind.engine.envvars import FALSE_WORDS, TRUE_WORDS, has_placeholder
from colmind.valueclass import FrozenValue

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

CONDITION_KEYS = ("enable_if_env", "enable_if_any_env", "skip_if_env", "skip_if_any_env")


def _expected(values: Any) -> list[str]:
    if not isinstance(values, list):
        values = [values]
    return [str(v).strip().lower() if not isinstance(v, bool) else str(v).lower() for v in values]


def key_matches(env: Mapping[str, Any], key: str, expected: Any) -> bool:
    """Does ``env[key]`` satisfy the expected value list of one condition entry?"""
    exp = _expected(expected)
    present = key in env and not has_placeholder(env[key])
    if not present:
        return any(e in FALSE_WORDS for e in exp)
    raw = env[key]
    value = str(raw).strip().lower() if not isinstance(raw, bool) else str(raw).lower()
    if any(e in TRUE_WORDS for e in exp):
        return value not in FALSE_WORDS
    if any(e in FALSE_WORDS for e in exp):
        return value in FALSE_WORDS
    return value in exp


def all_match(env: Mapping[str, Any], cond: Mapping[str, Any]) -> bool:
    """AND over the keys of ``cond``."""
    return all(key_matches(env, k, v) for k, v in cond.items())


def any_match(env: Mapping[str, Any], cond: Mapping[str, Any]) -> bool:
    """OR over the keys of ``cond``."""
    return any(key_matches(env, k, v) for k, v in cond.items())


class Verdict(FrozenValue):
    """Whether an item (dep, update_meta_if_env entry) is active, and why not."""

    _fields = ("active", "reason")
    active: bool
    reason: str

    def __init__(self, active: bool, reason: str = "") -> None:
        self._set("active", active)
        self._set("reason", reason)


def evaluate(item: Mapping[str, Any], env: Mapping[str, Any]) -> Verdict:
    """Apply the four condition keys of ``item`` against ``env``."""
    checks = (
        ("enable_if_env", all_match, False),
        ("enable_if_any_env", any_match, False),
        ("skip_if_env", all_match, True),
        ("skip_if_any_env", any_match, True),
    )
    for name, pred, skip_when_true in checks:
        cond = item.get(name)
        if not isinstance(cond, Mapping) or not cond:
            continue
        hit = pred(env, cond)
        if hit == skip_when_true:
            return Verdict(False, f"{name} {_describe(cond, env)}")
    return Verdict(True)


def _describe(cond: Mapping[str, Any], env: Mapping[str, Any]) -> str:
    parts = [f"{k}={env.get(k, '<unset>')!s} (expects {v})" for k, v in cond.items()]
    return "; ".join(parts)


def condition_keys(item: Mapping[str, Any]) -> list[str]:
    """Env keys read by the conditions of ``item`` (they influence the cache key)."""
    keys: list[str] = []
    for name in CONDITION_KEYS:
        cond = item.get(name)
        if isinstance(cond, Mapping):
            keys.extend(str(k) for k in cond)
    return keys
