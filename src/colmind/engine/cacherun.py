"""A cacheable recipe call: content key -> per-key lock -> lookup with validity checks ->
hit (load state) or build inside the entry -> atomic completion (spec 2.7, issue item 7).
"""

from __future__ import annotations

import os

from colmind.engine import cachekey, cachestore, cachevalid, depsrun, envvars, expiration
from colmind.engine.tagquery import split_tags
from colmind.errors import LockTimeout, NotFound

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.engine.execute import ScriptRun

LOCK_TIMEOUT = float(os.environ.get("COLMIND_CACHE_LOCK_TIMEOUT", str(24 * 3600)))


def enabled(run: ScriptRun) -> bool:
    """Cacheability as one predicate: meta ``cache`` (or ``can_force_cache`` + ``--force_cache``)."""
    if run.i.get("skip_cache") or run.fake_run:
        return False
    if run.cacheable:
        return True
    return bool(run.meta.get("can_force_cache") and run.i.get("force_cache"))


def extra_tags(run: ScriptRun) -> list[str]:
    tags = split_tags(run.i.get("extra_cache_tags"))
    tags += [t for t in split_tags(run.env.get(run.dialect.key("EXTRA_CACHE_TAGS"))) if t not in tags]
    # CM/MLC: ``name-<NAME>`` from the env (``--name`` of this recipe, or of a caller whose
    # post_deps see it: CM_NAME is local only while deps/prehook/posthook deps run)
    name = str(run.env.get(run.dialect.key("NAME")) or run.i.get("name") or "").strip().lower()
    if name and "name-" + name not in tags:
        tags.append("name-" + name)
    return tags


def dep_tags(run: ScriptRun, env: dict[str, Any]) -> list[str]:
    """``deps-<prefix><value>`` tags of ``extra_cache_tags_from_env`` for ``env``: outputs of the
    recipe's deps, so they are not part of the key; as in CM the tags present at lookup are
    required of an entry, and the ones present after the run are added to the new entry."""
    return cachekey.extra_tags_from_env(run.meta, env)


def compute_key(run: ScriptRun, extra: list[str]) -> cachekey.CacheKey:
    assert run.expansion is not None
    env_keys = cachekey.influencing_env_keys(run.meta, run.applied, run.dep_lists, run.dialect.prefix)
    return cachekey.compute(run.recipe.uid, run.expansion.selected, run.constraints, run.env, env_keys,
                            extra, run.dep_lists)


def run_cached(run: ScriptRun) -> None:
    extra = extra_tags(run)
    key = compute_key(run, extra)
    run.node.cache_key = key.digest
    if run.ctx.dry_run:
        _dry(run, key)
        return
    core = run.ctx.core
    lock_name = "cache-" + key.digest
    try:
        with core.lock(lock_name, timeout=0):
            _locked(run, key, extra)
            return
    except LockTimeout:
        run.ctx.console.info(run.depth + 3, f"- waiting for another process building cache entry {key.short}")
    with core.lock(lock_name, timeout=LOCK_TIMEOUT):
        _locked(run, key, extra)


def _locked(run: ScriptRun, key: cachekey.CacheKey, extra: list[str]) -> None:
    entries = cachestore.with_key(run.ctx.core, run.recipe.uid, key.digest, run.dialect.script_tag_prefix)
    hit = None if run.i.get("new") else _valid_entry(run, entries)
    if hit is not None and not (run.i.get("renew") or run.i.get("rerun")):
        _serve_hit(run, hit)
        return
    if run.i.get("only_execute_from_cache"):
        raise NotFound(f"No valid cache entry found for {run.recipe.alias} (key {key.short})")
    partial = [e for e in entries if not e.complete and os.path.isdir(e.path)]
    _build(run, key, extra, hit, partial)


def _valid_entry(run: ScriptRun, entries: list[cachestore.Entry]) -> cachestore.Entry | None:
    required = dep_tags(run, run.env)
    complete = sorted((e for e in entries if e.complete and all(t in e.tags for t in required)),
                      key=lambda e: -float(e.meta.get("colmind_completed") or 0))
    script_check = cachevalid.ScriptValidator(run)
    for entry in complete:
        reasons = cachestore.validate(entry, run.constraints, run.ctx.core) or script_check.reasons(entry)
        if not reasons:
            return entry
        note = f"cache entry {entry.path} is invalid ({'; '.join(reasons)}): rebuilding"
        run.ctx.console.info(run.depth + 3, "- " + note)
        run.node.cache_note = note
        cachestore.delete(run.ctx.core, entry)
    return None


def _serve_hit(run: ScriptRun, entry: cachestore.Entry) -> None:
    run.hit = True
    run.rsi["found_cached"] = True
    run.node.cache, run.node.cache_entry, run.node.status = "hit", entry.path, "cached"
    depsrun.run_list(run, "deps", only_dynamic=True)
    depsrun.run_list(run, "prehook_deps", only_dynamic=True)
    state = entry.load_state()
    new_env = dict(state.get("new_env") or {})
    cachestore.fix_moved_paths(new_env, cachestore.cache_root(run.ctx.core))
    new_state = dict(state.get("new_state") or {})
    run.ctx.console.info(run.depth + 3, f"! load {entry.state_path}")
    envvars.merge_dicts(run.env, new_env, append_lists=True)
    envvars.merge_dicts(run.state, new_state, append_lists=True)
    run.version = str(state.get("version") or run.version)
    if not run.fake_run:
        depsrun.run_list(run, "posthook_deps", only_dynamic=True)
        depsrun.run_list(run, "post_deps", only_dynamic=True)
    run.finalize(cached_new_env=new_env, cached_new_state=new_state)


def _build(run: ScriptRun, key: cachekey.CacheKey, extra: list[str], hit: cachestore.Entry | None,
           partial: list[cachestore.Entry]) -> None:
    from colmind.engine import body

    core, k = run.ctx.core, run.dialect.key
    run.apply_default_version()
    if hit is not None:  # --renew: load, then re-execute inside the same entry
        state = hit.load_state()
        envvars.merge_dicts(run.env, dict(state.get("new_env") or {}), append_lists=True)
        run.env[k("RENEW_CACHE_ENTRY")] = "yes"
        entry, run.node.cache = hit, "renew"
    elif partial and not run.i.get("new"):
        entry, run.node.cache = partial[0], "miss"
        cachestore.reset_partial(entry)
        for dup in partial[1:]:
            cachestore.delete(core, dup)
        run.ctx.console.info(run.depth + 3, f"- resuming incomplete cache entry {entry.path}")
    else:
        entry = cachestore.create(core, run.recipe.ref, run.recipe.uid, key.digest, _tags(run, extra, version=""),
                                  run.dialect.script_item_key)
        run.node.cache = "new" if run.i.get("new") else "miss"
    run.node.cache_entry = entry.path
    run.ctx.console.info(run.depth + 3, f"- cache entry {entry.uid} (key {key.short})")
    body.run_body(run, entry.path, cached=True)
    if run.skipped:
        return
    detected = run.env.get(k("DETECTED_VERSION"))
    if detected and not run.version_from_hook:
        run.version = str(detected)
    if run.version and not run.constraints.allows(run.version):
        run.ctx.console.warn(f"{run.recipe.alias}: version {run.version} does not satisfy {run.constraints.as_dict()}")
    all_env = dict(run.env)
    dependent = run.env.get(k("GET_DEPENDENT_CACHED_PATH"))
    run.finalize()
    _complete(run, entry, key, extra + [t for t in dep_tags(run, all_env) if t not in extra], all_env, dependent)


def _tags(run: ScriptRun, extra: list[str], version: str | None = None) -> list[str]:
    """Entry tags: the selected variations for MLC recipes, only the requested ones for CM recipes
    (cmind tags a ``get-generic-sys-util`` ``_wget`` entry without its default ``_detect``). A new
    (``tmp``) entry has no ``version-`` tag yet (``version=""``): CM and MLC add it on completion."""
    assert run.expansion is not None
    exp = run.expansion
    variations = exp.selected if run.dialect.customize_gets_expanded_variations else exp.explicit
    return cachekey.entry_tags(run.recipe.tags, list(run.query.tags), variations,
                               run.version if version is None else version,
                               extra + run.hook_cache_tags, run.recipe.uid, run.dialect.script_tag_prefix)


def _complete(run: ScriptRun, entry: cachestore.Entry, key: cachekey.CacheKey, extra: list[str],
              all_env: dict[str, Any], dependent: Any) -> None:
    from colmind.version import __version__

    meta: dict[str, Any] = {
        run.dialect.script_item_key: run.recipe.ref,
        run.dialect.script_item_key + "_uid": run.recipe.uid,
        "colmind_key_parts": key.parts, "colmind_dep_keys": run.dep_entries, "colmind_version": __version__,
    }
    if dependent and os.path.exists(str(dependent)) and os.path.abspath(str(dependent)) != entry.path:
        meta["dependent_cached_path"] = str(dependent)
    if run.cache_expiration:
        meta["cache_expiration"] = expiration.expires_at(run.cache_expiration)
    cachestore.finalize(run.ctx.core, entry, new_env=run.result["new_env"], new_state=run.result["new_state"],
                        all_env=all_env, deps_used=list(run.deps_called), version=run.version,
                        tags=_tags(run, extra), extra_meta=meta)


def _dry(run: ScriptRun, key: cachekey.CacheKey) -> None:
    """Look the entry up without locking or writing anything."""
    from colmind.engine import body

    entries = cachestore.with_key(run.ctx.core, run.recipe.uid, key.digest, run.dialect.script_tag_prefix)
    complete = [e for e in entries if e.complete and not cachestore.validate(e, run.constraints, run.ctx.core)]
    if complete and not run.i.get("new") and not run.i.get("renew"):
        entry = complete[0]
        run.node.cache, run.node.cache_entry, run.node.status = "dry-hit", entry.path, "dry"
        state = entry.load_state()
        new_env = dict(state.get("new_env") or {})
        envvars.merge_dicts(run.env, new_env, append_lists=True)
        run.finalize(cached_new_env=new_env, cached_new_state=dict(state.get("new_state") or {}))
        return
    run.node.cache = "dry-miss"
    run.apply_default_version()
    body.run_body(run, os.getcwd(), cached=True)
    run.finalize()
