"""``access()``: CM's dict-in/dict-out API, the one place where exceptions become return codes."""

from __future__ import annotations

import os

from colmind.errors import AmbiguousError, AutomationNotFound, AutomationNotInRepo, CMError, NotFound

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_state: dict[str, Any] = {"output": None}


def access(i: dict[str, Any] | str | list[str] | None, out: str | None = None) -> dict[str, Any]:
    """Run one CM action.

    Args:
        i: CM's input dict, a command string (``"find repo"``) or an argv list.
        out: ``'con'`` prints to the console, ``'json'`` makes the CLI print the result.
    Returns:
        ``{'return': 0, ...}`` on success, ``{'return': code, 'error': text}`` otherwise.
    """
    debug = _debug_requested(i)
    core = None
    try:
        i = _to_input(i)
        _check_types(i)
        quick = _pseudo_action(i, out)
        if quick is not None:
            return quick
        from colmind.core import get_core

        core = get_core()
        core.begin_request()
        core.depth += 1
        return _access(i, out, core)
    except CMError as exc:
        if debug:
            raise
        return exc.to_dict()
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except RecursionError:
        if debug:
            raise
        return {"return": 1, "error": "the input or a meta it reads is nested too deeply"}
    except Exception as exc:
        if debug:
            raise
        return {"return": 1, "error": f"internal error {type(exc).__name__}: {exc} "
                                      "(re-run with --debug to see the traceback, and please report it)"}
    finally:
        if core is not None:
            core.depth -= 1


def _debug_requested(i: Any) -> bool:
    if os.environ.get("CM_DEBUG", "").strip().lower() in ("yes", "on", "true", "1"):
        return True
    if isinstance(i, dict):
        return "cm-debug" in i or i.get("debug") is True
    if isinstance(i, list):
        return "cm-debug" in i or "--debug" in i
    return isinstance(i, str) and ("cm-debug" in i or "--debug" in i.split())


def _pseudo_action(i: dict[str, Any], out: str | None) -> dict[str, Any] | None:
    """``cm``, ``cm help``, ``cm version``: answered without loading repositories or the index."""
    if out is not None and "out" not in i:
        i["out"] = out
    if _state["output"] is None:
        _state["output"] = i.get("out")
    action = i.get("action") or ""
    automation = i.get("automation") or ""
    if (not action and not automation and i.get("version")) or (action == "version" and not automation):
        from colmind.version import __version__

        if i.get("out") == "con":
            print(__version__)
        return {"return": 0, "version": __version__}
    if not action or (action == "help" and not automation):
        return _print_cli_help(i, bool(i.get("h") or i.get("help")) or action == "help")
    return None


def _access(i: dict[str, Any], out: str | None, core: Any) -> dict[str, Any]:
    action = i.get("action") or ""
    automation = i.get("automation") or ""
    help_flag = bool(i.get("h") or i.get("help"))
    if automation == "." or i.get("artifact") == "." or str(i.get("artifact", "")).startswith(".:"):
        _resolve_dots(i)
        automation = i.get("automation") or ""
    if not automation:
        raise AutomationNotFound("automation was not specified")
    return _dispatch(i, str(action), str(automation), help_flag, core)


def _to_input(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if isinstance(raw, (str, list)):
        from colmind.cli.grammar import parse

        return parse(raw)
    if not isinstance(raw, dict):
        raise CMError(f"access() expects a dict, a command string or a list, not {type(raw).__name__}")
    return raw


def _check_types(i: dict[str, Any]) -> None:
    """Keys the core interprets must have the right type (an ``@file`` can hold anything)."""
    for key in ("action", "automation", "artifact"):
        value = i.get(key)
        if value is not None and not isinstance(value, str):
            raise CMError(f"input key '{key}' must be a string, not {type(value).__name__} ({value!r})")
    extra = i.get("artifacts")
    if extra is not None and not (isinstance(extra, list) and all(isinstance(a, str) for a in extra)):
        raise CMError(f"input key 'artifacts' must be a list of strings, not {extra!r}")


def _print_cli_help(i: dict[str, Any], full: bool) -> dict[str, Any]:
    from colmind.version import INFO_CLI

    if i.get("out") == "con":
        print(INFO_CLI)
        if full:
            from colmind.cli.helptext import common_help

            print(common_help())
    return {"return": 0, "warning": "no action specified"}


def _dispatch(i: dict[str, Any], action: str, automation: str, help_flag: bool, core: Any) -> dict[str, Any]:
    from colmind.automations import registry
    from colmind.store import ids

    refs = ids.parse_object(automation)
    i["parsed_automation"] = refs
    if i.get("common"):
        obj = _forced_common(automation, refs)
    elif ids.has_wildcards(refs[0][0]):
        obj = registry.common()
    else:
        obj = registry.instantiate(_find_automation(core, automation, refs))
        i["parsed_automation"] = [(obj.alias, obj.uid)] + refs[1:]
    method_name = _normalise_action(action, obj.meta, core)
    if action == "help":
        from colmind.cli.helptext import automation_help

        return automation_help(obj, i)
    _parse_artifacts(i)
    _check_min_version(obj.meta)
    if help_flag and method_name not in (obj.meta.get("actions_with_help") or []):
        from colmind.cli.helptext import action_help

        return action_help(obj, method_name, action, i)
    method = getattr(obj, method_name, None)
    if method_name.startswith("_") or not callable(method):
        raise AutomationNotFound(f'action "{action}" not found in automation "{ids.assemble(obj.alias, obj.uid)}"')
    result = method(i)
    if not isinstance(result, dict) or "return" not in result:
        raise CMError(f'action "{action}" of automation "{obj.alias}" returned no CM result dict')
    return result


def _forced_common(automation: str, refs: list[tuple[str, str]]) -> Any:
    """``--common``: the common actions on ``alias,UID`` without looking the automation up."""
    from colmind.automations import registry
    from colmind.store import ids

    alias, uid = refs[0]
    if not uid:
        raise CMError(f"you must add `,CM UID` for automation {automation} when using --common")
    if not ids.is_uid(uid):
        raise CMError(f"you must use CM UID after automation {automation} when using --common")
    obj = registry.common({"alias": alias, "uid": uid})
    obj.alias, obj.uid = alias, uid
    return obj


def _find_automation(core: Any, automation: str, refs: list[tuple[str, str]]) -> Any:
    from colmind.automations.registry import builtin_classes

    arts = core.find("automation", automation)
    if len({a.uid or a.path for a in arts}) > 1:
        builtin = [a for a in arts if a.uid in builtin_classes()]
        if len({a.uid for a in builtin}) == 1:
            return builtin[0]
        raise AmbiguousError(f"ambiguity because several automations were found for {refs[0]}")
    if arts:
        return _prefer_builtin(arts)
    if len(refs) > 1:
        raise AutomationNotInRepo(f"automation was not found in a specified repo {refs[1]}")
    raise AutomationNotFound(f'automation "{automation}" not found')


def _prefer_builtin(arts: list[Any]) -> Any:
    from colmind.store.repos import INTERNAL_UID

    for art in arts:
        if art.repo.uid == INTERNAL_UID:
            return art
    return arts[0]


def _normalise_action(action: str, meta: dict[str, Any], core: Any) -> str:
    name = action.replace("-", "_")
    subs = core.settings.action_substitutions
    if name in subs:
        return str(subs[name])
    local = meta.get("action_substitutions") or {}
    if name in local:
        return str(local[name])
    if meta.get("use_any_action"):
        return "any"
    return name


def _parse_artifacts(i: dict[str, Any]) -> None:
    from colmind.store import ids

    if i.get("artifacts"):
        i["parsed_artifacts"] = [ids.parse_object(str(a)) for a in i["artifacts"]]
    if i.get("artifact"):
        i["parsed_artifact"] = _parse_name(str(i["artifact"]).strip())


def _parse_name(text: str) -> list[tuple[str, str]]:
    """``parse_object``, except that a URL (``cm pull repo http://host:port/x.zip``) is kept whole."""
    from colmind.store import ids

    try:
        return ids.parse_object(text)
    except CMError:
        if "://" in text:
            return [(text, "")]
        raise


def _check_min_version(meta: dict[str, Any]) -> None:
    required = meta.get("min_cm_version")
    if not required:
        return
    from colmind.version import CM_COMPAT_VERSION

    def parts(v: str) -> list[int]:
        return [int(p) if p.isdigit() else 0 for p in str(v).split(".")]

    if parts(CM_COMPAT_VERSION) < parts(str(required)):
        raise CMError(f"CM automation requires CM version >= {required} while colmind provides "
                      f"CM {CM_COMPAT_VERSION} compatibility")


def _resolve_dots(i: dict[str, Any]) -> None:
    """``.`` means the repository / automation / artifact of the current directory (spec 1.5)."""
    from colmind.automations.detect import detect_here

    found = detect_here(os.getcwd())
    if str(i.get("artifact", "")).startswith(".:"):
        if not found.repo:
            raise CMError("'.:' needs the current directory to be inside a registered CM repository")
        i["artifact"] = found.repo + str(i["artifact"])[1:]
    if i.get("automation") == ".":
        i["automation"] = found.automation
    if i.get("artifact") == "." or (i.get("automation") and not i.get("artifact") and found.artifact):
        i["artifact"] = found.artifact
    if found.repo:
        if i.get("artifact") and ":" not in str(i["artifact"]):
            i["artifact"] = f"{found.repo}:{i['artifact']}"
        i["artifacts"] = [a if ":" in a else f"{found.repo}:{a}" for a in i.get("artifacts") or []]
    if i.get("artifact") == ".":
        raise NotFound("no CM artifact found in the current directory")


def first_output() -> Any:
    return _state["output"]


def reset_output() -> None:
    """Forget the first call's ``out`` (a new CLI invocation in the same process)."""
    _state["output"] = None
