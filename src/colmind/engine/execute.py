"""The orchestrator of one recipe call (spec 2.2-2.11). It reads as the list of steps CM runs:

setup env -> select versions and variations -> patch deps -> cache decision -> deps ->
preprocess -> prehook deps -> native script -> posthook deps -> postprocess -> post deps ->
finalize (new_env/new_state back to the caller).
"""

from __future__ import annotations

import os
import time

from colmind.engine import datacopy, deps, envvars, hooks, hostinfo, metaapply, shell, versions
from colmind.engine import meta as meta_mod
from colmind.engine import resolve as resolve_mod
from colmind.engine import tagquery as tq
from colmind.engine import variations as var_mod
from colmind.engine.context import RunContext
from colmind.engine.meta import Recipe
from colmind.engine.plan import Node

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

INPUT_TO_ENV = ("input", "output", "outdirname", "outbasename", "name", "extra_cache_tags", "skip_compile",
                "skip_run", "accept_license", "skip_system_deps", "git_ssh", "gh_token")
MLC_INPUT_TO_ENV = ("search_folder_path", "skip_sudo", "hf_token", "verify_ssl")


def parse_request(i: dict[str, Any]) -> tuple[tq.TagQuery, str]:
    """Tags from ``--tags``, a positional with spaces, or extra positionals (spec 2.2 step 4)."""
    tags = tq.split_tags(i.get("tags"))
    artifact = str(i.get("artifact") or "")
    if artifact and (" " in artifact or "," in artifact and not _is_ref(artifact)):
        tags = tq.positional_to_tags(artifact) + tags
        artifact = ""
    for extra in i.get("artifacts") or []:
        tags += tq.positional_to_tags(str(extra))
    return tq.parse(tags), artifact


def _is_ref(value: str) -> bool:
    parts = value.split(",")
    return len(parts) == 2 and len(parts[1]) == 16 and all(c in "0123456789abcdef" for c in parts[1])


def call_recipe(ctx: RunContext, i: dict[str, Any], depth: int, kind: str) -> Node:
    """Resolve and run one recipe inside ``ctx``; returns its plan node (result in ``node``)."""
    query, artifact = parse_request(i)
    node = Node(kind=kind, request_tags=query.as_string() or artifact)
    if kind == "top":
        ctx.root = node
    ctx.console.info(depth, f'* cm run script "{query.display() or artifact}"')
    recipe = resolve_mod.select(ctx.core, query, artifact, remembered=ctx.remembered,
                                chooser=ctx.chooser or resolve_mod.make_chooser(True, lambda s: None),
                                use_cache=not (i.get("skip_cache") or i.get("fake_run") or i.get("prepare")))
    _warn_unsupported(ctx, recipe)
    run = ScriptRun(ctx, i, recipe, query, depth, node)
    ctx.chain.append(recipe.alias)
    started = time.monotonic()
    try:
        run.execute()
        node.result = run.result
        if not run.skipped:
            ctx.version_info.append(versions.version_info(run))
    except Exception:
        node.status = "failed"
        raise
    finally:
        node.seconds = round(time.monotonic() - started, 3)
        ctx.chain.pop()
    return node


def _warn_unsupported(ctx: RunContext, recipe: Recipe) -> None:
    for key in meta_mod.unsupported_keys(recipe):
        ctx.warn_once(recipe.meta_file + key, f"{recipe.meta_file}: meta key {key} is not supported by colmind yet")


class ScriptRun:
    """State of one recipe call; :meth:`execute` is the whole algorithm."""

    def __init__(self, ctx: RunContext, i: dict[str, Any], recipe: Recipe, query: tq.TagQuery,
                 depth: int, node: Node) -> None:
        self.ctx, self.i, self.recipe, self.query, self.depth, self.node = ctx, i, recipe, query, depth, node
        self.dialect = recipe.dialect
        self.meta: dict[str, Any] = datacopy.deepcopy(recipe.meta)
        self.dep_lists: dict[str, list[dict[str, Any]]] = {}
        self.sync_dep_lists()
        self.new_env_keys = [str(k) for k in self.meta.get("new_env_keys") or []]
        self.new_state_keys = [str(k) for k in self.meta.get("new_state_keys") or []]
        self.script_name = str(self.meta.get("script_name") or "")
        self.default_version = str(self.meta.get("default_version") or "")
        self.cacheable = bool(self.meta.get("cache"))
        self.cache_expiration = str(i.get("cache_expiration") or self.meta.get("cache_expiration") or "")
        self.applied: list[dict[str, Any]] = []
        self.warnings: list[str] = [str(w) for w in self.meta.get("warnings") or []]
        self.required_disk_space = 0
        self.ad_meta: dict[str, Any] = {}
        self.deps_called: list[str] = []
        self.hook_cache_tags: list[str] = []
        self.version_from_hook = False
        self.dep_entries: list[dict[str, str]] = []
        self.run_state: dict[str, Any] = {"deps": self.deps_called, "parent": None}
        self.expansion: var_mod.Expansion | None = None
        self.constraints = versions.Constraints()
        self.version = ""
        self.hit = False
        self.fake_run = bool(i.get("fake_run") or i.get("prepare"))
        self.fake_deps = bool(i.get("fake_deps"))
        self.os_info = hostinfo.os_info(self.dialect)
        self.rsi: dict[str, Any] = {}
        self.result: dict[str, Any] = {}
        self.skipped = False

    # ----------------------------------------------------------------------------- steps
    def execute(self) -> None:
        self.bind_env()
        self.flags_to_env()
        self.set_script_path_env()
        metaapply.apply_top(self)
        self.select_versions_and_variations()
        self.patch_deps()
        envvars.resolve_in_place(self.env)
        self.rsi = _rsi(self)
        from colmind.engine import cacherun

        if cacherun.enabled(self):
            cacherun.run_cached(self)
        else:
            self.run_uncached()

    def bind_env(self) -> None:
        """env/state/const by reference; saved copies; dep-local env merged after the copy."""
        i = self.i
        for key in ("env", "state", "const", "const_state"):
            if not isinstance(i.get(key), dict):
                i[key] = {}
        self.env: dict[str, Any] = i["env"]
        self.state: dict[str, Any] = i["state"]
        self.const: dict[str, Any] = i["const"]
        self.const_state: dict[str, Any] = i["const_state"]
        if self.dialect.name == "mlc" and self.depth == 0:
            run_dir = self.env.get("MLC_USER_RUN_DIR") or os.getcwd()
            self.ctx.protect("MLC_USER_RUN_DIR", run_dir)
            self.env["MLC_USER_RUN_DIR"] = run_dir
            self.const["MLC_USER_RUN_DIR"] = run_dir
        if self.depth == 0:  # what the user passed: env and const values stay literal (E9)
            for source in (self.env, self.const):
                for key, value in source.items():
                    self.ctx.protect(key, value)
        self.saved_env = datacopy.deepcopy(self.env)
        self.saved_state = datacopy.deepcopy(self.state)
        envvars.merge_dicts(self.env, i.get("local_env") or {})
        self.adr: dict[str, Any] = i["add_deps_recursive"] if isinstance(i.get("add_deps_recursive"), dict) else {}
        envvars.merge_dicts(self.adr, i.get("adr") or {})
        self.ad_input: dict[str, Any] = {}
        for key in ("add_deps", "ad"):
            envvars.merge_dicts(self.ad_input, i.get(key) or {})

    def flags_to_env(self) -> None:
        """Input flags -> engine env (spec 2.2 steps 7-9), named for the recipe's format."""
        i, env, k = self.i, self.env, self.dialect.key
        flags = {"TMP_FAKE_RUN": self.fake_run, "TMP_FAKE_DEPS": self.fake_deps,
                 "SKIP_SYS_UTILS": i.get("skip_sys_utils"),
                 ("TMP_SKIP_SUDO" if self.dialect.name == "cm" else "SKIP_SUDO"): i.get("skip_sudo"),
                 "TMP_SILENT": i.get("silent") or i.get("s"),
                 ("VERBOSE" if self.dialect.name == "cm" else "TMP_VERBOSE"): i.get("verbose") or i.get("v"),
                 "QUIET": self.ctx.quiet or i.get("quiet"),
                 "SKIP_REMEMBERED_SELECTIONS": i.get("skip_remembered_selections")}
        for name, on in flags.items():
            if on:
                env[k(name)] = "yes"
        if i.get("debug_uid"):
            env[k("TMP_DEBUG_UID")] = str(i["debug_uid"])
        env[k("TMP_CURRENT_PATH")] = os.getcwd()
        self.ctx.protect(k("TMP_CURRENT_PATH"), env[k("TMP_CURRENT_PATH")])
        env.update(hostinfo.host_env(self.dialect))
        for name, value in hostinfo.copied_host_vars(self.dialect).items():
            env.setdefault(name, value)
            self.ctx.protect(name, value)
        self._input_flags_to_env()
        envvars.resolve_in_place(env)

    def _input_flags_to_env(self) -> None:
        i, env, k = self.i, self.env, self.dialect.key
        if i.get("path"):
            env[k("TMP_PATH")] = str(i["path"])
        if self.dialect.name == "mlc" and i.get("folder"):
            env[k("TMP_FOLDER")] = str(i["folder"])
        names = INPUT_TO_ENV + (MLC_INPUT_TO_ENV if self.dialect.name == "mlc" else ())
        for name in names:
            value = i.get(name)
            if value not in (None, ""):
                if name == "outdirname":
                    value = os.path.abspath(str(value))
                env[k(name.upper())] = value
                self.ctx.protect(k(name.upper()), value)

    def select_versions_and_variations(self) -> None:
        """Version constraints and variations, in each format's order (spec 2.4 steps 6-7)."""
        self.constraints = versions.from_sources(self.i, self.env, self.meta, self.dialect)
        self.env.update(self.constraints.env_items(self.dialect))
        requested = self.query.variation_request
        if self.dialect.name == "mlc" and self.constraints.version:
            for cand in (f"version.{self.constraints.version}",):
                if var_mod.lookup(self.recipe.variations, cand) and cand not in requested:
                    requested = requested + [cand]
        self.expansion = var_mod.expand(
            self.recipe.variations, requested, default_variation=str(self.meta.get("default_variation") or ""),
            extra_defaults=self.meta.get("default_variations") if self.dialect.name == "mlc" else None,
            mlc=self.dialect.name == "mlc",
            valid_combinations=self.meta.get("valid_variation_combinations") or (),
            invalid_combinations=self.meta.get("invalid_variation_combinations") or ())
        if self.dialect.versions_before_variations:
            metaapply.apply_version_meta(self, self.constraints.version)
            metaapply.apply_variations(self)
        else:
            metaapply.apply_variations(self)
            metaapply.apply_version_meta(self, self.constraints.version)
        self.version = self.constraints.version
        self.node.variations = list(self.expansion.selected)
        self.node.versions = self.constraints.as_dict()

    def sync_dep_lists(self) -> None:
        """``meta['deps']`` (and the other three lists) ARE the lists that run: a hook that edits
        ``i['meta'][kind]`` in place, passes it to ``automation.update_deps`` or puts a new list
        there changes the dependency that is called (CM runs its meta's lists). Called at the start
        and after every hook."""
        for kind in deps.DEP_LISTS:
            current = self.meta.get(kind)
            if current is not None and current is self.dep_lists.get(kind):
                continue
            items = [d for d in current if isinstance(d, dict)] if isinstance(current, list) else []
            if isinstance(current, list) and len(items) == len(current):
                self.dep_lists[kind] = current
            else:
                self.dep_lists[kind] = items
                self.meta[kind] = items

    def patch_deps(self) -> None:
        """Recursive adr (silently), meta/variation ``ad`` and input ``ad`` (strictly) by name."""
        deps.apply_patches(self.dep_lists, self.adr, strict=False)
        deps.apply_patches(self.dep_lists, self.ad_meta, strict=False)
        deps.apply_patches(self.dep_lists, self.ad_input, strict=True)

    def set_script_path_env(self) -> None:
        k = self.dialect.key
        self.env[k("TMP_CURRENT_SCRIPT_PATH")] = self.recipe.path
        if self.recipe.repo_path:
            self.env[k("TMP_CURRENT_SCRIPT_REPO_PATH")] = self.recipe.repo_path
            self.env[k("TMP_CURRENT_SCRIPT_REPO_PATH_WITH_PREFIX")] = self.recipe.repo_path
        self.node.alias, self.node.uid, self.node.path = self.recipe.alias, self.recipe.uid, self.recipe.path
        self.node.tag_prefix = self.dialect.script_tag_prefix

    def apply_default_version(self) -> None:
        """No version requested: clamp ``default_version`` and apply its ``versions`` meta."""
        if self.version or not self.default_version:
            return
        self.version = versions.clamp_default(self.default_version, self.constraints)
        self.env[self.dialect.key("VERSION")] = self.version
        metaapply.apply_version_meta(self, self.version)
        self.patch_deps()

    def run_uncached(self) -> None:
        from colmind.engine import body

        self.apply_default_version()
        workdir = os.getcwd()
        outdir = self.i.get("outdirname")
        if outdir and self.depth == 0:
            workdir = os.path.abspath(str(outdir))
            if not self.ctx.dry_run:
                os.makedirs(workdir, exist_ok=True)
        body.run_body(self, workdir, cached=False)
        if not self.skipped:
            self.finalize()

    def finalize(self, cached_new_env: dict[str, Any] | None = None,
                 cached_new_state: dict[str, Any] | None = None) -> None:
        """new_env/new_state by key lists; the caller's env/state refilled (spec 2.4 step 15)."""
        self.env.update(self.const)
        envvars.merge_dicts(self.state, self.const_state)
        patterns = self.new_env_keys + [str(x) for x in self.i.get("force_new_env_keys") or []]
        new_env = cached_new_env if cached_new_env is not None else envvars.select_keys(self.env, patterns, self.env)
        new_state = cached_new_state if cached_new_state is not None else envvars.select_keys(
            self.state, self.new_state_keys, self.env)
        new_env, new_state = datacopy.deepcopy(new_env), datacopy.deepcopy(new_state)
        self.env.clear()
        self.env.update(datacopy.deepcopy(self.saved_env))
        envvars.merge_dicts(self.env, new_env, append_lists=True)
        self.state.clear()
        self.state.update(datacopy.deepcopy(self.saved_state))
        envvars.merge_dicts(self.state, new_state, append_lists=True)
        self.node.new_env = new_env
        self.node.version = self.version
        self.result = {"return": 0, "env": self.env, "new_env": new_env, "state": self.state,
                       "new_state": new_state, "deps": list(self.deps_called)}
        if self.version:
            self.result["version"] = self.version
        self._print_env_at_the_end(new_env)

    def _print_env_at_the_end(self, new_env: dict[str, Any]) -> None:
        """``print_env_at_the_end`` lines on the engine log (stderr), sorted by key, ``None`` for a
        key the recipe did not set (as CM and MLC log them)."""
        wanted = self.meta.get("print_env_at_the_end")
        if not isinstance(wanted, dict) or self.i.get("silent") or self.i.get("s"):
            return
        for key in sorted(wanted, key=str):
            label = wanted[key] or f"ENV[{key}]"
            self.ctx.console.info(self.depth, f"{label}: {new_env.get(key)}")


def _rsi(run: ScriptRun) -> dict[str, Any]:
    from colmind.engine.hookinput import run_script_input

    return run_script_input(run)


def load_customize(run: ScriptRun) -> Any:
    """The recipe's customize module (``None`` if it has none)."""
    return hooks.load(run.recipe.path)


def native_script_path(run: ScriptRun) -> str:
    """Which native script to run (``run_script_input['script_name']`` > meta > ``run``)."""
    name = str(run.rsi.get("script_name") or run.script_name or "run")
    windows = hostinfo.is_windows()
    path = shell.choose(run.recipe.path, name, run.env, run.dialect, windows)
    if not path and (run.rsi.get("script_name") or run.script_name) and name != "run":
        from colmind.errors import NotFound

        raise NotFound(f"native script {name} not found in {run.recipe.path} (script_name of {run.recipe.alias})")
    return path
