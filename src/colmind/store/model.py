"""Value types of the store: repositories and artifacts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RepoInfo:
    """A registered repository. ``path`` is its root, ``content_path`` adds the ``prefix``."""

    alias: str
    uid: str
    path: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def content_path(self) -> str:
        prefix = self.meta.get("prefix") or ""
        return os.path.join(self.path, prefix) if prefix else self.path

    @property
    def ref(self) -> tuple[str, str]:
        return (self.alias, self.uid)


@dataclass(frozen=True)
class Artifact:
    """An artifact on disk: ``meta`` is inherited (``_base`` merged), ``original_meta`` is the file."""

    path: str
    meta: dict[str, Any]
    original_meta: dict[str, Any]
    uid: str
    alias: str
    automation_alias: str
    automation_uid: str
    repo: RepoInfo

    @property
    def repo_path(self) -> str:
        return self.repo.path

    @property
    def repo_meta(self) -> dict[str, Any]:
        return self.repo.meta

    @property
    def tags(self) -> list[str]:
        tags = self.meta.get("tags") or []
        return [str(t) for t in tags] if isinstance(tags, list) else []

    @property
    def name(self) -> str:
        """``alias,uid`` as CM prints it."""
        from colmind.store.ids import assemble

        return assemble(self.alias, self.uid)


@dataclass
class Row:
    """One artifact as the index (or a scan) sees it."""

    path: str
    repo_order: int
    repo_alias: str
    repo_uid: str
    auto_dir: str
    automation_uid: str
    automation_alias: str
    uid: str
    alias: str
    tags: list[str]
    meta: dict[str, Any]
    sig: str
    base: str = ""
    error: str = ""
