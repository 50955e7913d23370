"""mlcflow's Python API ``mlc.access(i)`` on colmind (spec mlc-cli §5, docs/mlc.md).

``i`` holds ``action`` and ``target`` (or ``automation``, also ``"script,<uid>"``) plus the
run_args the command line would build (``tags`` as a comma string or a list, ``details``, ``uid``,
``alias``, ``item``, ``repo``, ``src``/``dest``, ``f``, ``all``, engine inputs...). Returns mlcflow's
dicts: ``{'return': 0, 'list': [item]}`` for find/search (items have ``.path``, ``.meta``,
``.repo``), the engine's dict for ``run``. Unlike mlcflow: a missing target is an error dict, a
failed script is returned (``{'return': N, 'error': ...}``) instead of raised, and ``i`` is not
mutated.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_TARGETS = ("repo", "repos", "script", "cache", "experiment")


def access(i: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(i, dict):
        return {"return": 1, "error": f"mlc.access() expects a dict, not {type(i).__name__}"}
    action = str(i.get("action") or "").replace("-", "_")
    target = str(i.get("target") or i.get("automation") or "").split(",")[0].strip()
    if not action:
        return {"return": 1, "error": "'action' is missing in the input of mlc.access()"}
    if not target:
        return {"return": 1, "error": f"'target' is missing in the input of mlc.access() (action {action}): "
                                      "give 'target': 'script' (or 'cache', 'repo', 'experiment')"}
    if target not in _TARGETS:
        return {"return": 1, "error": f"'{action}' action is not supported for {target}."}
    target = "repo" if target == "repos" else target
    run_args = {k: v for k, v in i.items() if k not in ("action", "target", "automation")}
    if target == "repo" and "repo" not in run_args and run_args.get("details"):
        run_args["repo"] = run_args["details"]
    return _dispatch(action, target, run_args)


def _dispatch(action: str, target: str, run_args: dict[str, Any]) -> dict[str, Any]:
    """mlcflow's actions run as ``mlc`` runs them; any other action (``update``, ``load``...) is
    colmind's action of that automation."""
    from colmind.mlc.dispatch import dispatch, handler_for
    from colmind.mlc.items import MlcError

    try:
        handler_for(action, target)
    except MlcError:
        from colmind.api import access as cm_access

        return cm_access({**run_args, "action": action, "automation": target})
    return dispatch(action, target, run_args)
