"""``cm run script``: the top-level call (context, console, dry-run output, record, ``-j``,
``--print_deps``, ``--time``) around :func:`colmind.engine.execute.call_recipe`.
"""

from __future__ import annotations

import os
import sys
import time

from colmind.engine import context as ctx_mod
from colmind.engine import datacopy, record, resolve
from colmind.engine.execute import call_recipe
from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def _flag(i: dict[str, Any], *names: str) -> bool:
    return any(i.get(n) not in (None, False, "", "no", "false", "False") for n in names)


def new_context(core: Any, automation: Any, i: dict[str, Any]) -> ctx_mod.RunContext:
    quiet = _flag(i, "quiet") or os.environ.get("CM_QUIET", "").lower() in ("yes", "true", "1") \
        or not resolve._stdin_is_tty()
    console = ctx_mod.Console(enabled=i.get("out") == "con" or _flag(i, "v", "verbose"),
                              verbose=_flag(i, "v", "verbose"), silent=_flag(i, "s", "silent"))
    ctx = ctx_mod.RunContext(core=core, automation=automation, console=console, quiet=quiet,
                             dry_run=_flag(i, "dry_run", "dry-run"))
    ctx.chooser = resolve.make_chooser(quiet, lambda s: console.debug(0, s))
    return ctx


def run(core: Any, automation: Any, i: dict[str, Any]) -> dict[str, Any]:
    """Run a recipe; nested when a run is already in progress in this process."""
    parent = ctx_mod.current()
    if parent is not None or i.get("recursion"):
        ctx = parent or new_context(core, automation, i)
        node = call_recipe(ctx, i, len(ctx.chain), "access")
        return node_result(node, i)
    return _top(core, automation, i)


def node_result(node: Any, i: dict[str, Any]) -> dict[str, Any]:
    return dict(node.result or {"return": 0})


def _top(core: Any, automation: Any, i: dict[str, Any]) -> dict[str, Any]:
    ctx = new_context(core, automation, i)
    env_in = datacopy.deepcopy(i.get("env") or {})
    workdir = os.path.abspath(str(i["outdirname"])) if i.get("outdirname") else os.getcwd()
    _check_writable(workdir, ctx.dry_run)
    repro = _repro_start(i, workdir, ctx.dry_run)
    ctx.activate()
    result: dict[str, Any] = {"return": 0}
    try:
        node = call_recipe(ctx, i, 0, "top")
        result = node_result(node, i)
        return _after(ctx, i, result)
    except CMError as e:
        result = e.to_dict()
        raise
    finally:
        ctx.deactivate()
        if not ctx.dry_run or i.get("record"):
            _write_record(ctx, i, env_in, workdir, result)
        if repro is not None:
            from colmind.engine import repro as repro_mod

            repro_mod.finish(repro, result, ctx.version_info, workdir)


def _repro_start(i: dict[str, Any], workdir: str, dry: bool) -> dict[str, Any] | None:
    """``--repro``: CM's cm-output.json / cm-repro/ files for experiments (engine/repro.py)."""
    if dry or not _flag(i, "repro"):
        return None
    from colmind.engine import repro as repro_mod

    return repro_mod.start(i, workdir)


def _after(ctx: ctx_mod.RunContext, i: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    root = ctx.root
    if ctx.dry_run and root is not None:
        from colmind.engine import dryrun

        sys.stdout.write(dryrun.render(root))
        result["plan"] = root.to_dict()
    if _flag(i, "print_deps") and root is not None:
        for tags in root_result_deps(result):
            sys.stderr.write(f"cm run script --tags={tags}\n")
        result.setdefault("new_state", {})["print_deps"] = list(root_result_deps(result))
    if _flag(i, "print_versions"):
        sys.stderr.write(versions_text(ctx.version_info))
    if _flag(i, "dump_version_info") and not ctx.dry_run:
        _dump_versions(ctx.version_info)
    if _flag(i, "time"):
        print(f"Running time of the script: {time.time() - ctx.started:.3f} sec.")
    if _flag(i, "j", "json") and not result.get("skipped"):  # CM/MLC print nothing for a skipped run
        from colmind.engine.jsondump import dumps

        sys.stderr.write(dumps(result, indent=2, default=str) + "\n")
    return result


def versions_text(version_info: list[dict[str, Any]]) -> str:
    """``--print_versions``: every recipe of the run that resolved a version, in completion order."""
    lines = ["=========================", "Versions of dependencies:"]
    for item in version_info:
        for key, info in item.items():
            if info.get("version"):
                lines.append(f"* {key}: {info['version']}")
    lines.append("=========================")
    return "\n".join(lines) + "\n"


def _dump_versions(version_info: list[dict[str, Any]]) -> None:
    """``--dump_version_info``: the list as JSON in the working dir (CM's two file names)."""
    from colmind.store import atomic

    for name in ("cm-run-script-versions.json", "version_info.json"):
        atomic.write_json(os.path.join(os.getcwd(), name), version_info)


def root_result_deps(result: dict[str, Any]) -> list[str]:
    return [str(d) for d in result.get("deps") or []]


def _check_writable(path: str, dry: bool) -> None:
    if dry:
        return
    probe = path if os.path.isdir(path) else os.path.dirname(path) or "."
    if os.path.isdir(probe) and not os.access(probe, os.W_OK):
        raise CMError(f"current directory {probe} is not writable", hint="cd to a writable folder or use --outdirname")


def _write_record(ctx: ctx_mod.RunContext, i: dict[str, Any], env_in: dict[str, Any], workdir: str,
                  result: dict[str, Any]) -> None:
    try:
        path = record.record_path(i, workdir)
        record.write(path, record.request_of(i, env_in), ctx.root, ctx.started, result)
    except OSError as e:
        ctx.console.warn(f"could not write the run record: {e}")
