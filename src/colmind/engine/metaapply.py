"""Applying a meta (top level, variation, version, ``update_meta_if_env``) to a run: the env/state
merge order of each format (spec 2.4, 2.5 step 8, 2.6).
"""

from __future__ import annotations

from collections.abc import Mapping

from colmind.engine import conditions, datacopy, deps, envvars
from colmind.engine import variations as var_mod

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.engine.execute import ScriptRun


def apply_input_mapping(run: ScriptRun, mapping: Mapping[str, Any]) -> None:
    """``input_mapping``: input key present -> env (and const for CM)."""
    for inp_key, env_key in (mapping or {}).items():
        if inp_key in run.i and run.i[inp_key] is not None:
            value = run.i[inp_key]
            run.env[str(env_key)] = value
            if run.depth == 0:  # the user's own input: literal in native scripts (E9)
                run.ctx.protect(str(env_key), value)
            if run.dialect.input_mapping_is_const:
                run.const[str(env_key)] = value


def apply_env(run: ScriptRun, env: Mapping[str, Any]) -> None:
    if run.dialect.env_merge_appends_lists:
        envvars.merge_dicts(run.env, env, append_lists=True)
    else:
        run.env.update(datacopy.deepcopy(dict(env)))


def apply_top(run: ScriptRun) -> None:
    """Top-level meta: default_env, env, state, input_mapping, const (+MLC update_meta_if_env)."""
    m = run.meta
    for k, v in (m.get("default_env") or {}).items():
        run.env.setdefault(k, datacopy.deepcopy(v))
    apply_env(run, m.get("env") or {})
    envvars.merge_dicts(run.state, m.get("state") or {}, append_lists=True)
    apply_input_mapping(run, m.get("input_mapping") or {})
    if run.dialect.name == "mlc":
        envvars.merge_dicts(run.const, m.get("const") or {})
        _update_meta_if_env(run, m.get("update_meta_if_env") or [])
    run.env.update(run.const)
    envvars.merge_dicts(run.state, run.const_state)
    run.applied.append(m)


def apply_fragment(run: ScriptRun, m: Mapping[str, Any], *, suffix: str = "", label: str = "") -> None:
    """A variation/version meta: env, const, state, deps, ad/adr, input_mapping, keys lists..."""
    if suffix:
        m = envvars.replace_hash(dict(m), suffix)
    for k, v in (m.get("default_env") or {}).items():
        run.env.setdefault(k, datacopy.deepcopy(v))
    apply_env(run, m.get("env") or {})
    _update_meta_if_env(run, m.get("update_meta_if_env") or [])
    if m.get("const"):
        envvars.merge_dicts(run.const, m["const"])
        run.env.update(run.const)
    envvars.merge_dicts(run.state, m.get("state") or {}, append_lists=True)
    envvars.merge_dicts(run.const_state, m.get("const_state") or {})
    for kind in deps.DEP_LISTS:
        if m.get(kind):
            deps.merge_dep_list(run.dep_lists[kind], m[kind])
    _merge_patches(run, m)
    apply_input_mapping(run, m.get("input_mapping") or {})
    run.new_env_keys += [str(k) for k in m.get("new_env_keys") or []]
    run.new_state_keys += [str(k) for k in m.get("new_state_keys") or []]
    _scalars(run, m, label)
    run.applied.append(dict(m))


def _merge_patches(run: ScriptRun, m: Mapping[str, Any]) -> None:
    for key in ("add_deps", "ad"):
        if isinstance(m.get(key), dict):
            envvars.merge_dicts(run.ad_meta, m[key])
    for key in ("add_deps_recursive", "adr"):
        if isinstance(m.get(key), dict):
            envvars.merge_dicts(run.adr, m[key])


def _scalars(run: ScriptRun, m: Mapping[str, Any], label: str) -> None:
    if m.get("script_name"):
        run.script_name = str(m["script_name"])
    if m.get("default_version"):
        run.default_version = str(m["default_version"])
    if "cache" in m and run.dialect.name == "mlc":
        run.cacheable = bool(m["cache"])
    if m.get("cache_expiration"):
        run.cache_expiration = str(m["cache_expiration"])
    for w in ([m["warning"]] if m.get("warning") else []) + list(m.get("warnings") or []):
        run.warnings.append(f"{label}: {w}" if label else str(w))
    if m.get("required_disk_space"):
        run.required_disk_space += int(m["required_disk_space"])
    if isinstance(m.get("docker"), dict):
        envvars.merge_dicts(run.state.setdefault("docker", {}), m["docker"])


def _update_meta_if_env(run: ScriptRun, entries: Any) -> None:
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not conditions.evaluate(entry, run.env).active:
            continue
        for k, v in (entry.get("default_env") or {}).items():
            run.env.setdefault(k, v)
        apply_env(run, entry.get("env") or {})
        envvars.merge_dicts(run.state, entry.get("state") or {}, append_lists=True)
        if entry.get("const"):
            envvars.merge_dicts(run.const, entry["const"])
            run.env.update(run.const)
        _merge_patches(run, entry)
        if isinstance(entry.get("docker"), dict):
            envvars.merge_dicts(run.state.setdefault("docker", {}), entry["docker"])


def apply_dep_meta_updates(run: ScriptRun, entries: Any) -> None:
    """MLC dep-level ``update_meta_if_env``: when a dep is reached, each entry whose conditions hold
    in the parent env updates the parent's env/const/state/const_state (lists appended); its
    ``ad``/``adr`` are ignored as in MLC."""
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not conditions.evaluate(entry, run.env).active:
            continue
        envvars.merge_dicts(run.env, entry.get("env") or {}, append_lists=True)
        envvars.merge_dicts(run.const, entry.get("const") or {}, append_lists=True)
        envvars.merge_dicts(run.state, entry.get("state") or {}, append_lists=True)
        envvars.merge_dicts(run.const_state, entry.get("const_state") or {}, append_lists=True)
        if isinstance(entry.get("docker"), dict):
            envvars.merge_dicts(run.state.setdefault("docker", {}), entry["docker"], append_lists=True)


def apply_variations(run: ScriptRun) -> None:
    """Apply selected variations in list order, then combined ones (sorted by comma count)."""
    assert run.expansion is not None
    for name in run.expansion.selected:
        vmeta, suffix = var_mod.variation_meta(run.recipe.variations, name)
        apply_fragment(run, vmeta, suffix=suffix, label=f"variation _{name}")
    for key in run.expansion.combined:
        vmeta = run.recipe.variations.get(key) or {}
        suffix = _combined_suffix(run, key)
        apply_fragment(run, vmeta, suffix=suffix, label=f"variation _{key}")
    run.env.update(run.const)


def _combined_suffix(run: ScriptRun, key: str) -> str:
    assert run.expansion is not None
    for comp in key.split(","):
        if comp.endswith(".#"):
            prefix = comp[:-1]
            for s in run.expansion.selected:
                if s.startswith(prefix):
                    return s[len(prefix):]
    return ""


def apply_version_meta(run: ScriptRun, version: str) -> None:
    """``versions[version]`` applied like a variation."""
    versions = run.meta.get("versions")
    if version and isinstance(versions, dict) and isinstance(versions.get(version), dict):
        apply_fragment(run, versions[version], label=f"version {version}")
