"""The ``i`` dict customize.py hooks receive and its ``run_script_input`` (spec 2.9).

``env``, ``state``, ``meta`` and ``run_script_input`` are the live objects, so hook mutations take
effect; the rest is a shallow copy of the common part.
"""

from __future__ import annotations

import os

from colmind.engine import shell

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.engine.execute import ScriptRun


class RecipeArtifact:
    """What recipes read from ``i['artifact']`` (``.path``, ``.meta``, ``.repo_path``...)."""

    def __init__(self, run: ScriptRun) -> None:
        r = run.recipe
        self.path = r.path
        self.meta = r.meta
        self.original_meta = getattr(r.artifact, "original_meta", r.meta) if r.artifact is not None else r.meta
        self.uid = r.uid
        self.alias = r.alias
        self.repo_path = r.repo_path
        self.repo_meta = getattr(getattr(r.artifact, "repo", None), "meta", {}) or {}


def run_script_input(run: ScriptRun) -> dict[str, Any]:
    """The ``run_script_input`` dict (observed key set of each format)."""
    os_info = run.os_info
    rsi: dict[str, Any] = {
        "path": run.recipe.path, "bat_ext": os_info["bat_ext"], "os_info": os_info,
        "const": run.const, "state": run.state, "const_state": run.const_state,
        "reuse_cached": False, "recursion": run.depth > 0, "recursion_spaces": "  " * run.depth,
        "remembered_selections": run.ctx.remembered,
        "tmp_file_run_state": shell.STATE_OUT, "tmp_file_run_env": shell.ENV_OUT,
        "tmp_file_state": "tmp-state.json", "tmp_file_run": "tmp-run",
        "local_env_keys": list(run.dialect.local_env_keys),
        "local_env_keys_from_meta": list(run.meta.get("local_env_keys") or []),
        "posthook_deps": run.dep_lists["posthook_deps"], "add_deps_recursive": run.adr,
        "found_script_tags": run.recipe.tags,
        "variation_tags_string": run.expansion.tags_string if run.expansion else "",
        "found_cached": run.hit, "debug_script_tags": run.i.get("debug_script_tags", ""),
        "meta": run.meta, "self": run.ctx.automation, "customize_code": None,
        "customize_common_input": {}, "run_state": run.run_state,
    }
    if run.dialect.name == "cm":
        rsi["verbose"] = bool(run.i.get("v") or run.i.get("verbose"))
    if run.i.get("ignore_script_error"):
        rsi["ignore_script_error"] = True
    return rsi


def hook_input(run: ScriptRun, hook: str) -> dict[str, Any]:
    """The ``i`` given to ``preprocess``/``postprocess``/``detect_version``/``predeps``."""
    exp = run.expansion
    variation_tags: list[str] = []
    if exp is not None:
        variation_tags = list(exp.expanded if run.dialect.customize_gets_expanded_variations else exp.explicit)
    common: dict[str, Any] = {
        "input": run.i, "automation": run.ctx.automation, "artifact": RecipeArtifact(run),
        "customize": run.meta.get("customize", {}), "os_info": run.os_info,
        "recursion_spaces": "  " * run.depth, "script_tags": list(run.query.tags),
        "variation_tags": variation_tags,
    }
    run.rsi["customize_common_input"] = common
    i = dict(common)
    i.update({"env": run.env, "state": run.state, "meta": run.meta, "run_script_input": run.rsi})
    if hook in ("postprocess", "detect_version") and run.dialect.postprocess_gets_const:
        i["const"] = run.const
        i["const_state"] = run.const_state
    return i


def customize_path(run: ScriptRun) -> str:
    return os.path.join(run.recipe.path, "customize.py")
