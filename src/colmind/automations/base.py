"""The common automation: actions every automation has (add, find, load, update, rm, mv, cp, info...)."""

from __future__ import annotations

import os

from colmind.console import confirm, say
from colmind.errors import AlreadyExists, CMError, NotFound
from colmind.store import ids
from colmind.store.model import Artifact
from colmind.store.names import check_cm_name
from colmind.store.readonly import check_writable
from colmind.store.tags import split_tags

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

COMMON_ACTIONS = ("add", "copy", "delete", "info", "load", "move", "search", "test", "update", "version")


def is_console(i: dict[str, Any]) -> bool:
    return i.get("out") == "con"


def meta_input(i: dict[str, Any]) -> dict[str, Any]:
    """The ``meta`` input key (``--meta.KEY=VALUE``, ``@file``): a mapping, or a clear error."""
    meta = i.get("meta")
    if meta is None or meta == "":
        return {}
    if not isinstance(meta, dict):
        raise CMError(f"input key 'meta' must be a mapping (--meta.KEY=VALUE), not {type(meta).__name__} "
                      f"({meta!r:.80})")
    return dict(meta)


def truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("yes", "on", "true", "1")


class Automation:
    """Base class of every automation (CM's ``cmind.automation.Automation``).

    Subclasses add actions as public methods taking CM's input dict ``i``.
    """

    def __init__(self, cmind: Any = None, automation_file: str = "") -> None:
        from colmind.automations.facade import CMFacade

        self.cmind = cmind if cmind is not None else CMFacade()
        self.action_object = self.cmind
        self.automation_file_path = automation_file
        self.path = os.path.dirname(automation_file) if automation_file else ""
        self.full_path = self.path
        self.meta: dict[str, Any] = {}
        self.alias = ""
        self.uid = ""

    @property
    def core(self) -> Any:
        from colmind.core import get_core

        return get_core()

    # -- helpers -----------------------------------------------------------------------------
    def _automation_name(self, i: dict[str, Any]) -> str:
        if self.uid or self.alias:
            return ids.assemble(self.alias, self.uid)
        return str(i.get("automation") or "*")

    def _search(self, i: dict[str, Any], artifact: str | None = None,
                tags: Any = None) -> list[Artifact]:
        name = str(i.get("artifact") or "") if artifact is None else artifact
        return self.core.find(self._automation_name(i), name, tags if tags is not None else i.get("tags"),
                              ignore_inheritance=truthy(i.get("ignore_inheritance", False)))

    # -- common actions ----------------------------------------------------------------------
    def search(self, i: dict[str, Any]) -> dict[str, Any]:
        """Find artifacts: ``cm find <automation> [[repo:]artifact] [--tags=a,b,-c]``."""
        found = self._search(i)
        if is_console(i) and found:
            say("\n".join(art.path for art in found))  # one write: listing 10k paths stays fast
        return {"return": 0, "list": found}

    def add(self, i: dict[str, Any]) -> dict[str, Any]:
        """Add an artifact: ``cm add <automation> [repo:]alias[,uid] [--tags=] [--meta.k=v] [--yaml]``."""
        refs = ids.parse_object(str(i.get("artifact") or ""))
        alias, uid = refs[0]
        repo = ids.assemble(*refs[1]) if len(refs) > 1 else "local"
        meta = meta_input(i)
        tags = split_tags(i.get("tags")) + split_tags(i.get("new_tags"))
        art = self.core.add(self._automation_name(i), alias=alias, uid=uid, meta=meta, repo=repo or "local",
                            tags=tags, yaml=truthy(i.get("yaml", False)))
        if is_console(i):
            say(f"Added CM object at {art.path}")
        return {"return": 0, "meta": art.original_meta, "path": art.path, "artifact": art}

    def load(self, i: dict[str, Any]) -> dict[str, Any]:
        """Load one artifact's meta: ``cm load <automation> <artifact> [--yaml]``."""
        found = self._search(i)
        if not found:
            raise NotFound(f"artifact not found: {_public_input(i)}")
        if len(found) > 1:
            raise CMError("more than 1 artifact found")
        art = found[0]
        if is_console(i):
            if truthy(i.get("yaml", False)):
                import yaml

                say(yaml.safe_dump(art.meta, allow_unicode=True))
            else:
                say(_pretty_json(art.meta))
        return {"return": 0, "path": art.path, "meta": art.meta, "original_meta": art.original_meta,
                "artifact": art}

    def update(self, i: dict[str, Any]) -> dict[str, Any]:
        """Update metas: ``cm update <automation> [artifact] [--meta.k=v] [--tags=] [--search_tags=]``."""
        found = self._search(i, tags=i.get("search_tags") or [])
        if not found:
            self.add(i)
            loaded = self.load({**i, "out": None})
            if is_console(i):
                say(_pretty_json(loaded["meta"]))
            return {"return": 0, "list": [loaded["artifact"]]}
        if len(found) > 1 and not (truthy(i.get("force", False)) or truthy(i.get("f", False))):
            answer = confirm("More than 1 artifact found. Are you sure you want to update them all (y/N): ")
            if not answer:
                raise CMError("more than 1 artifact found: add -f (--force) to update them all")
        meta = meta_input(i)
        new_tags = split_tags(i.get("tags"))
        updated = []
        for art in found:
            change = dict(meta)
            if new_tags:
                change["tags"] = list(change.get("tags") or []) + new_tags
            updated.append(self.core.update(art, change, replace=truthy(i.get("replace", False)),
                                            replace_lists=truthy(i.get("replace_lists", False))))
            if is_console(i):
                say(f"Updated {art.path}")
        return {"return": 0, "list": updated}

    def delete(self, i: dict[str, Any]) -> dict[str, Any]:
        """Delete artifacts: ``cm rm <automation> <artifact|wildcards> [--tags=] [-f]``."""
        found = self._search(i)
        if not found:
            raise NotFound("artifact(s) not found")
        force = truthy(i.get("force", False)) or truthy(i.get("f", False))
        deleted: list[Artifact] = []
        for art in found:
            check_writable(art.path, "delete")
            if not self._confirm_delete(i, art, force):
                continue
            self.core.delete(art)
            deleted.append(art)
            if is_console(i):
                say("    Deleted!")
        result: dict[str, Any] = {"return": 0, "deleted_list": deleted}
        if len(deleted) < len(found) and not is_console(i):
            result["warning"] = "nothing deleted without a console prompt: add force=True (-f) to delete"
        return result

    def _confirm_delete(self, i: dict[str, Any], art: Artifact, force: bool) -> bool:
        if not is_console(i):
            return force
        say(f'Deleting CM artifact in {art.path} with tags "{",".join(art.tags)}" ...')
        if force:
            return True
        answer = confirm("  Are you sure you want to delete this artifact (y/N): ")
        if answer is None:
            say("    Skipped (no terminal to confirm: add -f to delete)!")
            return False
        if not answer:
            say("    Skipped!")
        return bool(answer)

    def _source_and_target(self, i: dict[str, Any], verb: str) -> tuple[list[Artifact], list[tuple[str, str]]]:
        extra = i.get("artifacts") or []
        if not i.get("artifact"):
            raise CMError("artifact is not specified")
        if len(extra) != 1:
            raise CMError("artifact is not specified" if not extra else "more than 1 artifact specified")
        found = self._search(i, tags=[])
        if not found:
            raise NotFound("artifact(s) not found: {}" if verb == "copy" else "artifact not found: {}")
        return found, ids.parse_object(str(extra[0]))

    def move(self, i: dict[str, Any]) -> dict[str, Any]:
        """Rename or move: ``cm mv <automation> [repo:]artifact [new_repo:]new_alias[,new_uid]``."""
        found, target = self._source_and_target(i, "move")
        moved = [self._move_one(i, art, target) for art in found]
        return {"return": 0, "list": moved}

    def _target_path(self, art: Artifact, target: list[tuple[str, str]]) -> tuple[Any, str, str, str]:
        new_alias, new_uid = target[0]
        for value, what in ((new_alias, "new artifact name"), (new_uid, "new artifact UID")):
            if value:
                check_cm_name(value, what)
        repo = self.core.target_repo(ids.assemble(*target[1])) if len(target) > 1 else art.repo
        check_writable(repo, "write into")
        auto_dir = os.path.basename(os.path.dirname(art.path))
        name = new_alias or new_uid or os.path.basename(art.path)
        return repo, os.path.join(repo.content_path, auto_dir, name), new_alias, new_uid

    def _move_one(self, i: dict[str, Any], art: Artifact, target: list[tuple[str, str]]) -> Artifact:
        check_writable(art.path, "move")
        repo, new_path, new_alias, new_uid = self._target_path(art, target)
        if os.path.realpath(new_path) != os.path.realpath(art.path) and os.path.exists(new_path):
            raise CMError(f"target artifact (directory) already exists: {new_path}")
        if is_console(i):
            say(f'* Moving "{art.path}" to\n         "{new_path}"')
        with self.core.artifact_lock(art.path):
            os.makedirs(os.path.dirname(new_path), exist_ok=True)
            if os.path.realpath(new_path) != os.path.realpath(art.path):
                import shutil

                shutil.move(art.path, new_path)
                if self.core.index is not None:
                    self.core.index.remove(art.path)
        return self._rewrite_identity(i, repo, new_path, art, new_alias or art.alias, new_uid or art.uid)

    def _rewrite_identity(self, i: dict[str, Any], repo: Any, path: str, art: Artifact,
                          alias: str, uid: str) -> Artifact:
        from colmind.store.model import Artifact as Art

        handle = Art(path=path, meta=art.meta, original_meta=art.original_meta, uid=uid, alias=alias,
                     automation_alias=art.automation_alias, automation_uid=art.automation_uid, repo=repo)
        if art.original_meta.get("alias") == alias and art.original_meta.get("uid") == uid:
            return self.core._record(repo, path)
        if is_console(i):
            say(f'- Updating meta in "{path}"')
        return self.core.update(handle, {"alias": alias, "uid": uid})

    def copy(self, i: dict[str, Any]) -> dict[str, Any]:
        """Copy: ``cm cp <automation> [repo:]artifact [new_repo:]new_alias[,new_uid] [--new_tags=]``."""
        found, target = self._source_and_target(i, "copy")
        copies = []
        for art in found:
            repo, new_path, new_alias, new_uid = self._target_path(art, target)
            if os.path.realpath(new_path) == os.path.realpath(art.path):
                raise CMError(f"cannot copy {art.path} onto itself: give a new name")
            if os.path.exists(new_path):
                raise AlreadyExists(f"artifact already exists in the path {new_path}")
            if is_console(i):
                say(f'* Copying "{art.path}" to\n         "{new_path}"')
            change: dict[str, Any] = {"alias": new_alias or os.path.basename(new_path),
                                      "uid": new_uid or ids.gen_uid()}
            if not new_alias and ids.is_uid(os.path.basename(new_path)):
                change["alias"] = ""
            tags = split_tags(i.get("new_tags"))
            if tags:
                change["tags"] = tags
            if is_console(i):
                say(f'- Updating meta in "{new_path}"')
            copies.append(self.core.copy_folder(art, repo, new_path, change))
        return {"return": 0, "list": copies}

    def info(self, i: dict[str, Any]) -> dict[str, Any]:
        """Show CM IDs and files of artifacts: ``cm info <automation> <artifact>``."""
        found = self._search(i)
        if not found:
            raise NotFound("artifact not found for the CM/CMX input:\n"
                           + _pretty_json(_public_input(i)))
        if is_console(i):
            for n, art in enumerate(found):
                if n:
                    say("*" * 55)
                _print_info(art)
        return {"return": 0, "list": found}

    def version(self, i: dict[str, Any]) -> dict[str, Any]:
        """Print colmind's version."""
        from colmind.version import __version__

        if is_console(i):
            say(__version__)
        return {"return": 0, "version": __version__}

    def test(self, i: dict[str, Any]) -> dict[str, Any]:
        """Print information about this installation (CM's ``cm test core``); never uses the network."""
        import sys

        from colmind.version import CM_COMPAT_VERSION, __version__

        if is_console(i):
            say(f"colmind version: {__version__} (CM {CM_COMPAT_VERSION} compatible)")
            say(f"Python executable: {sys.executable}")
            say(f"Path to CM repositories: {self.core.repos_path}")
            if self.automation_file_path:
                say(f"Automation module: {self.automation_file_path}")
        return {"return": 0}


def _print_info(art: Artifact) -> None:
    cid = f"{ids.assemble(art.automation_alias, art.automation_uid)}::{ids.assemble(art.alias, art.uid)}"
    say(f"CID = {cid}")
    say(f"CID1 = {art.automation_uid}::{art.uid}")
    say(f"CID2 = ({cid})")
    say("")
    say(f"Path = {art.path}")
    entries = sorted(os.listdir(art.path)) if os.path.isdir(art.path) else []
    say("")
    say("  Directories:")
    for e in entries:
        if os.path.isdir(os.path.join(art.path, e)):
            say(f"    {e}")
    say("")
    say("  Files:")
    for e in entries:
        if os.path.isfile(os.path.join(art.path, e)):
            say(f"    {e}")


def _pretty_json(data: Any) -> str:
    import json  # lazy: queries that print no JSON must not pay for it

    return json.dumps(data, indent=2, sort_keys=True)


def _public_input(i: dict[str, Any]) -> dict[str, Any]:
    keys = ("automation", "artifact", "tags")
    return {k: i[k] for k in keys if k in i}

