"""The ``script``, ``cache`` and ``experiment`` targets of ``mlc`` on colmind's automations.

Selection follows mlcflow (spec mlc-cli §3.1): ``alias,UID`` or a UID picks one item, ``a,b``
means tags, one word is an alias. Where mlcflow misbehaves we do not: one word is a *tag* for
caches (they have no alias), ``rm cache a,b`` removes by tags, ``prune --tags`` filters, ``repo:alias``
works, a failed script is a returned error (no exception), and a prompt at end of input says "no".
"""

from __future__ import annotations

from colmind.mlc import log, output
from colmind.mlc.grammar import is_uid

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

AUTOMATION = {"script": "script", "cache": "cache", "experiment": "experiment"}
# run_args keys that belong to the front-end, never passed to the engine
FRONT_END_KEYS = ("details", "mlc_run_cmd", "target_name", "path_only", "target", "src", "dest",
                  "mlc_output", "item", "item_repo")


class MlcError(Exception):
    """An error mlcflow reports as ``ERROR:root:<message>`` (exit status 1)."""


def call(i: dict[str, Any], out: str | None = None) -> dict[str, Any]:
    from colmind.api import access

    return access(i, out=out)


def checked(i: dict[str, Any], out: str | None = None) -> dict[str, Any]:
    result = call(i, out)
    if result.get("return", 0) > 0:
        raise MlcError(str(result.get("error", "")))
    return result


def tags_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return "" if value in (None, True, False) else str(value)


def selector(run_args: dict[str, Any], target: str) -> dict[str, Any]:
    """run_args -> colmind's ``artifact``/``tags`` (empty when nothing selects)."""
    if run_args.get("uid") or run_args.get("alias"):
        uid, alias = str(run_args.get("uid") or ""), str(run_args.get("alias") or "")
        return {"artifact": f"{alias},{uid}" if alias and uid else (alias or uid)}
    if run_args.get("item") or run_args.get("artifact"):
        return {"artifact": str(run_args.get("item") or run_args.get("artifact"))}
    details = str(run_args.get("details") or "")
    parts = details.split(",")
    if details and (is_uid(details) or (len(parts) == 2 and is_uid(parts[1]))):
        return {"artifact": details}
    if details and len(parts) == 1 and target != "cache":
        return {"artifact": details}  # one word: an alias (caches have none: a tag, below)
    tags = tags_text(run_args.get("tags")) or details
    if target == "script":  # variation tags do not select a script
        tags = ",".join(t for t in tags.split(",") if t.strip() and not t.strip().startswith("_"))
    return {"tags": tags} if tags else {}


def find(run_args: dict[str, Any], target: str) -> list[Any]:
    sel = selector(run_args, target)
    if not sel:
        raise MlcError("Tags are not specified for completing the requested action")
    return _find(target, sel)


def _find(target: str, sel: dict[str, Any]) -> list[Any]:
    result = call({"action": "find", "automation": AUTOMATION[target], **sel})
    if result.get("return", 0) > 0:
        if target == "experiment" and result.get("return") == 4:
            return []  # no experiment automation installed: no experiments
        if result.get("return") == 16:
            return []
        raise MlcError(str(result.get("error", "")))
    found = list(result.get("list") or [])
    if target == "cache":  # as mlcflow, an expired entry is not listed (prune removes it)
        from colmind.engine.expiration import expired

        found = [item for item in found if not expired(item.meta.get("cache_expiration"))]
    return found


def find_action(run_args: dict[str, Any], target: str) -> dict[str, Any]:
    return {"return": 0, "list": find(run_args, target)}


def show(run_args: dict[str, Any], target: str) -> dict[str, Any]:
    found = find(run_args, target)
    log.info(f"Showing {target} with tags: {run_args.get('tags')}")
    text = {"script": output.script_show, "cache": output.cache_show,
            "experiment": output.experiment_show}[target](found)
    if text:
        print(text)
    return {"return": 0, "list": found}


def list_items(run_args: dict[str, Any], target: str) -> dict[str, Any]:
    found = _find(target, selector(run_args, target))
    if target == "script":
        log.info("Listing all the scripts and their paths present in repos which are registered in MLC")
        print(output.script_list(found))
    elif target == "cache":
        log.info("Listing all the caches and their paths")
        print(output.cache_list(found))
    elif not found:
        log.info("No experiments found.")
    else:
        log.info(f"Found {len(found)} experiment(s):")
        print(output.experiment_list(found))
    return {"return": 0, "list": found}


# -- script ----------------------------------------------------------------------------------------
def engine_input(run_args: dict[str, Any], action: str) -> dict[str, Any]:
    """run_args -> the engine's input: the tags (variations included) or a UID, and every other
    flag unchanged."""
    i = {k: v for k, v in run_args.items() if k not in FRONT_END_KEYS and k not in ("p", "tags")}
    i.update({"action": action, "automation": "script"})
    details = str(run_args.get("details") or "")
    parts = details.split(",")
    if details and (is_uid(details) or (len(parts) == 2 and is_uid(parts[1]))):
        i["artifact"] = details
    tags = tags_text(run_args.get("tags"))
    if tags:
        i["tags"] = tags
    return i


def run_script(run_args: dict[str, Any], action: str = "run") -> dict[str, Any]:
    if str(run_args.get("mlc_isolate", "")).lower() in ("yes", "true", "1", "on"):
        raise MlcError("--mlc_isolate is not provided by colmind's mlc front-end: run in a fresh "
                       "CM_REPOS=<folder> instead (see docs/mlc.md)")
    i = engine_input(run_args, action)
    if not i.get("tags") and not i.get("artifact"):
        raise MlcError("No script was selected: give its tags, e.g. 'mlcr detect,os' or "
                       "'mlc run script --tags=detect,os'")
    result = call(i, out="con")
    if result.get("return", 0) == 0 and str(run_args.get("mlc_output", "")).lower() in ("on", "true", "yes", "1"):
        _write_output_files(result)
    return result


def _write_output_files(result: dict[str, Any]) -> None:
    """``--mlc_output=yes``: ``./tmp-state.json`` (new_state) and ``./tmp-run-env.out``."""
    import json

    from colmind.store import atomic

    atomic.write_text("tmp-state.json", json.dumps(result.get("new_state") or {}, indent=2) + "\n")
    env = result.get("new_env") or {}
    atomic.write_text("tmp-run-env.out", "".join(f'{k}="{v}"\n' for k, v in env.items()))


def help_script(run_args: dict[str, Any]) -> dict[str, Any]:
    return run_script({**run_args, "help": True})


def add_script(run_args: dict[str, Any]) -> dict[str, Any]:
    name = str(run_args.get("details") or "")
    if not name:
        raise MlcError("The script name to be added is not specified: mlc add script [repo:]NAME --tags=a,b")
    i = {"action": "add", "automation": "script", "artifact": name}
    if run_args.get("tags") and run_args.get("tags") != name:
        i["tags"] = tags_text(run_args["tags"])
    if run_args.get("template_tags"):
        i["template_tags"] = tags_text(run_args["template_tags"])
    result = checked(i)
    return {"return": 0, "message": f"Item successfully added at {result.get('path', '')}",
            "path": result.get("path", ""), "list": result.get("list", [])}


def copy_item(run_args: dict[str, Any], target: str, action: str) -> dict[str, Any]:
    if target != "script":
        raise MlcError(f"The {target} target is not currently supported for mv/cp actions")
    src, dest = str(run_args.get("src") or ""), str(run_args.get("dest") or "")
    if not src or not dest:
        raise MlcError(f"mlc {action} script needs a source and a destination: mlc {action} script SRC [repo:]DEST")
    result = checked({"action": "copy" if action == "cp" else "move", "automation": "script",
                      "artifact": src, "artifacts": [dest]})
    return {"return": 0, **{k: v for k, v in result.items() if k != "return"}}


def rm_script(run_args: dict[str, Any]) -> dict[str, Any]:
    sel = selector(run_args, "script")
    if not sel:
        raise MlcError("Item not given for rm action")
    i = {"action": "delete", "automation": "script", **sel, "force": bool(run_args.get("f"))}
    return checked(i, out="con")


# -- cache -----------------------------------------------------------------------------------------
def rm_cache(run_args: dict[str, Any]) -> dict[str, Any]:
    sel = selector(run_args, "cache")
    found = _find("cache", sel)
    if not found:
        message = f"No cache found for {sel}" if sel else "cache is empty! nothing to be cleared!"
        log.warn(message)
        return {"return": 0, "warnings": [{"code": 1006, "description": message}]}
    if not run_args.get("f"):
        found = _confirmed(found, bool(run_args.get("all")))
    for item in found:
        checked({"action": "delete", "automation": "cache", "artifact": item.uid or item.path, "force": True})
        log.info(f"cache item: {item.path} has been successfully removed")
    return {"return": 0, "message": f"{len(found)} cache item(s) removed", "list": found}


def _confirmed(found: list[Any], quiet_list: bool) -> list[Any]:
    if len(found) > 1:
        if not quiet_list:
            for n, item in enumerate(found, 1):
                print(f"{n}. Path: {item.path}, Meta: {output.cache_meta_view(item.meta)}")
        return found if _ask("Would you like to proceed with all items? (yes/no): ") else []
    return [item for item in found if _ask(f"Confirm to delete cache item: {item.path}? (yes/no): ")]


def _ask(prompt: str) -> bool:
    try:
        answer = input(prompt)
    except EOFError:  # mlcflow crashes here; no terminal means no
        print()
        log.warn("no answer (end of input): nothing removed; add -f to remove without asking")
        return False
    return answer.strip().lower() in ("yes", "y")


def prune_cache(run_args: dict[str, Any]) -> dict[str, Any]:
    i: dict[str, Any] = {"action": "prune", "automation": "cache"}
    tags = tags_text(run_args.get("tags"))
    if tags:
        i["tags"] = tags  # honoured (mlcflow ignores it)
    removed = checked(i).get("removed") or []
    for entry in removed:
        log.info(f"  {entry.get('path', '')} ({entry.get('reason', '')})")
    log.info(f"Pruned {len(removed)} expired cache entries." if removed else "No expired cache entries found.")
    return {"return": 0, "pruned": len(removed)} if removed else {"return": 0}


def mark_tmp(run_args: dict[str, Any]) -> dict[str, Any]:
    """``mlc mark-tmp cache --tags=...``: add the tag ``tmp`` to the matching entries."""
    sel = selector(run_args, "cache")
    if not sel:
        raise MlcError("Tags are not specified for completing the requested action")
    found = [item for item in _find("cache", sel) if "tmp" not in (item.meta.get("tags") or [])]
    if not found:
        message = f"No cache entry to mark as tmp for {sel}"
        log.warn(message)
        return {"return": 0, "warnings": [{"code": 1006, "description": message}]}
    for item in found:
        checked({"action": "update", "automation": "cache", "artifact": item.uid, "tags": "tmp", "force": True})
    message = f"Marked {len(found)} cache item(s) as tmp"
    log.info(message)
    return {"return": 0, "message": message, "list": found}
