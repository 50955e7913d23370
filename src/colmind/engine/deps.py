"""Dependency entries: merging variation deps, ``ad``/``adr`` patches by name, final tag strings
(``update_tags_from_env*``, ``inherit_variation_tags``), the local-env stash around a dep run, and
the input dict of the child run (spec 1.3 Dependencies, 2.8).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from colmind.engine import datacopy, envvars
from colmind.engine.tagquery import split_tags
from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

DEP_LISTS = ("deps", "prehook_deps", "posthook_deps", "post_deps")

# Keys that steer the parent's handling of a dep; every other key becomes an input of the child.
CONTROL_KEYS = frozenset("""
tags names env enable_if_env enable_if_any_env skip_if_env skip_if_any_env update_tags_from_env
update_tags_from_env_with_prefix update_tags_if_env force_env_keys reuse_version inherit_variation_tags
skip_inherit_variation_groups dynamic skip_if_fake_run continue_on_error local_env inherit_cache_expiration
update_meta_if_env
""".split())

_IGNORED_IN_PATCH = ("enable_if_env", "enable_if_any_env", "skip_if_env", "skip_if_any_env")


def names_of(dep: Mapping[str, Any]) -> list[str]:
    names = dep.get("names") or []
    return [str(n) for n in (names if isinstance(names, list) else [names])]


def update_dep_info(dep: dict[str, Any], patch: Mapping[str, Any]) -> None:
    """Merge an ``ad``/``adr`` patch into ``dep`` (tags appended, dicts merged, lists extended)."""
    for key, value in patch.items():
        if key in _IGNORED_IN_PATCH:
            continue
        if key == "tags":
            extra = [t for t in split_tags(value) if "<<<" not in t]
            current = split_tags(dep.get("tags", ""))
            dep["tags"] = ",".join(current + [t for t in extra if t not in current])
        elif isinstance(value, dict) and isinstance(dep.get(key), dict):
            envvars.merge_dicts(dep[key], value)
        elif isinstance(value, list) and isinstance(dep.get(key), list):
            dep[key] = dep[key] + [v for v in value if v not in dep[key]]
        else:
            dep[key] = datacopy.deepcopy(value)


def apply_patches(dep_lists: Mapping[str, list[dict[str, Any]]], patches: Mapping[str, Any],
                  *, strict: bool) -> None:
    """Apply ``{name: patch}`` to every dep of the four lists whose ``names`` contain name.

    Raises:
        CMError: ``strict`` and no dep has that name (``ad`` from input/meta).
    """
    for name, patch in (patches or {}).items():
        if not isinstance(patch, Mapping):
            continue
        hit = False
        for deps in dep_lists.values():
            for dep in deps:
                if name in names_of(dep):
                    update_dep_info(dep, patch)
                    hit = True
        if strict and not hit:
            raise CMError(f'add_deps: no dependency is named "{name}"',
                          hint="names come from the 'names' lists of deps/prehook_deps/posthook_deps/post_deps")


def merge_dep_list(existing: list[dict[str, Any]], new: Iterable[Mapping[str, Any]]) -> None:
    """Append variation deps; one with the same ``names`` (or the same tag set) replaces."""
    for item in new:
        dep: dict[str, Any] = datacopy.deepcopy(dict(item))
        idx = _find_same(existing, dep)
        if idx is None:
            existing.append(dep)
        else:
            existing[idx] = dep


def _find_same(existing: Sequence[Mapping[str, Any]], dep: Mapping[str, Any]) -> int | None:
    names = set(names_of(dep))
    tags = set(split_tags(dep.get("tags", "")))
    for i, old in enumerate(existing):
        if names and set(names_of(old)) == names:
            return i
        if not names and not names_of(old) and set(split_tags(old.get("tags", ""))) == tags:
            return i
    return None


def final_tags(dep: Mapping[str, Any], env: Mapping[str, Any], local_env: Mapping[str, Any],
               parent_variations: Sequence[str], parent_groups: Mapping[str, str]) -> str:
    """The tag string the child is called with."""
    tags = split_tags(envvars.substitute(str(dep.get("tags", "")), env))
    look = {**env, **local_env}
    for key in dep.get("update_tags_from_env") or []:
        for value in _values(look.get(key)):
            tags.append(value)
    for prefix, keys in (dep.get("update_tags_from_env_with_prefix") or {}).items():
        for key in keys if isinstance(keys, list) else [keys]:
            for value in _values(look.get(key)):
                tags.append(f"{prefix}{value}")
    tags += tags_if_env(dep, env)
    if dep.get("inherit_variation_tags"):
        tags += _inherited(tags, dep, parent_variations, parent_groups)
    out: list[str] = []
    for t in tags:
        if t not in out:
            out.append(t)
    return ",".join(out)


def tags_if_env(dep: Mapping[str, Any], env: Mapping[str, Any]) -> list[str]:
    """MLC ``update_tags_if_env`` (tag -> condition dict): tags whose condition holds in ``env``."""
    from colmind.engine import conditions

    rules = dep.get("update_tags_if_env") or {}
    if not isinstance(rules, Mapping):
        return []
    out: list[str] = []
    for tag, cond in rules.items():
        if isinstance(cond, Mapping) and conditions.evaluate(cond, env).active:
            out += split_tags(str(tag))
    return out


def _values(value: Any) -> list[str]:
    if value is None or value == "" or envvars.has_placeholder(value):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(v).strip() for v in items if str(v).strip()]


def _inherited(tags: list[str], dep: Mapping[str, Any], parent_variations: Sequence[str],
               parent_groups: Mapping[str, str]) -> list[str]:
    skip_groups = set(dep.get("skip_inherit_variation_groups") or [])
    negated = {t[2:] for t in tags if t.startswith(("_-", "-_"))}
    out = []
    for v in parent_variations:
        if v.startswith("-") or v in negated or parent_groups.get(v, "") in skip_groups:
            continue
        out.append("_" + v)
    return out


def stash_local(env: dict[str, Any], patterns: Sequence[str], dep: Mapping[str, Any],
                version_keys: Sequence[str]) -> dict[str, Any]:
    """Remove local keys (and unresolved ``<<<``) from ``env``; return them for restoring."""
    local = envvars.key_matcher(patterns)
    stash = {k: v for k, v in env.items() if local(k) or envvars.has_placeholder(v)}
    keep = list(dep.get("force_env_keys") or [])
    if dep.get("reuse_version"):
        keep += list(version_keys)
    kept = envvars.key_matcher(keep)
    for key in list(stash):
        if kept(key):
            del stash[key]
    for key in stash:
        del env[key]
    return stash


def child_input(dep: Mapping[str, Any], tags: str) -> dict[str, Any]:
    """Keys of the dep dict passed verbatim as input to the child run."""
    out = {k: datacopy.deepcopy(v) for k, v in dep.items() if k not in CONTROL_KEYS}
    out["tags"] = tags
    return out


def static_signature(dep_lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Any]:
    """A canonical description of what a recipe will ask its deps for (part of the cache key)."""
    sig: list[Any] = []
    for kind in DEP_LISTS:
        for dep in dep_lists.get(kind, []):
            sig.append([kind, str(dep.get("tags", "")),
                        {k: dep[k] for k in sorted(dep) if k not in ("names",)}])
    return sig
