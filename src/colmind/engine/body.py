"""The body of a recipe call once the working directory is known: deps, preprocess, prehook
deps, the native script, posthook deps, postprocess and post deps (spec 2.4 steps 11-14).

``--fake_run`` runs deps and prehook deps only; ``--dry-run`` walks every dep list without
calling any hook or native script.
"""

from __future__ import annotations

import os

from colmind.engine import depsrun, envvars, hooks, hostinfo, shell
from colmind.engine.failures import native_failure, rerun_command
from colmind.engine.hookinput import customize_path, hook_input

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.engine.execute import ScriptRun


def run_body(run: ScriptRun, workdir: str, *, cached: bool) -> None:
    """Execute the recipe in ``workdir`` (the caller's cwd is restored afterwards)."""
    previous = os.getcwd()
    if not run.ctx.dry_run:
        os.chdir(workdir)
    try:
        _steps(run, cached)
    finally:
        if not run.ctx.dry_run:
            os.chdir(previous)


def _steps(run: ScriptRun, cached: bool) -> None:
    module = None if run.ctx.dry_run else hooks.load(run.recipe.path)
    k = run.dialect.key
    if module is not None and run.dialect.name == "mlc" and run.meta.get("predeps", True) is not False \
            and hooks.has_hook(module, "predeps") and not run.fake_run:
        _hook(run, module, "predeps")
    depsrun.run_list(run, "deps")
    run.env.update(run.const)
    run.env[k("TMP_PIP_VERSION_STRING")] = envvars.pip_version_string(
        str(run.env.get(k("VERSION"), "")), str(run.env.get(k("VERSION_MIN"), "")),
        str(run.env.get(k("VERSION_MAX"), "")))
    for w in run.warnings:
        run.ctx.console.info(run.depth + 3, f"WARNING: {w}")
    if not run.fake_run and module is not None and hooks.has_hook(module, "preprocess"):
        r = _hook(run, module, "preprocess")
        if _handle_return(run, r):
            run.skipped = True
            run.node.status = "skipped"
            run.result = {"return": 0, "skipped": True}
            return
    depsrun.run_list(run, "prehook_deps")
    if run.fake_run:
        run.node.status = "fake"
        return
    if run.ctx.dry_run:
        _dry_rest(run)
        return
    # the native script, posthook/post deps, postprocess and the clean-up run in the directory
    # preprocess left (CM: a recipe that chdirs there, such as extract-file, runs its script there)
    _native(run, os.getcwd())
    depsrun.run_list(run, "posthook_deps")
    run.env.update(run.const)
    if module is not None and hooks.has_hook(module, "postprocess"):
        run.ctx.console.info(run.depth + 3, f'! call "postprocess" from {customize_path(run)}')
        _handle_return(run, _hook(run, module, "postprocess"))
    depsrun.run_list(run, "post_deps")
    if not cached and not run.i.get("dirty") and not run.i.get("shell"):
        shell.clean(os.getcwd(), [str(f) for f in run.meta.get("clean_files") or []])
    if (run.i.get("save_env") or run.i.get("shell")) and run.depth == 0:
        path = _save_env(run)
        if run.i.get("shell"):
            _open_shell(run, path, os.getcwd())
    run.node.status = "ran"


def _dry_rest(run: ScriptRun) -> None:
    native = _choose_native(run)
    run.node.status = "dry"
    run.node.cache_note = (run.node.cache_note + "; " if run.node.cache_note else "") + (
        f"would run {native}" if native else "no native script")
    depsrun.run_list(run, "posthook_deps")
    depsrun.run_list(run, "post_deps")


def _choose_native(run: ScriptRun) -> str:
    from colmind.engine.execute import native_script_path

    return native_script_path(run)


def _hook(run: ScriptRun, module: Any, name: str) -> dict[str, Any]:
    run.ctx.console.debug(run.depth + 1, f"running {name}")
    try:
        return hooks.call(module, name, hook_input(run, name), run.recipe.path)
    finally:
        run.sync_dep_lists()  # the hook's meta edits (update_deps, new lists) reach what runs


def _handle_return(run: ScriptRun, r: dict[str, Any]) -> bool:
    """Consume ``version`` / ``add_extra_cache_tags`` / ``skip``; True when the run is skipped."""
    if r.get("version"):
        run.version = str(r["version"])
        run.version_from_hook = True
    for tag in r.get("add_extra_cache_tags") or []:
        run.hook_cache_tags.append(str(tag))
    if r.get("skip"):
        script = r.get("script")
        if isinstance(script, dict) and script.get("tags"):
            from colmind.engine.execute import call_recipe

            sub = dict(script)
            sub.update({"env": run.env, "state": run.state, "add_deps_recursive": run.adr, "recursion": True})
            run.node.children.append(call_recipe(run.ctx, sub, run.depth + 1, "deps"))
        return True
    return False


def _native(run: ScriptRun, workdir: str) -> None:
    from colmind.engine.execute import native_script_path

    native = native_script_path(run)
    if not native:
        return
    k = run.dialect.key
    run.env.update(run.const)
    run.env[k("TMP_CURRENT_SCRIPT_PATH")] = run.recipe.path
    run.env[k("TMP_CURRENT_SCRIPT_WORK_PATH")] = workdir
    _env_key_mappings(run)
    envvars.resolve_in_place(run.env)
    from colmind.store import atomic

    atomic.write_json(os.path.join(workdir, "tmp-state.json"), run.state)
    shell.remove_outputs(workdir)
    run.ctx.console.info(run.depth + 3, f"! cd {workdir}")
    run.ctx.console.info(run.depth + 3, f"! call {native} from tmp-run.sh")
    if run.i.get("print_env"):
        for key in sorted(run.env):
            print(f"{key}={run.env[key]}")
    prefix = [str(x) for x in run.state.get("script_prefix") or []]
    result = shell.run(workdir, run.env, native, windows=hostinfo.is_windows(), prefix_lines=prefix)
    if not result.ok and not run.i.get("ignore_script_error"):
        raise _failure(run, native, result)
    new_env, new_state = shell.read_back(workdir)
    run.env.update(new_env)
    envvars.merge_dicts(run.state, new_state, append_lists=True)


def _env_key_mappings(run: ScriptRun) -> None:
    for old, new in (run.meta.get("env_key_mappings") or {}).items():
        for key in [x for x in run.env if x.startswith(str(old))]:
            run.env[str(new) + key[len(str(old)):]] = run.env[key]


def _failure(run: ScriptRun, native: str, result: shell.NativeResult) -> Exception:
    tags = ",".join(list(run.recipe.tags[:0]) + list(run.query.tags) +
                    ["_" + v for v in (run.expansion.selected if run.expansion else [])])
    rerun = rerun_command(run.dialect.cli_name, tags, run.constraints.as_dict(), ["--quiet"])
    files = [os.path.join(os.getcwd(), str(f)) for f in run.meta.get("print_files_if_script_error") or []]
    return native_failure(run.recipe.alias, list(run.ctx.chain), native, result.returncode, result.tail,
                          result.log_path, rerun, files)


def _save_env(run: ScriptRun) -> str:
    """``--save_env``/``--shell``: ``tmp-env.sh`` (script_prefix lines + the recipe's new_env) in cwd."""
    from colmind.store import atomic

    windows = hostinfo.is_windows()
    path = os.path.join(os.getcwd(), "tmp-env" + (".bat" if windows else ".sh"))
    prefix = [str(x) for x in run.state.get("script_prefix") or []]
    text = shell.env_sh_text(envvars.select_keys(run.env, run.new_env_keys, run.env), windows)
    atomic.write_text(path, "\n".join(prefix + [text]) if prefix else text)
    return path


def _open_shell(run: ScriptRun, env_file: str, workdir: str) -> None:
    """``--shell``: an interactive shell with the recipe's env, in the working dir (CM/MLC).
    Without a terminal on stdin there is nobody to type: say how to get that shell instead."""
    import subprocess
    import sys

    from colmind.engine.resolve import _stdin_is_tty

    windows = hostinfo.is_windows()
    if not _stdin_is_tty():
        how = f'call "{env_file}"' if windows else f'. "{env_file}"'
        sys.stderr.write(f"--shell: stdin is not a terminal, not opening a shell; in {workdir} run: {how}\n")
        return
    run.ctx.console.info(run.depth + 3, f"Working path: {workdir}; running a debug shell, type exit to quit")
    cmd = ["cmd", "/k", env_file] if windows else ["bash", "--rcfile", env_file, "-i"]
    subprocess.call(cmd, cwd=workdir)  # noqa: S603 - the user asked for this shell
