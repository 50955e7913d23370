"""The cache content key and the CM-compatible tags of a cache entry (spec 2.7, design 4.5).

The key is a SHA-256 of a canonical JSON description of what would run: script UID, the fully
expanded variation set, version constraints, the values of the env keys the recipe declares as
inputs, extra cache tags, and what the recipe asks of its dependencies. Two requests share an
entry only when all of that is equal, so an entry made for another variation or version is never
served.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from colmind.engine import conditions, deps
from colmind.engine.jsondump import dumps
from colmind.engine.versions import Constraints
from colmind.valueclass import FrozenValue

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

KEY_VERSION = 1


class CacheKey(FrozenValue):
    """A computed key plus the parts it was made from (stored for explanations)."""

    _fields = ("digest", "parts")
    digest: str
    parts: dict[str, Any]

    def __init__(self, digest: str, parts: dict[str, Any]) -> None:
        self._set("digest", digest)
        self._set("parts", parts)

    @property
    def short(self) -> str:
        return self.digest[:16]


def influencing_env_keys(meta: Mapping[str, Any], applied: Sequence[Mapping[str, Any]],
                         dep_lists: Mapping[str, Sequence[Mapping[str, Any]]], prefix: str) -> list[str]:
    """Env keys whose values change what the recipe does.

    ``applied`` are the metas applied to the run (top level, variations, version). Keys under
    ``<prefix>TMP_`` are per-run noise and never count. Keys named by ``extra_cache_tags_from_env``
    are outputs of the deps (e.g. the python version), checked as entry tags instead.
    """
    keys: set[str] = set()
    for m in applied:
        keys.update(str(v) for v in (m.get("input_mapping") or {}).values())
        keys.update(str(k) for k in (m.get("default_env") or {}))
    for dep_list in dep_lists.values():
        for dep in dep_list:
            keys.update(conditions.condition_keys(dep))
            keys.update(str(k) for k in dep.get("update_tags_from_env") or [])
            rules = dep.get("update_tags_if_env")
            for cond in (rules.values() if isinstance(rules, Mapping) else []):
                if isinstance(cond, Mapping):
                    keys.update(conditions.condition_keys(cond))
            for ks in (dep.get("update_tags_from_env_with_prefix") or {}).values():
                keys.update(str(k) for k in (ks if isinstance(ks, list) else [ks]))
    return sorted(k for k in keys if not k.startswith(prefix + "TMP_") and not k.startswith("+"))


def compute(script_uid: str, variations: Iterable[str], constraints: Constraints,
            env: Mapping[str, Any], env_keys: Iterable[str], extra_tags: Iterable[str],
            dep_lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> CacheKey:
    """Hash the canonical description of a run."""
    parts: dict[str, Any] = {
        "key_version": KEY_VERSION,
        "script": script_uid,
        "variations": sorted(set(variations)),
        "versions": constraints.as_dict(),
        "env": {k: _canon(env.get(k)) for k in env_keys if k in env},
        "extra_cache_tags": sorted(set(extra_tags)),
        "deps": deps.static_signature(dep_lists),
    }
    text = dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return CacheKey(_sha256(text.encode("utf-8")).hexdigest(), parts)


def _sha256(data: bytes) -> Any:
    """SHA-256 from CPython's own module when it has one: ``hashlib`` loads OpenSSL (milliseconds
    of every ``cm run script``); the digest is the same."""
    try:
        from _sha256 import sha256  # CPython <= 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found, no-redef]  # CPython >= 3.12
        except ImportError:
            from hashlib import sha256
    return sha256(data)


def _canon(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    from colmind.store.jsonload import loads

    return loads(dumps(value, sort_keys=True, default=str))


def entry_tags(script_tags: Sequence[str], requested_tags: Sequence[str], variations: Sequence[str],
               version: str, extra_tags: Sequence[str], script_uid: str, tag_prefix: str) -> list[str]:
    """CM-compatible tags of a completed entry (``cm find cache --tags=...`` keeps working)."""
    tags: list[str] = []
    for t in list(requested_tags) + list(script_tags):
        _add(tags, t)
    for v in variations:
        if not v.startswith("-"):
            _add(tags, "_" + v)
    if version:
        _add(tags, "version-" + version)
    for t in extra_tags:
        _add(tags, t)
    _add(tags, tag_prefix + script_uid)
    return tags


def _add(tags: list[str], tag: str) -> None:
    if tag and tag not in tags:
        tags.append(tag)


def extra_tags_from_env(meta: Mapping[str, Any], env: Mapping[str, Any]) -> list[str]:
    """``deps-<prefix><value>`` tags of ``extra_cache_tags_from_env``."""
    out: list[str] = []
    for entry in meta.get("extra_cache_tags_from_env") or []:
        if not isinstance(entry, Mapping):
            continue
        value = env.get(str(entry.get("env", "")))
        if value in (None, ""):
            continue
        for v in str(value).split(","):
            if v.strip():
                out.append(f"deps-{entry.get('prefix', '')}{v.strip()}")
    return out
