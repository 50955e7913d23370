"""The git side of ``cm pull repo`` / ``cm checkout repo``: clone and check-out options.

CM's flags: ``--branch``, ``--checkout``, ``--new_branch``, ``--depth``, ``--pat`` (a personal
access token inserted into an https URL) and ``--extra_cmd_git`` (extra words for ``git clone``).
A token never appears in colmind's output or errors, and is not left in ``.git/config``: after the
clone the remote URL is reset to the URL without it (CM keeps it there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from colmind.errors import CMError


@dataclass(frozen=True)
class GitOptions:
    branch: str = ""
    checkout: str = ""
    new_branch: str = ""
    depth: str = ""
    pat: str = ""
    extra: str = ""

    @classmethod
    def from_input(cls, i: dict[str, object]) -> GitOptions:
        def text(key: str) -> str:
            value = i.get(key)
            return "" if value in (None, False, True) else str(value)

        return cls(text("branch"), text("checkout"), text("new_branch"), text("depth"), text("pat"),
                   text("extra_cmd_git"))


def with_pat(url: str, pat: str) -> str:
    """``https://host/...`` -> ``https://PAT@host/...`` (``user:PAT`` when the URL names a user)."""
    if not pat or not url.startswith("https://"):
        return url
    rest = url[len("https://"):]
    host, sep, path = rest.partition("/")
    if "@" in host:
        user = host.split("@", 1)[0].split(":", 1)[0]
        host = host.split("@", 1)[1]
        return f"https://{user}:{pat}@{host}{sep}{path}"
    return f"https://{pat}@{host}{sep}{path}"


def masked(text: str, pat: str) -> str:
    return text.replace(pat, "***") if pat else text


def run_git(args: list[str], cwd: str | None = None, secret: str = "") -> str:
    """Run git; a failure is a CMError carrying git's own message (with ``secret`` masked)."""
    if shutil.which("git") is None:
        raise CMError("git is not installed: install git or pull a .zip/.tar.gz archive instead")
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        words = masked(" ".join(args[:2]), secret)
        reason = masked(detail[-1], secret) if detail else f"exit {proc.returncode}"
        raise CMError(f"git {words} failed: {reason}")
    return proc.stdout


def clone(url: str, dest: str, opts: GitOptions) -> None:
    """``git clone`` (with depth, branch, extra words and token), then the check-out steps."""
    import shlex

    args = ["clone", with_pat(url, opts.pat), dest]
    if opts.depth:
        args[1:1] = ["--depth", opts.depth]
    if opts.branch and not opts.checkout:
        args[1:1] = ["--branch", opts.branch]
    args += shlex.split(opts.extra)
    run_git(args, secret=opts.pat)
    if opts.pat:
        run_git(["remote", "set-url", "origin", url], cwd=dest)
    check_out(dest, GitOptions(checkout=opts.checkout, new_branch=opts.new_branch,
                               branch=opts.branch if opts.checkout else ""))


def check_out(dest: str, opts: GitOptions) -> None:
    """CM's order: both branch and commit -> a new branch at the commit tracking origin/branch;
    branch alone -> fetch + checkout; commit alone -> checkout; then ``--new_branch``."""
    if opts.branch and opts.checkout:
        run_git(["checkout", "-b", opts.branch, opts.checkout], cwd=dest)
        run_git(["branch", f"--set-upstream-to=origin/{opts.branch}", opts.branch], cwd=dest)
    elif opts.branch:
        run_git(["fetch"], cwd=dest)
        run_git(["checkout", opts.branch], cwd=dest)
    elif opts.checkout:
        run_git(["checkout", opts.checkout], cwd=dest)
    if opts.new_branch:
        run_git(["checkout", "-b", opts.new_branch], cwd=dest)
