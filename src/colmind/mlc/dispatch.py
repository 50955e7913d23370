"""``(action, target)`` -> the handler that runs it on colmind (one table, spec mlc-cli §3)."""

from __future__ import annotations

from colmind.mlc import items, repos
from colmind.mlc.items import MlcError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Handler = Callable[[dict[str, Any]], dict[str, Any]]

# the engine actions of scripts colmind runs (``mlcd`` = ``cm docker script``)
ENGINE_ACTIONS = {"run": "run", "docker": "docker", "docker_run": "docker", "doc": "doc"}
# ``mlca`` = ``cm docker script --docker_tool=apptainer`` (the container planner writes an apptainer
# definition and runs it with apptainer)
APPTAINER_ACTIONS = ("apptainer", "apptainer_run")
# script-only actions colmind does not provide: a clear error instead of a traceback
NOT_PROVIDED = ("remote_run", "remote_experiment", "remote_docker",
                "remote_slurm", "remote_slurm_experiment", "slurm_run", "slurm_docker", "slurm_apptainer",
                "slurm_experiment", "lint")


def _items(func: Callable[[dict[str, Any], str], dict[str, Any]], target: str) -> Handler:
    return lambda run_args: func(run_args, target)


def _experiment(run_args: dict[str, Any]) -> dict[str, Any]:
    from colmind.mlc.explore import experiment_script

    return experiment_script(run_args)


def _test(run_args: dict[str, Any]) -> dict[str, Any]:
    from colmind.mlc.scripttest import test_script

    return test_script(run_args)


def _copy(target: str, action: str) -> Handler:
    return lambda run_args: items.copy_item(run_args, target, action)


def _unsupported_copy(target: str) -> Handler:
    def handler(run_args: dict[str, Any]) -> dict[str, Any]:
        raise MlcError(f"The {target} target is not currently supported for mv/cp actions")
    return handler


def _no_add(target: str) -> Handler:
    def handler(run_args: dict[str, Any]) -> dict[str, Any]:
        raise MlcError(f"{target} entries are created by running scripts ('mlcr ...'), not by 'mlc add {target}'")
    return handler


HANDLERS: dict[tuple[str, str], Handler] = {
    ("repo", "find"): repos.find, ("repo", "search"): repos.search, ("repo", "list"): repos.list_repos,
    ("repo", "show"): repos.list_repos, ("repo", "pull"): repos.pull, ("repo", "add"): repos.add,
    ("repo", "rm"): repos.rm, ("repo", "cp"): _unsupported_copy("repo"), ("repo", "mv"): _unsupported_copy("repo"),
    ("script", "add"): items.add_script, ("script", "rm"): items.rm_script,
    ("script", "cp"): _copy("script", "cp"), ("script", "mv"): _copy("script", "mv"),
    ("script", "help"): items.help_script, ("script", "experiment"): _experiment, ("script", "test"): _test,
    ("cache", "rm"): items.rm_cache, ("cache", "prune"): items.prune_cache, ("cache", "mark_tmp"): items.mark_tmp,
    ("cache", "add"): _no_add("cache"), ("experiment", "add"): _no_add("experiment"),
    ("cache", "cp"): _unsupported_copy("cache"), ("cache", "mv"): _unsupported_copy("cache"),
}
for _target in ("script", "cache", "experiment"):
    HANDLERS[(_target, "find")] = _items(items.find_action, _target)
    HANDLERS[(_target, "search")] = _items(items.find_action, _target)
    HANDLERS[(_target, "show")] = _items(items.show, _target)
    HANDLERS[(_target, "list")] = _items(items.list_items, _target)
HANDLERS[("experiment", "rm")] = lambda run_args: items.checked(
    {"action": "delete", "automation": "experiment", **items.selector(run_args, "experiment"),
     "force": bool(run_args.get("f"))}, out="con")


def handler_for(action: str, target: str) -> Handler:
    """The handler of ``mlc <action> <target>`` (``action`` with ``_`` for ``-``)."""
    if action == "reindex":
        return repos.reindex
    if target == "script" and action in ENGINE_ACTIONS:
        engine_action = ENGINE_ACTIONS[action]
        return lambda run_args: items.run_script(run_args, engine_action)
    if target == "script" and action in APPTAINER_ACTIONS:
        return lambda run_args: items.run_script({**run_args, "docker_tool": "apptainer"}, "docker")
    if target == "script" and action in NOT_PROVIDED:
        raise MlcError(f"'mlc {action.replace('_', '-')} script' is not provided by colmind's mlc front-end "
                       "(see docs/mlc.md)")
    handler = HANDLERS.get((target, action))
    if handler is None:
        raise MlcError(f"Error: '{action.replace('_', '-')}' is not supported for {target}.")
    return handler


def use_mlc_store() -> None:
    """Read mlcflow's registry from now on: this thread's core, if made without it, is replaced,
    unless a request is running on it (``mlc.access`` called from a recipe)."""
    from colmind.config import mlc_registry_dir, use_mlc_registry
    from colmind.core import get_core, reset_core

    core = get_core()
    if core.depth > 0:
        return
    use_mlc_registry(True)
    if core.settings.mlc_repos != mlc_registry_dir():
        reset_core()


def dispatch(action: str, target: str, run_args: dict[str, Any]) -> dict[str, Any]:
    """Run one command; ``MlcError`` becomes ``{'return': 1, 'error': ...}``."""
    use_mlc_store()
    try:
        return handler_for(action.replace("-", "_"), target)(run_args)
    except MlcError as exc:
        return {"return": 1, "error": str(exc)}
