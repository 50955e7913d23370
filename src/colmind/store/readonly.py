"""The built-in repository (``internal``, shipped inside the package) is never written by a command.

Every store-level write (add, update, write_meta, delete, move and copy targets, generated files
such as ``cm doc script`` READMEs) asks ``check_writable`` first; the refusal names the path and
says where to write instead.
"""

from __future__ import annotations

import os

from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from colmind.store.model import RepoInfo


class ReadOnlyRepo(CMError):
    """A write into the built-in repository (return code 1)."""


def builtin_root() -> str:
    from colmind.store.repos import builtin_repo_path

    return os.path.realpath(builtin_repo_path())


def is_builtin(path: str) -> bool:
    """Whether ``path`` is the built-in repository or inside it (symlinks resolved)."""
    root = builtin_root()
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def check_writable(target: RepoInfo | str, action: str = "write") -> None:
    """Raise ``ReadOnlyRepo`` when ``target`` (a repository or a path) is in the built-in repository."""
    path = target if isinstance(target, str) else target.path
    if is_builtin(path):
        raise ReadOnlyRepo(f"cannot {action} {path}: the built-in repository (internal) is part of the "
                           "installed colmind package and is read-only; write to the local repository "
                           "or another one (copy an artifact out with: cm cp AUTOMATION internal:NAME local:NAME)")
