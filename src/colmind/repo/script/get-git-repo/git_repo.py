"""Clone (or update) a git repository and check out a branch/tag/commit; never prompts.

CLI: `python git_repo.py URL DEST [--branch B] [--checkout SHA] [--depth N] [--submodules]`.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

GIT_ENV = {'GIT_TERMINAL_PROMPT': '0', 'GCM_INTERACTIVE': 'never', 'GIT_ASKPASS': 'true', 'SSH_ASKPASS': 'true'}


class GitError(Exception):
    """A git command failed (message has the command and git's last words)."""


@dataclass(frozen=True)
class Request:
    url: str
    dest: str
    branch: str = ''       # branch or tag for `git clone --branch`
    checkout: str = ''     # commit (or any ref) checked out after cloning
    depth: int = 0         # 0 = full history
    submodules: bool = False


@dataclass(frozen=True)
class Checkout:
    path: str
    commit: str
    ref: str


def parse_depth(value) -> int:
    """'' / '4' / '--depth 4' / '--depth=4' -> int (0 = full history)."""
    text = str(value or '').strip()
    if not text:
        return 0
    m = re.fullmatch(r'(?:--depth[ =]\s*)?(\d+)', text)
    if not m:
        raise GitError(f'depth must be a number (or "--depth N"), got {text!r}')
    return int(m.group(1))


def normalize_url(url: str, depth: int) -> str:
    """Local directories become absolute paths (file:// when shallow, as git requires)."""
    if '://' not in url and not re.match(r'^[\w.-]+@[\w.-]+:', url) and os.path.isdir(os.path.expanduser(url)):
        path = os.path.abspath(os.path.expanduser(url))
        return 'file://' + path if depth else path
    return url


def git(args: list, cwd: str | None = None) -> str:
    cmd = ['git'] + args
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                             env=dict(os.environ, **GIT_ENV))
    except OSError as e:
        raise GitError(f'cannot run git ({e}); install git') from e
    if out.returncode != 0:
        last = (out.stderr or out.stdout).strip().splitlines()
        raise GitError(f'`{" ".join(cmd)}` failed: {last[-1] if last else "exit code " + str(out.returncode)}')
    return out.stdout.strip()


def _origin(path: str) -> str:
    try:
        return git(['config', '--get', 'remote.origin.url'], cwd=path)
    except GitError:
        return ''


def _checkout(path: str, ref: str, shallow: bool) -> None:
    try:
        git(['checkout', '--quiet', ref], cwd=path)
        return
    except GitError:
        if not shallow:
            raise
    git(['fetch', '--quiet', '--unshallow'], cwd=path)  # the commit may be older than the shallow history
    git(['checkout', '--quiet', ref], cwd=path)


def _clone(req: Request, url: str) -> None:
    tmp = req.dest + '.tmp-' + str(os.getpid())
    shutil.rmtree(tmp, ignore_errors=True)
    args = ['clone', '--quiet']
    args += ['--depth', str(req.depth)] if req.depth else []
    args += ['--branch', req.branch] if req.branch else []
    args += ['--recurse-submodules'] if req.submodules else []
    try:
        git(args + [url, tmp])
        if req.checkout:
            _checkout(tmp, req.checkout, bool(req.depth))
    except GitError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(req.dest, ignore_errors=True)
    os.replace(tmp, req.dest)


def _update(req: Request) -> None:
    git(['fetch', '--quiet', '--tags', 'origin'], cwd=req.dest)
    ref = req.checkout or (('origin/' + req.branch) if req.branch and _is_branch(req) else req.branch)
    if ref:
        _checkout(req.dest, ref, bool(req.depth))


def _is_branch(req: Request) -> bool:
    try:
        git(['rev-parse', '--verify', '--quiet', 'refs/remotes/origin/' + req.branch], cwd=req.dest)
        return True
    except GitError:
        return False


def get_repo(req: Request) -> Checkout:
    url = normalize_url(req.url, req.depth)
    if os.path.isdir(os.path.join(req.dest, '.git')) and _origin(req.dest) in (url, req.url):
        _update(req)
    else:
        _clone(req, url)
    if req.submodules:
        git(['submodule', 'update', '--init', '--recursive', '--quiet'], cwd=req.dest)
    commit = git(['rev-parse', 'HEAD'], cwd=req.dest)
    return Checkout(path=req.dest, commit=commit, ref=req.checkout or req.branch or 'HEAD')


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('url')
    ap.add_argument('dest')
    ap.add_argument('--branch', default='')
    ap.add_argument('--checkout', default='')
    ap.add_argument('--depth', default='')
    ap.add_argument('--submodules', action='store_true')
    a = ap.parse_args()
    try:
        c = get_repo(Request(a.url, os.path.abspath(a.dest), a.branch, a.checkout, parse_depth(a.depth), a.submodules))
    except GitError as err:
        raise SystemExit(f'error: {err}') from None
    print(f'{c.path} {c.commit}')
