"""The env micro-languages: ``<<<KEY>>>`` placeholders, ``+PATH`` lists, ``new_env_keys``
wildcards, truthiness words and the ``KEY=VALUE`` files native scripts write back.

Every rule lives here once; ``tests/engine/test_envvars.py`` holds the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

# ``<<<KEY>>>``: KEY is one or more characters other than ``<`` and ``>`` (the regular expression
# ``<<<([^<>]+?)>>>``); found by plain string search: ``re`` is start-up time of every run.
_OPEN, _CLOSE = "<<<", ">>>"
TRUE_WORDS = frozenset({"yes", "on", "true", "1"})
FALSE_WORDS = frozenset({"no", "off", "false", "0", ""})


def is_true(value: Any) -> bool:
    """``yes/on/true/1`` (any case, stripped) and Python ``True``."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS


def is_false(value: Any) -> bool:
    """``no/off/false/0``, empty and ``None``/``False``."""
    if value is None or value is False:
        return True
    return str(value).strip().lower() in FALSE_WORDS


def has_placeholder(value: Any) -> bool:
    """True when a string (or a string inside a list) still holds ``<<<KEY>>>``."""
    if isinstance(value, str):
        return "<<<" in value and _find_placeholder(value, 0) is not None
    if isinstance(value, list):
        return any(has_placeholder(v) for v in value)
    return False


def substitute(value: Any, env: Mapping[str, Any]) -> Any:
    """Replace ``<<<KEY>>>`` by ``env[KEY]`` when present; unknown keys stay literal."""
    if isinstance(value, str):
        if "<<<" not in value:
            return value
        return _substitute_str(value, env)
    if isinstance(value, list):
        return [substitute(v, env) for v in value]
    return value


def _find_placeholder(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the leftmost ``<<<KEY>>>`` at or after ``start`` (``re.search`` order)."""
    pos = text.find(_OPEN, start)
    while pos >= 0:
        end = pos + 3
        while end < len(text) and text[end] not in "<>":
            end += 1
        if end > pos + 3 and text.startswith(_CLOSE, end):
            return pos, end + 3
        pos = text.find(_OPEN, pos + 1)
    return None


def _substitute_str(text: str, env: Mapping[str, Any]) -> str:
    """``re.sub`` of every placeholder, left to right, never re-scanning replaced text."""
    out: list[str] = []
    done = 0
    found = _find_placeholder(text, 0)
    while found is not None:
        start, end = found
        key = text[start + 3:end - 3]
        out.append(text[done:start])
        if key in env and not has_placeholder(env[key]):
            out.append(_to_str(env[key]))
        else:
            out.append(text[start:end])
        done = end
        found = _find_placeholder(text, end)
    out.append(text[done:])
    return "".join(out)


def placeholder_name(text: str) -> str | None:
    """KEY when ``text`` is exactly one ``<<<KEY>>>`` (``re.fullmatch``), else ``None``."""
    if len(text) > 6 and text.startswith(_OPEN) and text.endswith(_CLOSE):
        key = text[3:-3]
        if "<" not in key and ">" not in key:
            return key
    return None


def resolve_in_place(env: dict[str, Any], source: Mapping[str, Any] | None = None) -> None:
    """Resolve placeholders in every value of ``env`` (against ``source`` or ``env`` itself)."""
    src = env if source is None else source
    for _ in range(5):  # a few passes resolve chains like A=<<<B>>>, B=<<<C>>>
        changed = False
        for key, value in list(env.items()):
            if has_placeholder(value):
                new = substitute(value, src)
                if new != value:
                    env[key] = new
                    changed = True
        if not changed:
            return


def _to_str(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    return str(value)


def plus_key(key: str, default_sep: str = ":") -> tuple[str, str] | None:
    """``+PATH`` -> ``("PATH", ":")``; ``+ X`` -> ``("X", " ")``; plain keys -> ``None``."""
    if not key.startswith("+") or len(key) < 2:
        return None
    second = key[1]
    if second.isalnum() or second == "_":
        return key[1:], default_sep
    return key[2:], second


def matches_any(key: str, patterns: Iterable[str]) -> bool:
    """fnmatch ``key`` against ``patterns`` (exact names, ``CM_*``, ``+PATH``...)."""
    return key_matcher(patterns)(key)


def key_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """``matches_any`` for one pattern list, prepared once: exact names in a set, ``PREFIX*`` and
    ``*SUFFIX`` as ``startswith``/``endswith`` tuples, the rest by ``_glob_match``. Each recipe
    call filters every env key through its ``new_env_keys`` and local keys."""
    pats = tuple(p for p in patterns if isinstance(p, str))
    found = _matchers.get(pats)
    if found is None:
        found = _prepare(pats)
        if len(_matchers) >= 256:
            _matchers.clear()
        _matchers[pats] = found
    return found


def _prepare(pats: tuple[str, ...]) -> Callable[[str], bool]:
    exact, prefixes, suffixes, others = set(), [], [], []
    for p in pats:
        if not any(c in p for c in "*?["):
            exact.add(p)
        elif p.count("*") == 1 and p.endswith("*") and not any(c in p for c in "?["):
            prefixes.append(p[:-1])
        elif p.count("*") == 1 and p.startswith("*") and not any(c in p for c in "?["):
            suffixes.append(p[1:])
        else:
            others.append(p)
    starts, ends = tuple(prefixes), tuple(suffixes)

    def match(key: str) -> bool:
        return (key in exact or (bool(starts) and key.startswith(starts)) or (bool(ends) and key.endswith(ends))
                or any(_glob_match(key, p) for p in others))
    return match


_matchers: dict[tuple[str, ...], Callable[[str], bool]] = {}


def _glob_match(key: str, pattern: str) -> bool:
    """``fnmatch.fnmatchcase``; patterns with only ``*`` wildcards (all that recipes use) are
    matched here, the rest (``?``, ``[...]``) by ``fnmatch`` (which costs ``re``)."""
    if "*" not in pattern:
        if "?" not in pattern and "[" not in pattern:
            return False  # no wildcard: only the exact name, compared by the caller
        return _fnmatch(key, pattern)
    if "?" in pattern or "[" in pattern:
        return _fnmatch(key, pattern)
    pieces = pattern.split("*")
    first, last = pieces[0], pieces[-1]
    if len(key) < len(first) + len(last) or not key.startswith(first) or not key.endswith(last):
        return False
    pos, stop = len(first), len(key) - len(last)
    for piece in pieces[1:-1]:
        found = key.find(piece, pos, stop)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _fnmatch(key: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(key, pattern)


def expand_key_patterns(patterns: Iterable[str], env: Mapping[str, Any]) -> list[str]:
    """Turn ``<<<KEY>>>`` entries of ``new_env_keys`` into ``env[KEY]``."""
    out: list[str] = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        placeholder = placeholder_name(pattern.strip())
        if placeholder is not None:
            name = env.get(placeholder)
            if isinstance(name, str) and name:
                out.append(name)
        else:
            out.append(pattern)
    return out


def select_keys(data: Mapping[str, Any], patterns: Iterable[str], env: Mapping[str, Any]) -> dict[str, Any]:
    """Keys of ``data`` matching ``patterns`` (``new_env_keys`` / ``new_state_keys``)."""
    match = key_matcher(expand_key_patterns(patterns, env))
    return {k: v for k, v in data.items() if match(k)}


def merge_dicts(dst: dict[str, Any], src: Mapping[str, Any], *, append_lists: bool = False,
                append_unique: bool = True) -> dict[str, Any]:
    """CM ``merge_dicts`` with the engine's default of appending lists uniquely: the rule of
    ``colmind.store.meta.merge_dicts``, copying with the engine's ``datacopy`` (no ``copy``
    module on the run path; several merges per recipe call)."""
    return _merge(dst, dict(src), append_lists, append_unique)


def _merge(base: dict[str, Any], over: Mapping[str, Any], append_lists: bool, append_unique: bool) -> dict[str, Any]:
    from colmind.engine.datacopy import deepcopy

    for key, value in over.items():
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            _merge(old, value, append_lists, append_unique)
        elif append_lists and isinstance(old, list) and isinstance(value, list):
            for item in value:
                if not append_unique or item not in old:
                    old.append(deepcopy(item))
        else:
            base[key] = deepcopy(value)
    return base


def parse_env_out(text: str) -> dict[str, str]:
    """Parse ``tmp-run-env.out``: one ``KEY=VALUE`` per line, split at the FIRST ``=``.

    Values are kept verbatim (quotes included), like both reference tools.
    """
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.rstrip("\r")
        if not line.strip() or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if key:
            out[key] = value
    return out


def pip_version_string(version: str, vmin: str, vmax: str) -> str:
    """``==v`` / ``>=a,<=b`` / ``>=a`` / ``<=b`` / ``""`` (``CM_TMP_PIP_VERSION_STRING``)."""
    if version:
        return "==" + version
    if vmin and vmax:
        return f">={vmin},<={vmax}"
    if vmin:
        return ">=" + vmin
    if vmax:
        return "<=" + vmax
    return ""


def replace_hash(value: Any, suffix: str) -> Any:
    """Dynamic variations: replace every ``#`` in string values (recursively) by ``suffix``."""
    if isinstance(value, str):
        return value.replace("#", suffix)
    if isinstance(value, list):
        return [replace_hash(v, suffix) for v in value]
    if isinstance(value, dict):
        return {k: replace_hash(v, suffix) for k, v in value.items()}
    return value
