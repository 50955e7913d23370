"""CM dictionary and value helpers: merge, flat keys, env flags, versions, templates."""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_TRUE = ("true", "yes", "on")
_FALSE = ("none", "false", "no", "off")


def _merge(a: dict[str, Any], b: dict[str, Any], append_lists: bool, append_unique: bool,
           ignore_keys: list[str]) -> None:
    import copy  # here: the module is installed on every recipe call, merging is rare

    for key, value in b.items():
        if key in ignore_keys:
            continue
        old = a.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            # CM passes append_lists but neither append_unique nor ignore_keys to nested levels.
            _merge(old, value, append_lists, False, [])
        elif isinstance(value, list) and isinstance(old, list) and append_lists:
            for item in value:
                if not append_unique or item not in old:
                    old.append(copy.deepcopy(item))
        else:
            a[key] = copy.deepcopy(value)


def merge_dicts(i: dict[str, Any]) -> dict[str, Any]:
    """Merge ``i['dict2']`` into ``i['dict1']`` in place (dicts recursively, lists replaced).

    ``append_lists`` concatenates lists; ``append_unique`` skips items already present (top
    level only, like CM); ``ignore_keys`` skips top-level keys. New values are deep-copied.
    """
    dict1 = i["dict1"]
    _merge(dict1, i.get("dict2", {}), bool(i.get("append_lists")), bool(i.get("append_unique")),
           list(i.get("ignore_keys", [])))
    return {"return": 0, "dict1": dict1}


def sub_input(i: dict[str, Any], keys: list[str], reverse: bool = False) -> dict[str, Any]:
    """``i`` restricted to ``keys`` (or without them when ``reverse``)."""
    if reverse:
        return {k: v for k, v in i.items() if k not in keys}
    return {k: i[k] for k in keys if k in i}


def flatten_dict(d: dict[str, Any], fd: dict[str, Any] | None = None, prefix: str = "") -> dict[str, Any]:
    """Nested dict → ``{'a.b': 'str(value)'}`` accumulated into ``fd`` (one-item lists of dicts unwrapped).

    CM returns None; returning ``fd`` as well is harmless for callers that ignore it.
    """
    fd = {} if fd is None else fd
    for key, value in d.items():
        name = prefix + str(key)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            value = value[0]
        if isinstance(value, dict):
            flatten_dict(value, fd, name + ".")
        else:
            fd[name] = str(value)
    return fd


def get_value_from_dict_with_flat_key(key: str, d: dict[str, Any]) -> Any:
    """``d['a']['b']['c']`` for ``'a.b.c'``, or None."""
    value: Any = d
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def update_dict_with_flat_key(key: str, value: Any, d: dict[str, Any]) -> dict[str, Any]:
    """Set ``d['a']['b']['c'] = value`` for ``'a.b.c'`` (intermediate dicts created)."""
    *parents, last = key.split(".")
    for part in parents:
        if not isinstance(d.get(part), dict):
            d[part] = {}
        d = d[part]
    d[last] = value
    return {"return": 0}


def update_dict_if_empty(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Set ``d[key] = value`` when the key is missing, None or ``''``."""
    if d.get(key) is None or d.get(key) == "":
        d[key] = value
    return {"return": 0}


def get_set(meta: dict[str, Any], key: str, state: dict[str, Any], keys: list[str]) -> Any:
    """Copy ``meta[key]`` to ``state[keys[0]]...[keys[-1]]`` unless already set; return ``meta[key]``."""
    if key not in meta:
        return None
    value = meta[key]
    node = state
    for part in keys[:-1]:
        node = node.setdefault(part, {})
    node.setdefault(keys[-1], value)
    return value


def convert_dictionary(d: dict[str, Any], key: str, sub: bool = True) -> dict[str, Any]:
    """``{k: v}`` → ``{key_k: v}`` (``-`` becomes ``_`` in ``k`` when ``sub``)."""
    return {f"{key}_{k.replace('-', '_') if sub else k}": v for k, v in d.items()}


def convert_env_to_dict(s: str) -> dict[str, Any]:
    """``K=V`` lines → ``{'return':0,'dict':{K: V}}`` (V stops at the next ``=``, like CM)."""
    env: dict[str, str] = {}
    for line in s.split("\n"):
        if not line.strip():
            continue
        parts = line.split("=")
        env[parts[0].strip()] = parts[1].strip() if len(parts) > 1 else ""
    return {"return": 0, "dict": env}


def check_if_true_yes_on(env: dict[str, Any], key: str) -> bool:
    """``str(env.get(key, '')).lower()`` is true/yes/on."""
    return str(env.get(key, "")).lower() in _TRUE


def check_if_none_false_no_off(env: dict[str, Any], key: str) -> bool:
    """``str(env.get(key, '')).lower()`` is none/false/no/off (a None value counts)."""
    return str(env.get(key, "")).lower() in _FALSE


def safe_int(i: Any, d: Any) -> Any:
    """``int(i)`` or the default ``d``."""
    try:
        return int(i)
    except (TypeError, ValueError):
        return d


def safe_float(i: Any, d: Any) -> Any:
    """``float(i)`` or the default ``d``."""
    try:
        return float(i)
    except (TypeError, ValueError):
        return d


def digits(s: str, first: bool = True) -> int:
    """int of the leading digits (``first``) or of all digits of ``s``; 0 when there are none."""
    picked = ""
    for char in s:
        if char.isdigit():
            picked += char
        elif first:
            break
    return int(picked) if picked else 0


def _version_parts(version: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in version.split(".")]


def compare_versions(version1: str, version2: str) -> int:
    """1 / 0 / -1 for dotted versions; missing parts count as 0.

    Numeric parts compare as ints; a non-numeric part against a number raises TypeError (like CM).
    """
    a, b = _version_parts(version1), _version_parts(version2)
    width = max(len(a), len(b))
    a += [0] * (width - len(a))
    b += [0] * (width - len(b))
    for x, y in zip(a, b, strict=True):
        if x > y:
            return 1
        if x < y:
            return -1
    return 0


def substitute_template(template: str, variables: dict[str, Any]) -> str:
    """``template.format(**variables)``, or an error string naming the missing key."""
    try:
        return template.format(**variables)
    except KeyError as exc:
        return f"Error: Missing value for {exc.args[0]} in the vars dictionary."


def test_input(i: dict[str, Any]) -> dict[str, Any]:
    """Error 1 listing the keys when ``i`` is not empty (unconsumed input)."""
    if not i:
        return {"return": 0}
    keys = list(i)
    text = ", ".join(keys)
    return {"return": 1, "error": f"unknown input keys: {text}", "unknown_keys": keys,
            "unknown_keys_str": text}
