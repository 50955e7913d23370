"""Running one dependency list of a recipe (``deps``, ``prehook_deps``, ``posthook_deps``,
``post_deps``): conditions against the env so far, final tags, the local-env stash, the
recursive call and the env flow back (spec 2.8).
"""

from __future__ import annotations

from colmind.engine import conditions, datacopy, deps, envvars, metaapply
from colmind.engine.plan import SkippedDep
from colmind.engine.tagquery import split_tags

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.engine.execute import ScriptRun


def run_list(run: ScriptRun, kind: str, *, only_dynamic: bool = False) -> None:
    """Run every active dep of ``run.dep_lists[kind]`` in order."""
    for dep in run.dep_lists.get(kind, []):
        if not dep.get("tags"):
            continue
        if only_dynamic and not dep.get("dynamic"):
            continue
        verdict = conditions.evaluate(dep, run.env)
        if not verdict.active:
            _skip(run, kind, str(dep.get("tags")), verdict.reason)
            continue
        if dep.get("skip_if_fake_run") and run.fake_run:
            _skip(run, kind, str(dep.get("tags")), "skip_if_fake_run")
            continue
        if _over_limit(run, kind):
            _skip(run, kind, str(dep.get("tags")), "colmind_deps_limit")
            continue
        _run_one(run, kind, dep)


def _over_limit(run: ScriptRun, kind: str) -> bool:
    """``--colmind_deps_limit=N`` (top-level fake runs only): call only the first N dependencies of
    ``deps`` + ``prehook_deps``. ``cm docker script`` builds one image layer per dependency with it,
    each dependency getting exactly the env it gets in the full run."""
    limit = run.i.get("colmind_deps_limit")
    if limit in (None, "") or run.depth != 0 or not run.fake_run or kind not in ("deps", "prehook_deps"):
        return False
    return len(run.deps_called) >= int(limit)


def _skip(run: ScriptRun, kind: str, tags: str, reason: str) -> None:
    run.node.skipped.append(SkippedDep(kind, tags, reason))
    run.ctx.console.debug(run.depth + 1, f"skipped {kind} {tags}: {reason}")


def _local_patterns(run: ScriptRun, kind: str) -> list[str]:
    if kind == "post_deps":
        return [str(k) for k in run.meta.get("clean_env_keys_post_deps") or []]
    return list(run.dialect.local_env_keys) + [str(k) for k in run.meta.get("local_env_keys") or []]


def _run_one(run: ScriptRun, kind: str, dep: dict[str, Any]) -> None:
    from colmind.engine.execute import call_recipe

    local_env = {k: envvars.substitute(v, run.env) for k, v in (dep.get("env") or {}).items()}
    if run.dialect.name == "mlc" and dep.get("update_meta_if_env"):
        metaapply.apply_dep_meta_updates(run, dep["update_meta_if_env"])
    groups = {v: str((run.recipe.variations.get(v) or {}).get("group", ""))
              for v in (run.expansion.selected if run.expansion else [])}
    variations = run.expansion.selected if run.expansion else []
    tags = deps.final_tags(dep, run.env, local_env, variations, groups)
    run.deps_called.append(tags)
    if run.fake_deps:
        _skip(run, kind, tags, "--fake_deps")
        return
    version_keys = [run.dialect.key(s) for s in ("VERSION", "VERSION_MIN", "VERSION_MAX", "VERSION_MAX_USABLE")]
    stash = deps.stash_local(run.env, _local_patterns(run, kind), dep, version_keys)
    child = deps.child_input(dep, tags)
    if dep.get("inherit_cache_expiration") and run.cache_expiration and not dep.get("cache_expiration"):
        child["cache_expiration"] = run.cache_expiration
    child.update({
        "env": run.env, "state": run.state, "const": datacopy.deepcopy(run.const),
        "const_state": datacopy.deepcopy(run.const_state), "add_deps_recursive": run.adr,
        "recursion": True, "local_env": local_env,
    })
    for flag in ("silent", "verbose", "quiet", "time"):
        if run.i.get(flag) and flag not in child:
            child[flag] = run.i[flag]
    try:
        node = call_recipe(run.ctx, child, run.depth + 1, kind)
    except Exception:
        if dep.get("continue_on_error") and not run.ctx.dry_run:
            run.ctx.console.warn(f"dependency {tags} failed; continuing (continue_on_error)")
            return
        raise
    finally:
        run.env.update(stash)
    run.node.children.append(node)
    if node.cache_key and node.cache in ("hit", "miss", "new", "renew"):
        run.dep_entries.append({"script": node.uid, "key": node.cache_key, "alias": node.alias,
                                "tag_prefix": node.tag_prefix})
    envvars.resolve_in_place(run.env)
    run.env.update(run.const)
    envvars.merge_dicts(run.state, run.const_state)


def dep_tag_list(run: ScriptRun) -> list[str]:
    """Tag strings of the static dep lists (for help and dry-run)."""
    return [str(d.get("tags")) for k in deps.DEP_LISTS for d in run.dep_lists.get(k, []) if split_tags(d.get("tags"))]
