"""Value types of the store: repositories and artifacts."""

from __future__ import annotations

import os

from colmind.valueclass import FrozenValue

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class RepoInfo(FrozenValue):
    """A registered repository. ``path`` is its root, ``content_path`` adds the ``prefix``."""

    _fields = ("alias", "uid", "path", "meta")
    _compare = ("alias", "uid", "path")
    alias: str
    uid: str
    path: str
    meta: dict[str, Any]

    def __init__(self, alias: str, uid: str, path: str, meta: dict[str, Any] | None = None) -> None:
        self._set("alias", alias)
        self._set("uid", uid)
        self._set("path", path)
        self._set("meta", {} if meta is None else meta)

    @property
    def content_path(self) -> str:
        prefix = self.meta.get("prefix") or ""
        return os.path.join(self.path, prefix) if prefix else self.path

    @property
    def ref(self) -> tuple[str, str]:
        return (self.alias, self.uid)


class Artifact:
    """An artifact on disk: ``meta`` is inherited (``_base`` merged), ``original_meta`` is the file.

    Metas are decoded lazily: listing 10k artifacts must not parse 10k JSON documents.
    """

    __slots__ = ("path", "uid", "alias", "automation_alias", "automation_uid", "repo", "_meta",
                 "_original", "_loader")

    def __init__(self, path: str, meta: dict[str, Any] | None = None,
                 original_meta: dict[str, Any] | None = None, uid: str = "", alias: str = "",
                 automation_alias: str = "", automation_uid: str = "", repo: RepoInfo | None = None,
                 loader: Callable[[], tuple[dict[str, Any], dict[str, Any]]] | None = None) -> None:
        self.path = path
        self.uid = uid
        self.alias = alias
        self.automation_alias = automation_alias
        self.automation_uid = automation_uid
        self.repo = repo if repo is not None else RepoInfo("", "", os.path.dirname(os.path.dirname(path)))
        self._meta = meta
        self._original = original_meta if original_meta is not None else meta
        self._loader = loader

    def _load(self) -> None:
        if self._loader is not None:
            self._meta, self._original = self._loader()
            self._loader = None
        if self._meta is None:
            self._meta = {}
        if self._original is None:
            self._original = self._meta

    @property
    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            self._load()
        assert self._meta is not None
        return self._meta

    @property
    def original_meta(self) -> dict[str, Any]:
        if self._original is None:
            self._load()
        assert self._original is not None
        return self._original

    def __repr__(self) -> str:
        return f"Artifact({self.path!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Artifact) and other.path == self.path and other.uid == self.uid

    def __hash__(self) -> int:
        return hash((self.path, self.uid))

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


class Row:
    """One artifact as the index (or a scan) sees it; ``meta`` is decoded on first use."""

    __slots__ = ("path", "repo_order", "repo_alias", "repo_uid", "auto_dir", "automation_uid",
                 "automation_alias", "uid", "alias", "tags", "_meta", "meta_json", "sig", "base", "error", "new")

    def __init__(self, path: str, repo_order: int, repo_alias: str, repo_uid: str, auto_dir: str,
                 automation_uid: str, automation_alias: str, uid: str, alias: str, tags: list[str],
                 meta: dict[str, Any] | None, sig: str, base: str = "", error: str = "",
                 meta_json: str = "") -> None:
        self.path = path
        self.repo_order = repo_order
        self.repo_alias = repo_alias
        self.repo_uid = repo_uid
        self.auto_dir = auto_dir
        self.automation_uid = automation_uid
        self.automation_alias = automation_alias
        self.uid = uid
        self.alias = alias
        self.tags = tags
        self._meta = meta
        self.meta_json = meta_json
        self.sig = sig
        self.base = base
        self.error = error
        self.new = False

    @property
    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            from colmind.store.jsonload import loads

            self._meta = loads(self.meta_json) if self.meta_json else {}
        return self._meta

    @meta.setter
    def meta(self, value: dict[str, Any]) -> None:
        self._meta = value
