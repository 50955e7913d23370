"""The ``repo`` target of ``mlc`` on colmind's registry (docs/mlc.md "Where things are").

colmind's own registry (``$CM_REPOS/repos.json``) is the one written: ``mlc pull repo`` clones into
``$CM_REPOS/repos/<owner@name>`` and ``mlc add repo`` registers there. Repositories mlcflow
registered in ``$MLC_REPOS/repos.json`` are read too but never changed: removing one is refused
with a clear message.
"""

from __future__ import annotations

import os

from colmind.mlc import log, output
from colmind.mlc.grammar import is_uid
from colmind.mlc.items import MlcError, call, checked

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

PROTECTED = ("9a3280b14a4285c9", "36b263b05174aef9")  # colmind's local and built-in repositories
NO_REPO_GIVEN = ("Please enter a Repo Alias, Repo UID, or Repo URL in one of the following formats:\n"
                 "- <repo_owner>@<repos_name>\n- <repo_url>\n- <repo_uid>\n- <repo_alias>\n"
                 "- <repo_alias>,<repo_uid>")


def all_repos() -> list[Any]:
    return list(checked({"action": "find", "automation": "repo"}).get("list") or [])


def is_owner_name(text: str) -> bool:
    """``owner@name``: letters, digits, ``_`` and ``-`` on both sides (mlcflow's pattern)."""
    owner, at, name = text.partition("@")
    ok = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    return bool(at and owner and name and set(owner) <= ok and set(name) <= ok)


def alias_of_url(text: str) -> str:
    """``https://github.com/o/n(.git)`` or ``git@github.com:o/n`` -> ``o@n`` ("" otherwise)."""
    if "://" not in text and not text.startswith("git@"):
        return ""
    import re

    match = re.match(r"^(?:https?://[^/]+/|git@[^:]+:)([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", text)
    return f"{match.group(1)}@{match.group(2)}" if match else ""


def matching(name: str, repos: list[Any]) -> list[Any]:
    """Repos named by alias, UID, ``alias,UID``, folder name, path or github URL."""
    name = alias_of_url(name) or name
    alias, _, uid = name.partition(",")
    if not uid and is_uid(alias):
        alias, uid = "", alias
    real = os.path.realpath(os.path.expanduser(name)) if os.sep in name else ""
    found = []
    for repo in repos:
        if uid and repo.uid != uid:
            continue
        if alias and alias not in (repo.alias, os.path.basename(repo.path)) and \
                not (real and os.path.realpath(repo.path) == real):
            continue
        found.append(repo)
    return found


def _not_found(name: str) -> str:
    alias, _, uid = name.partition(",")
    if not uid and is_uid(alias):
        return f"No repository with UID: '{alias}' was found"
    if uid:
        return f"No repository with alias: '{alias}' and UID: '{uid}' was found"
    return f"No repository with alias: '{name}' was found"


def find(run_args: dict[str, Any]) -> dict[str, Any]:
    name = str(run_args.get("repo") or run_args.get("details") or "")
    if not name:
        raise MlcError(NO_REPO_GIVEN)
    found = matching(name, all_repos())
    if not found:
        raise MlcError(_not_found(name))
    return {"return": 0, "list": found}


def search(run_args: dict[str, Any]) -> dict[str, Any]:
    """mlcflow's ``search repo`` is always empty (it never reads the name): here it filters."""
    name = str(run_args.get("repo") or run_args.get("details") or "")
    repos = all_repos()
    return {"return": 0, "list": matching(name, repos) if name else repos}


def list_repos(run_args: dict[str, Any]) -> dict[str, Any]:
    log.info("Listing all repositories.")
    repos = all_repos()
    print(output.repo_list(repos))
    log.info("Repository listing ended")
    return {"return": 0, "list": repos}


def _pull_input(name: str, run_args: dict[str, Any]) -> dict[str, Any]:
    chosen = [k for k in ("branch", "checkout", "tag") if run_args.get(k)]
    if len(chosen) > 1:
        raise MlcError("Only one among the three flags(branch, checkout and tag) could be specified")
    i: dict[str, Any] = {"action": "pull", "automation": "repo"}
    if is_owner_name(name):
        owner, repo = name.split("@")
        i["artifact"] = name
        if run_args.get("ssh"):
            i["url"] = f"git@github.com:{owner}/{repo}.git"
    elif name:
        i["url"] = name  # used as given (mlcflow does not prefix a bare name with mlcommons@)
        alias = alias_of_url(name)
        if alias:
            i["artifact"] = alias
    for key in ("branch", "checkout", "pat"):
        if run_args.get(key):
            i[key] = str(run_args[key])
    if run_args.get("tag"):
        i["checkout"] = f"tags/{run_args['tag']}"
    if run_args.get("shallow") and not run_args.get("depth"):
        i["depth"] = "1"
    if run_args.get("depth"):
        i["depth"] = str(run_args["depth"])
    if run_args.get("extra_git_args"):
        i["extra_cmd_git"] = str(run_args["extra_git_args"])
    return i


def pull(run_args: dict[str, Any]) -> dict[str, Any]:
    name = str(run_args.get("repo") or "")
    i = _pull_input(name, run_args)
    if name and (is_owner_name(name) or alias_of_url(name)):
        existing = matching(name, all_repos())
        if existing and _is_mlcflows(existing[0].path):
            log.info(f"{name} is registered by mlcflow at {existing[0].path}: not changed (update it with mlcflow)")
            return {"return": 0}
    result = call(i, out="con")
    if result.get("return", 0) > 0:
        raise MlcError(_redacted(str(result.get("error", "")), str(run_args.get("pat") or "")))
    return {"return": 0}


def _redacted(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text


def _is_mlcflows(path: str) -> bool:
    from colmind.core import get_core

    real = os.path.realpath(path)
    return any(os.path.realpath(p) == real for p in get_core().registry.mlc_paths())


def add(run_args: dict[str, Any]) -> dict[str, Any]:
    name = str(run_args.get("repo") or "")
    if not name:
        raise MlcError("The repository to be added is not specified")
    existing = matching(name, all_repos())
    if existing:
        raise MlcError(f"Repo already exists at {existing[0].path}")
    from colmind.core import get_core

    core = get_core()
    if os.path.isdir(name):
        path = os.path.abspath(name)
    else:
        path = os.path.join(core.home, "repos", alias_of_url(name) or os.path.basename(name.rstrip("/")))
    checked({"action": "init", "automation": "repo", "path": path,
             **({} if os.path.isdir(path) and _has_meta(path) else {"artifact": _new_alias(name, path)})})
    log.info(f"Added new repo path: {path}")
    log.info(f"Updated repos.json at {core.registry.file}")
    return {"return": 0}


def _has_meta(path: str) -> bool:
    return any(os.path.isfile(os.path.join(path, n)) for n in ("cmr.yaml", "cmr.json", "meta.yaml", "meta.json"))


def _new_alias(name: str, path: str) -> str:
    return alias_of_url(name) or (name if is_owner_name(name) else os.path.basename(path.rstrip("/")))


def rm(run_args: dict[str, Any]) -> dict[str, Any]:
    name = str(run_args.get("repo") or "")
    if not name:
        raise MlcError(NO_REPO_GIVEN)
    found = matching(name, all_repos())
    if not found:
        raise MlcError(_not_found(name))
    if len(found) > 1:
        raise MlcError(f"Please select a unique repo: {', '.join(r.path for r in found)}")
    repo = found[0]
    if repo.uid in PROTECTED:
        raise MlcError(f"The {repo.alias} repository of colmind ({repo.path}) cannot be removed")
    if _is_mlcflows(repo.path):
        from colmind.core import get_core

        raise MlcError(f"{repo.path} is registered by mlcflow in "
                       f"{os.path.join(get_core().registry.mlc_repos, 'repos.json')}: colmind reads that "
                       "registry but never changes it (remove the repository with mlcflow, or edit that file)")
    return _remove(repo, bool(run_args.get("f")))


def _remove(repo: Any, force: bool) -> dict[str, Any]:
    from colmind.core import get_core

    inside = os.path.dirname(os.path.realpath(repo.path)) == os.path.realpath(os.path.join(get_core().home, "repos"))
    if not inside:
        log.warn(f"The repo path {repo.path} is not found in the repo folder: only unregistering it")
    elif not force:
        from colmind.mlc.items import _ask

        if not _ask("Continue to remove repo? (yes/no): "):
            return {"return": 0, "message": "not removed"}
    checked({"action": "delete", "automation": "repo", "artifact": f"{repo.alias},{repo.uid}" if repo.uid else repo.alias,
             "force": True, "all": inside})
    log.info(f"Repo {repo.alias} ({repo.path}) removed" if inside else f"Repo {repo.alias} unregistered")
    return {"return": 0}


def reindex(run_args: dict[str, Any]) -> dict[str, Any]:
    checked({"action": "reindex", "automation": "repo"})
    target = str(run_args.get("reindex_target") or "all")
    message = "All targets reindexed successfully" if target in ("all", "repo") else f"{target} target reindexed successfully"
    return {"return": 0, "message": message}
