"""``mlc -h``, ``mlc <target> -h`` and ``mlc <action> <target> -h``."""

from __future__ import annotations

MAIN = """\
colmind's MLC front-end: mlcflow's command line on colmind's engine, cache and index.

    mlc <action> <target> [details] [--flags]

| Target     | Actions                                                              |
|------------|----------------------------------------------------------------------|
| script     | run, find/search, show, list, rm, mv, cp, add, docker, experiment, test, doc, help |
| cache      | find/search, show, list, rm, prune, mark-tmp                         |
| repo       | pull, add, find/search, list/show, rm                                |
| experiment | find/search, show, list, rm                                          |

Shortcuts: mlcr = mlc run script, mlcd = mlc docker script, mlce = mlc experiment script,
mlcp = mlc pull repo.

Example:
  mlcr detect,os -j

For help on a target or an action:
  mlc script --help
  mlc pull repo -h
"""

TARGETS = {
    "script": "Target: script (portable recipes in the registered repositories; colmind's engine runs them)",
    "cache": "Target: cache (entries made by cached script runs; shared with 'cm run script')",
    "repo": "Target: repo (colmind's registry $CM_REPOS/repos.json, plus the repositories mlcflow "
            "registered in $MLC_REPOS/repos.json, read only)",
    "experiment": "Target: experiment (records of 'mlce' / 'cm run experiment')",
}

ACTIONS = {
    ("script", "run"): "mlc run script <tags> [--flags]  (= mlcr): run the script with these tags "
                       "(variations with '_'); -j prints the result, --quiet answers defaults",
    ("script", "find"): "mlc find script <alias|UID|tags> [-p]: the path of each matching script",
    ("script", "search"): "mlc search script --tags=a,b [-p]: as find",
    ("script", "show"): "mlc show script <alias|tags>: main meta keys and the meta file",
    ("script", "list"): "mlc list script: every script with its path",
    ("script", "add"): "mlc add script [repo:]NAME --tags=a,b: a new script from a template",
    ("script", "cp"): "mlc cp script SRC [repo:]DEST",
    ("script", "mv"): "mlc mv script SRC [repo:]DEST",
    ("script", "rm"): "mlc rm script <alias|UID|--tags=> [-f]",
    ("script", "docker"): "mlc docker script <tags> (= mlcd): run the script in a container",
    ("script", "experiment"): "mlc experiment script <tags> --exp.KEY=a:b[:s] | --exp.KEY,=v1,v2 (= mlce): "
                              "one run per value, one key at a time, recorded by colmind's experiment runner",
    ("script", "doc"): "mlc doc script <tags>: the script's documentation",
    ("script", "help"): "mlc help script <tags>: the script's inputs and variations",
    ("script", "test"): "mlc test script <alias|tags> [--test_input_index=N[+]] [--test_input_id=ID] (= mlct): "
                        "run the test inputs of the script's meta 'tests'",
    ("cache", "find"): "mlc find cache <tags|UID> [-p]: paths of the matching cache entries",
    ("cache", "search"): "mlc search cache --tags=a,b [-p]",
    ("cache", "show"): "mlc show cache --tags=a,b: meta and cached state of each entry",
    ("cache", "list"): "mlc list cache: every cache entry with its tags",
    ("cache", "rm"): "mlc rm cache [<tags|UID>] [-f] [--all]: remove entries (all of them without a selector)",
    ("cache", "prune"): "mlc prune cache [--tags=]: remove expired, incomplete and invalid entries",
    ("cache", "mark-tmp"): "mlc mark-tmp cache --tags=a,b: add the tag 'tmp' to the matching entries",
    ("repo", "pull"): "mlc pull repo [owner@name|URL] [--branch=|--checkout=|--tag=] [--depth=N] (= mlcp)",
    ("repo", "add"): "mlc add repo <path|owner@name>: register a folder in place (or create an empty repo)",
    ("repo", "find"): "mlc find repo <alias|UID|alias,UID|URL>",
    ("repo", "search"): "mlc search repo [name]",
    ("repo", "list"): "mlc list repo: every registered repository",
    ("repo", "show"): "mlc show repo: as list",
    ("repo", "rm"): "mlc rm repo <name> [-f]: unregister; a repository inside $CM_REPOS/repos is deleted",
    ("experiment", "find"): "mlc find experiment --tags=a,b",
    ("experiment", "search"): "mlc search experiment --tags=a,b",
    ("experiment", "show"): "mlc show experiment --tags=a,b",
    ("experiment", "list"): "mlc list experiment",
    ("experiment", "rm"): "mlc rm experiment --tags=a,b [-f]",
}


class HelpError(Exception):
    """``mlc foo -h``: an unknown target (mlcflow raises a traceback)."""


def text(action: str, target: str) -> str:
    """The help for ``mlc [action] [target] -h`` (the action may be missing)."""
    if not action and not target:
        return MAIN
    if action and not target:
        if action in TARGETS:
            target, action = action, ""
        else:
            from colmind.mlc.grammar import SCRIPT_ACTIONS

            if action not in SCRIPT_ACTIONS:
                raise HelpError(f"Invalid target {action}: choose one of {', '.join(TARGETS)}")
            target = "script"
    target = {"repos": "repo", "run": "script"}.get(target, target)
    if target not in TARGETS:
        raise HelpError(f"Invalid target {target}: choose one of {', '.join(TARGETS)}")
    lines = [TARGETS[target], ""]
    for (tgt, act), doc in ACTIONS.items():
        if tgt == target and (not action or act == action.replace("_", "-")):
            lines.append("  " + doc)
    if len(lines) == 2:
        return f"Error: '{action}' is not supported for {target}."
    return "\n".join(lines)
