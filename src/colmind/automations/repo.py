"""The ``repo`` automation: pull, init/add, import, rm, find, show, where, pack, unpack, reindex."""

from __future__ import annotations

import os
import shutil

from colmind.automations.base import Automation, is_console, truthy
from colmind.console import confirm, say
from colmind.errors import CMError, NotFound
from colmind.store import atomic, ids
from colmind.store.meta import load_meta_pair
from colmind.store.model import RepoInfo
from colmind.store.names import BadName, check_name, check_relative_path, name_problem
from colmind.store.repos import load_repo, repo_meta_for_new

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class RepoAutomation(Automation):
    """Manage CM repositories."""

    # -- listing -----------------------------------------------------------------------------
    def search(self, i: dict[str, Any]) -> dict[str, Any]:
        """List repositories: ``cm find repo [PATTERN] [--min]``."""
        repos = self.core.find_repos(str(i.get("artifact") or ""))
        if is_console(i):
            for repo in repos:
                say(repo.path if truthy(i.get("min", False)) else f"{ids.assemble(repo.alias, repo.uid)} = {repo.path}")
        return {"return": 0, "list": repos}

    def where(self, i: dict[str, Any]) -> dict[str, Any]:
        """Print the path of repositories: ``cm where repo NAME``."""
        return self.search({**i, "min": True})

    def show(self, i: dict[str, Any]) -> dict[str, Any]:
        """Describe repositories in detail: ``cm show repo [NAME]``."""
        from colmind.store.fetch import git_info

        repos = self.core.find_repos(str(i.get("artifact") or ""))
        for repo in repos:
            git = git_info(repo.path)
            if is_console(i):
                _print_repo(repo, git)
        return {"return": 0, "list": repos}

    def get(self, i: dict[str, Any]) -> dict[str, Any]:
        """Path, meta and git origin of one repository: ``cm get repo NAME``."""
        from colmind.store.fetch import git_info

        repo = self._one(str(i.get("artifact") or ""))
        git = git_info(repo.path)
        cmd = f"cm pull repo {git['url']}" + (f" --branch={git['branch']}" if git["branch"] else "")
        if is_console(i) and git["url"]:
            say("You may retrieve this repository using the following command:")
            say(cmd)
        return {"return": 0, "path": repo.path, "meta": repo.meta, "is_git": bool(git["url"]),
                "url": git["url"], "branch": git["branch"], "cmd": cmd}

    # -- registration ------------------------------------------------------------------------
    def init(self, i: dict[str, Any]) -> dict[str, Any]:
        """Create and register a repo: ``cm init repo [ALIAS] [--path=P|--here] [--uid=] [--desc=] [--prefix=]``."""
        alias = _check_alias(str(i.get("artifact") or ""))
        path = str(i.get("path") or "")
        if not path:
            path = os.getcwd() if (truthy(i.get("here", False)) or not alias) else str(
                self.core.repos_path / "repos" / alias)
        path = os.path.abspath(os.path.expanduser(path))
        existing = (load_meta_pair(path, "cmr") or _mlc_meta(path)) if os.path.isdir(path) else None
        if existing is not None:
            meta = existing[0]
            _check_same(meta, alias, str(i.get("uid") or ""), str(i.get("prefix") or ""), path)
        else:
            alias = alias or os.path.basename(path.rstrip(os.sep)).lower()
            meta = repo_meta_for_new(alias, str(i.get("uid") or ids.gen_uid()), str(i.get("desc") or ""),
                                     str(i.get("prefix") or ""))
        self._register(path, meta, create=existing is None)
        if is_console(i):
            say(f"Alias:  {meta.get('alias')}\nUID:    {meta.get('uid')}\nDesc:   {meta.get('desc', '')}\n"
                f"Prefix: {meta.get('prefix', '')}\n\nLocal path to the CM repository: {path}")
        return {"return": 0, "meta": meta, "path": path}

    add = init

    def ximport(self, i: dict[str, Any]) -> dict[str, Any]:
        """Register an existing folder with ``cmr.yaml``: ``cm import repo --path=P``."""
        path = os.path.abspath(os.path.expanduser(str(i.get("path") or i.get("artifact") or os.getcwd())))
        if load_meta_pair(path, "cmr") is None and load_meta_pair(path, "meta") is None:
            raise CMError(f"no cmr.yaml, cmr.json or meta.yaml (MLC) in {path}: use 'cm init repo --path={path}' to create one")
        return self.init({**i, "artifact": "", "path": path})

    def _register(self, path: str, meta: dict[str, Any], create: bool) -> None:
        self._check_unique(meta, path)
        if create:
            os.makedirs(path, exist_ok=True)
            atomic.write_yaml(os.path.join(path, "cmr.yaml"), meta)
            if meta.get("prefix"):
                os.makedirs(os.path.join(path, str(meta["prefix"])), exist_ok=True)
        self.core.registry.add_path(path)
        self.core.reload_repos()

    def _check_unique(self, meta: dict[str, Any], path: str) -> None:
        alias, uid = str(meta.get("alias", "")).lower(), str(meta.get("uid", "")).lower()
        for repo in self.core.repos:
            same_path = os.path.realpath(repo.path) == os.path.realpath(path)
            if same_path or (alias and repo.alias.lower() == alias) or (uid and repo.uid.lower() == uid):
                raise CMError(f'Repository "{repo.alias}" is already registered in CM',
                              hint=f"registered at {repo.path}")

    def delete(self, i: dict[str, Any]) -> dict[str, Any]:
        """Unregister repositories (``--all`` also deletes their files): ``cm rm repo NAME [--all] [-f]``."""
        name = str(i.get("artifact") or "")
        if not name:
            raise CMError("repositories are not specified")
        repos = [r for r in self.core.find_repos(name) if r.uid not in ("9a3280b14a4285c9", "36b263b05174aef9")]
        if not repos:
            raise CMError("Repository not found")
        force = truthy(i.get("force", False)) or truthy(i.get("f", False))
        deleted = []
        for repo in repos:
            if is_console(i) and not force:
                answer = confirm(f"Are you sure you want to delete repository {repo.path} (y/N): ")
                if not answer:
                    say("Skipped!" if answer is False else "Skipped (no terminal to confirm: add -f)!")
                    continue
            self.core.registry.remove_path(repo.path)
            if truthy(i.get("all", False)):
                shutil.rmtree(repo.path, ignore_errors=True)
            deleted.append(repo)
        self.core.reload_repos()
        return {"return": 0, "deleted_list": deleted}

    # -- pull --------------------------------------------------------------------------------
    def pull(self, i: dict[str, Any]) -> dict[str, Any]:
        """Get a repo: ``cm pull repo owner@name|URL|PATH|FILE.zip|FILE.tar.gz [--branch=] [--checkout=]``."""
        from colmind.store.fetch import classify

        artifact, url = str(i.get("artifact") or ""), str(i.get("url") or "")
        if not artifact and not url:
            return self._pull_all(i)
        source = classify(artifact, url)
        dest = self.core.repos_path / "repos" / check_name(source.alias.replace("/", "@"), "repository folder name")
        if i.get("dir"):
            dest = dest / check_relative_path(str(i["dir"]), "--dir")
        if dest.exists():
            result = self._update_existing(i, str(dest))
        else:
            meta = self._fetch_new(i, source, str(dest))
            if is_console(i):
                say(f"CM alias for this repository: {meta.get('alias')}")
                say(f"Local path: {dest}")
            result = {"return": 0, "meta": meta, "metas": {meta.get("alias"): meta}, "path": str(dest)}
        install_requirements(result["path"], result["meta"], str(i.get("extra_cmd_pip") or ""), is_console(i))
        return result

    def _fetch_new(self, i: dict[str, Any], source: Any, dest: str) -> dict[str, Any]:
        from colmind.store.fetch import fetch_into
        from colmind.store.gitops import GitOptions

        tmp = os.path.join(os.path.dirname(dest), f".tmp-pull-{os.path.basename(dest)}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            if is_console(i):
                say(f"Pulling {source.location} ...")
            fetch_into(source, tmp, GitOptions.from_input(i), unwrap=not truthy(i.get("skip_zip_parent_dir", False)))
            meta = self._repo_meta_for(tmp, source, i)
            self._check_unique(meta, dest)
            os.replace(tmp, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(tmp + ".unpack", ignore_errors=True)
        self.core.registry.add_path(dest)
        self.core.reload_repos()
        return meta

    def _repo_meta_for(self, path: str, source: Any, i: dict[str, Any]) -> dict[str, Any]:
        loaded = load_meta_pair(path, "cmr") or _mlc_meta(path)
        if loaded is not None:
            return loaded[0]
        meta = repo_meta_for_new(source.alias, ids.gen_uid(), str(i.get("desc") or ""),
                                 str(i.get("prefix") or ""), git=source.kind == "git")
        atomic.write_yaml(os.path.join(path, "cmr.yaml"), meta)
        return meta

    def _update_existing(self, i: dict[str, Any], dest: str) -> dict[str, Any]:
        from colmind.store.gitops import GitOptions, check_out, run_git

        if load_meta_pair(dest, "cmr") is None and _mlc_meta(dest) is None:
            raise CMError(f"{dest} exists but is not a CM repository: remove it, then pull again")
        if not os.path.isdir(os.path.join(dest, ".git")) and is_console(i):
            say(f"{dest} already exists and is not a git checkout: nothing to update. To fetch it again: "
                f"cm rm repo {os.path.basename(dest)} --all -f, then pull.")
        if os.path.isdir(os.path.join(dest, ".git")):
            opts = GitOptions.from_input(i)
            check_out(dest, opts)
            if not opts.checkout and not truthy(i.get("checkout_only", False)):
                run_git(["pull"], cwd=dest)
        if all(os.path.realpath(r.path) != os.path.realpath(dest) for r in self.core.repos):
            self.core.registry.add_path(dest)
        self.core.reload_repos()
        meta = load_repo(dest).meta
        return {"return": 0, "meta": meta, "metas": {meta.get("alias"): meta}, "path": dest}

    def _pull_all(self, i: dict[str, Any]) -> dict[str, Any]:
        from colmind.store.fetch import run_git

        updated = []
        for repo in self.core.repos:
            if repo.meta.get("git") and os.path.isdir(os.path.join(repo.path, ".git")):
                if is_console(i):
                    say(f"Updating {repo.path} ...")
                run_git(["pull"], cwd=repo.path)
                updated.append(repo)
        self.core.reload_repos()
        return {"return": 0, "list": updated}

    def checkout(self, i: dict[str, Any]) -> dict[str, Any]:
        """Check out a branch or commit of a pulled repo: ``cm checkout repo NAME --branch=|--checkout=``."""
        repo = self._one(str(i.get("artifact") or ""))
        return self._update_existing({**i, "checkout_only": True}, repo.path)

    def update(self, i: dict[str, Any]) -> dict[str, Any]:
        """``git pull`` every git repository."""
        return self._pull_all(i)

    # -- pack / unpack / reindex ---------------------------------------------------------------
    def pack(self, i: dict[str, Any]) -> dict[str, Any]:
        """Zip a repository (without ``.git``) into ``./cm.zip``: ``cm pack repo NAME [--pack_file=F]``."""
        from colmind.store.archive import make_zip

        repo = self._one(str(i.get("artifact") or ""))
        target = os.path.abspath(str(i.get("pack_file") or "cm.zip"))
        count = make_zip(repo.path, target)
        if is_console(i):
            say(f"Packed {count} files of {repo.path} into {target}")
        return {"return": 0, "path": target, "files": count}

    def unpack(self, i: dict[str, Any]) -> dict[str, Any]:
        """Install a repository from ``./cm.zip`` (or ``--pack_file``): ``cm unpack repo``."""
        from colmind.store.fetch import Source

        name = str(i.get("pack_file") or i.get("artifact") or "cm.zip")
        archive = os.path.abspath(name)
        if not os.path.isfile(archive):
            raise NotFound(f"CM repo pack file not found {name}")
        source = Source("archive", archive, "")
        alias = _alias_inside_zip(archive)
        if self.core.find_repos(alias):
            raise CMError("Repository already exists")
        meta = self._fetch_new(i, Source(source.kind, archive, alias), str(self.core.repos_path / "repos" / alias))
        return {"return": 0, "meta": meta}

    def reindex(self, i: dict[str, Any]) -> dict[str, Any]:
        """Rebuild the index from the disk: ``cm reindex repo``."""
        import time

        start = time.perf_counter()
        if is_console(i):
            say("Reindexing all CM artifacts ...")
        count = self.core.rebuild_index()
        took = time.perf_counter() - start
        if is_console(i):
            say(f"Indexed {count} artifacts. Took {took:.3f} sec.")
        return {"return": 0, "artifacts": count, "time": took}

    def detect(self, i: dict[str, Any]) -> dict[str, Any]:
        """Which repository and artifact the current directory (or ``--path``) belongs to."""
        from colmind.automations.detect import detect_here

        here = detect_here(str(i.get("path") or os.getcwd()))
        if is_console(i):
            say(f"CM repository: {here.repo_path or 'not found'}")
            if here.artifact:
                say(f"CM artifact: {here.artifact} ({here.automation}) in {here.artifact_path}")
        return {"return": 0, "found": bool(here.repo_path), "path_to_repo": here.repo_path,
                "registered": bool(here.repo), "cm_repo": here.repo, "artifact_found": bool(here.artifact),
                "path_to_artifact": here.artifact_path, "cm_automation": here.automation,
                "cm_artifact": here.artifact}

    def _one(self, name: str) -> RepoInfo:
        repos = self.core.find_repos(name)
        if not repos:
            raise NotFound(f"repository {name!r} not found" if name else "no repositories found")
        if len(repos) > 1 and name:
            raise CMError(f"more than 1 repository matches {name!r}")
        return repos[0]


def install_requirements(path: str, meta: dict[str, Any], extra_pip: str, console: bool) -> bool:
    """``install_python_requirements: true`` in ``cmr.yaml``: ``pip install -r requirements.txt``
    (plus ``--extra_cmd_pip``) with the Python running colmind, as CM does. Returns whether it ran."""
    import shlex
    import subprocess
    import sys

    requirements = os.path.join(path, "requirements.txt")
    if not truthy(meta.get("install_python_requirements", False)) or not os.path.isfile(requirements):
        return False
    cmd = [sys.executable, "-m", "pip", "install", "-r", requirements, *shlex.split(extra_pip)]
    if console:
        say(f"Installing the repository's Python requirements: {' '.join(cmd)}")
    proc = subprocess.run(cmd, capture_output=not console, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-3:] if not console else []
        raise CMError(f"installing {requirements} failed (pip exit {proc.returncode})"
                      + (": " + " | ".join(tail) if tail else ""))
    return True


def _check_alias(alias: str) -> str:
    """A repository alias names a folder of ``$CM_REPOS/repos``: a path is given with ``--path``."""
    if alias:
        problem = name_problem(alias, extra_forbidden=":,")
        if problem:
            raise BadName(f"invalid repository alias {alias[:200]!r}: it {problem}; a repository placed "
                          f"elsewhere on purpose is given with --path (cm init repo [ALIAS] --path=DIR)")
    return alias


def _check_same(meta: dict[str, Any], alias: str, uid: str, prefix: str, path: str) -> None:
    for key, wanted in (("alias", alias), ("uid", uid), ("prefix", prefix)):
        if wanted and str(meta.get(key, "")) != wanted:
            raise CMError(f"{path} already holds a repository with {key} {meta.get(key)!r}, not {wanted!r}")


def _alias_inside_zip(archive: str) -> str:
    """The alias in the pack's ``cmr.yaml``/``cmr.json``; it names a folder, so it must be a plain name."""
    import zipfile

    import yaml

    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            texts = [zf.read(c).decode("utf-8", "replace") for c in ("cmr.yaml", "cmr.json") if c in names]
    except zipfile.BadZipFile as exc:
        raise CMError(f"{archive} is not a valid zip archive: {exc}") from None
    for text in texts:
        try:
            meta = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CMError(f"detected problem in cmr.yaml inside {archive}: {exc}") from None
        alias = str(meta.get("alias") or "") if isinstance(meta, dict) else ""
        if alias:
            if alias.startswith(".") or name_problem(alias, extra_forbidden=":,"):
                raise CMError(f"{archive}: repository alias {alias!r} cannot be used as a folder name")
            return alias
    raise CMError(f"{archive} holds no cmr.yaml/cmr.json with an alias")


def _print_repo(repo: RepoInfo, git: dict[str, str]) -> None:
    say(f"Path: {repo.path}")
    if repo.meta.get("prefix"):
        say(f"CM sub-directory: {repo.meta['prefix']}")
    say(f"Alias: {repo.alias}")
    if os.path.basename(repo.path) != repo.alias:
        say(f"Original alias: {os.path.basename(repo.path)}")
    say(f"UID: {repo.uid}")
    say(f"Description: {repo.meta.get('desc', '')}")
    say(f"Git: {bool(git['url'])}")
    if git["url"]:
        say(f"URL: {git['url']}\nBranch: {git['branch']}\nCommit: {git['commit']}")
    say("")


def _mlc_meta(path: str) -> tuple[dict[str, Any], list[str]] | None:
    """The root ``meta.yaml`` of an MLC repository, when it names the repository."""
    loaded = load_meta_pair(path, "meta")
    return loaded if loaded is not None and (loaded[0].get("uid") or loaded[0].get("alias")) else None
