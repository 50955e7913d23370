"""``copy.deepcopy`` for the JSON-like data the engine copies on every recipe call.

Env, state and meta dicts are copied several times per call; ``copy.deepcopy`` dispatches each
value through a table and keeps a memo for every object, and ``import copy`` (with ``weakref``)
is start-up time of every ``cm run script``. Exact ``dict``/``list``/``tuple`` and immutable
scalars are copied here; any other object goes to ``copy.deepcopy`` with the same memo, so
shared and circular references come out exactly as ``copy.deepcopy`` makes them.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_ATOMIC = frozenset({str, int, float, bool, type(None), bytes, complex})


def deepcopy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(obj)``."""
    cls = type(obj)
    if cls in _ATOMIC:
        return obj
    if memo is None:
        memo = {}
    return _copy(obj, cls, memo)


def _copy(obj: Any, cls: type, memo: dict[int, Any]) -> Any:
    done = memo.get(id(obj), memo)
    if done is not memo:
        return done
    if cls is dict:
        out: Any = {}
        memo[id(obj)] = out
        _keep(obj, memo)
        for key, value in obj.items():
            kc, vc = type(key), type(value)
            out[key if kc in _ATOMIC else _copy(key, kc, memo)] = value if vc in _ATOMIC else _copy(value, vc, memo)
        return out
    if cls is list:
        out = []
        memo[id(obj)] = out
        _keep(obj, memo)
        for value in obj:
            vc = type(value)
            out.append(value if vc in _ATOMIC else _copy(value, vc, memo))
        return out
    if cls is tuple:
        items = [v if type(v) in _ATOMIC else _copy(v, type(v), memo) for v in obj]
        if all(a is b for a, b in zip(items, obj, strict=True)):
            return obj
        done = memo.get(id(obj), memo)  # a cycle through this tuple was copied meanwhile
        if done is not memo:
            return done
        out = tuple(items)
        memo[id(obj)] = out
        return out
    import copy

    return copy.deepcopy(obj, memo)


def _keep(obj: Any, memo: dict[int, Any]) -> None:
    """What ``copy.deepcopy`` does with the memo: the originals stay alive while copying."""
    try:
        memo[id(memo)].append(obj)
    except KeyError:
        memo[id(memo)] = [obj]
