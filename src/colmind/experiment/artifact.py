"""Find (or create) the experiment artifact of a command, through ``colmind.api.access``.

As CM: a named artifact (``name``, ``repo:name``) is looked up by name only, its tags are used when
it is created; otherwise by tags (``repo:`` limits the search to a repository). Unlike CM, several
matches are an error listing them (no prompt), and find-or-create is done under a lock so that two
experiments started together make one artifact.
"""

from __future__ import annotations

import os
from typing import Any

from colmind.errors import CMError, NotFound

AUTOMATION = "experiment,a0a2d123ef064bcb"


def _tags(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(t) for t in value)
    return str(value or "")


def _split(artifact: str) -> tuple[str, str]:
    """(repo, name) of ``repo:name`` / ``name`` / ``repo:``."""
    if ":" in artifact:
        repo, _, name = artifact.partition(":")
        return repo, name
    return "", artifact


def find(i: dict[str, Any]) -> list[Any]:
    """Experiment artifacts matching the input's ``artifact``/``tags``."""
    from colmind.api import access

    artifact = str(i.get("artifact") or "")
    repo, name = _split(artifact)
    query: dict[str, Any] = {"action": "find", "automation": AUTOMATION}
    if name:
        query["artifact"] = artifact
    else:
        query["tags"] = _tags(i.get("tags"))
        if repo:
            query["artifact"] = repo + ":*"
    r = access(query)
    if r["return"] > 0:
        if r["return"] == 16:
            return []
        raise CMError(r["error"])
    return list(r["list"])


def find_one(i: dict[str, Any]) -> Any:
    """The one existing experiment (error if none or several)."""
    found = find(i)
    if not found:
        raise NotFound("experiment not found")
    return _only(found)


def find_or_add(i: dict[str, Any]) -> Any:
    """The matching experiment, created in ``local`` (or the named repo) if there is none."""
    from colmind.api import access
    from colmind.core import get_core

    with get_core().lock("experiment-find-or-add"):
        found = find(i)
        if found:
            return _only(found)
        repo, name = _split(str(i.get("artifact") or ""))
        add: dict[str, Any] = {"action": "add", "automation": AUTOMATION, "tags": _tags(i.get("tags")),
                               "artifact": f"{repo or 'local'}:{name}"}
        r = access(add)
        if r["return"] > 0:
            raise CMError(r["error"])
        return r["artifact"]


def _only(found: list[Any]) -> Any:
    if len(found) > 1:
        listing = "\n".join(f"  {a.path} (tags: {','.join(a.tags)})" for a in sorted(found, key=lambda a: a.path))
        raise CMError(f"more than 1 experiment found; name one (cm run experiment NAME ...) or add tags:\n{listing}")
    return found[0]


def path_of(art: Any) -> str:
    return os.fspath(art.path)
