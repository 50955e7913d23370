"""Which repository / automation / artifact the current directory belongs to (CM's ``.``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from colmind.store import ids
from colmind.store.meta import load_meta_pair
from colmind.store.scan import list_dirs


@dataclass
class Here:
    repo_path: str = ""
    repo: str = ""          # "alias,uid" when the repository is registered
    automation: str = ""    # "alias,uid" of the artifact's automation
    artifact: str = ""      # "alias,uid" of the artifact we stand in
    artifact_path: str = ""


def _upward(start: str, names: tuple[str, ...]) -> str:
    path = os.path.abspath(start)
    while True:
        if any(os.path.isfile(os.path.join(path, n)) for n in names):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return ""
        path = parent


def detect_here(cwd: str) -> Here:
    here = Here()
    here.repo_path = _upward(cwd, ("cmr.yaml", "cmr.json"))
    art_dir = _upward(cwd, ("_cm.yaml", "_cm.json"))
    if art_dir and here.repo_path and not art_dir.startswith(here.repo_path):
        art_dir = ""
    if art_dir:
        loaded = load_meta_pair(art_dir)
        meta = loaded[0] if loaded else {}
        here.artifact_path = art_dir
        here.artifact = ids.assemble(str(meta.get("alias", "")), str(meta.get("uid", "")))
        here.automation = ids.assemble(str(meta.get("automation_alias", "")), str(meta.get("automation_uid", "")))
    elif here.repo_path:
        here.automation = _automation_of_dir(os.path.abspath(cwd))
    if here.repo_path:
        here.repo = _registered(here.repo_path)
    return here


def _automation_of_dir(path: str) -> str:
    for name in list_dirs(path):
        loaded = load_meta_pair(os.path.join(path, name))
        if loaded:
            meta = loaded[0]
            return ids.assemble(str(meta.get("automation_alias", "")), str(meta.get("automation_uid", "")))
    return ""


def _registered(repo_path: str) -> str:
    from colmind.core import get_core

    real = os.path.realpath(repo_path)
    for repo in get_core().repos:
        if os.path.realpath(repo.path) == real:
            return ids.assemble(repo.alias, repo.uid)
    return ""
