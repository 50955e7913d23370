"""Artifacts the playground shows (experiments, challenges, contributors, reports, scripts).

Found through :func:`colmind.api.access` (``find``). For kinds colmind has no automation for (the
playground's challenge/contributor/report data, and experiments until their automation exists)
the registered repositories are scanned directly: ``<repo>/<kind>/<name>/_cm.json|_cm.yaml``.
Nothing of a repository is ever imported or executed here.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from colmind.api import access as _access

# colmind's core is per thread (its SQLite index connection belongs to the thread that opened it);
# the web server's worker threads send every API call through this one thread, so the playground
# holds one core and its requests never race each other in it.
_API_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="colmind-api")


def access(i: dict[str, Any], call: Any = None) -> dict[str, Any]:
    """``colmind.api.access(i)`` (or ``call()``) run on the playground's API thread."""
    result: dict[str, Any] = _API_THREAD.submit(call or _access, *(() if call else (i,))).result()
    return result


def release_core() -> None:
    """Close colmind's core on the API thread (its index connection may only be closed there)."""
    from colmind.core import reset_core

    def close() -> dict[str, Any]:
        reset_core()
        return {"return": 0}
    access({}, call=close)


UIDS = {"experiment": "a0a2d123ef064bcb", "challenge": "3d84abd768f34e08",
        "contributor": "68eae17b590d4f8f", "report": "6462ecdba2054467"}


@dataclass
class Item:
    """One artifact: where it is and its meta."""

    kind: str
    path: str
    meta: dict[str, Any]
    repo_alias: str = ""
    repo_meta: dict[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        return str(self.meta.get("uid") or "")

    @property
    def alias(self) -> str:
        return str(self.meta.get("alias") or os.path.basename(self.path))

    @property
    def tags(self) -> list[str]:
        return [str(t) for t in self.meta.get("tags") or []]

    def read_text(self, name: str, limit: int = 1_000_000) -> str | None:
        path = os.path.join(self.path, name)
        if not os.path.isfile(path):
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(limit)


def repos() -> list[Any]:
    r = access({"action": "find", "automation": "repo"})
    return list(r.get("list", [])) if r["return"] == 0 else []


def find(kind: str, tags: list[str] | None = None, names: list[str] | None = None) -> list[Item]:
    """Artifacts of ``kind`` with all ``tags`` (``-tag`` excludes) or one of ``names`` (alias or uid)."""
    items = _via_api(kind) if kind == "script" else _via_api(kind) or _scan(kind)
    if names:
        wanted = {n.lower() for n in names}
        items = [i for i in items if i.alias.lower() in wanted or i.uid.lower() in wanted]
    for tag in tags or []:
        if tag.startswith("-"):
            items = [i for i in items if tag[1:] not in i.tags]
        else:
            items = [i for i in items if tag in i.tags]
    return items


def _via_api(kind: str) -> list[Item]:
    r = access({"action": "find", "automation": kind})
    if r["return"] != 0:
        return []
    out = []
    for art in r.get("list", []):
        repo = getattr(art, "repo", None)
        out.append(Item(kind, art.path, dict(art.meta), getattr(repo, "alias", ""),
                        dict(getattr(repo, "meta", {}) or {})))
    return out


def _scan(kind: str) -> list[Item]:
    out = []
    for repo in repos():
        root = os.path.join(repo.content_path, kind)
        try:
            entries = sorted(os.listdir(root))
        except OSError:
            continue
        for entry in entries:
            meta = load_meta(os.path.join(root, entry))
            if meta is not None:
                meta.setdefault("alias", entry)
                out.append(Item(kind, os.path.join(root, entry), meta, repo.alias, dict(repo.meta)))
    return out


def load_meta(path: str) -> dict[str, Any] | None:
    """``_cm.json`` or ``_cm.yaml`` of an artifact folder (a malformed one is skipped)."""
    for fname in ("_cm.json", "_cm.yaml"):
        file = os.path.join(path, fname)
        if not os.path.isfile(file):
            continue
        try:
            with open(file, encoding="utf-8") as handle:
                if fname.endswith(".json"):
                    data = json.load(handle)
                else:
                    import yaml

                    data = yaml.safe_load(handle)
        except (OSError, ValueError, Exception):  # noqa: BLE001 - a broken meta hides one artifact
            return None
        return data if isinstance(data, dict) else None
    return None
