"""Developer path: regenerate (or check) the READMEs of the built-in recipes in the source tree.

    python -m colmind.container.readmes           # write src/colmind/repo/script/*/README.md
    python -m colmind.container.readmes --check   # exit 1 when one is stale (CI: tests check it too)

``make docs`` runs the first form. Ordinary ``cm doc script`` never writes into the built-in
repository (it is read-only for users); this module refuses to write unless the built-in
repository lies in a source checkout (a ``pyproject.toml`` two levels above the package).
"""

from __future__ import annotations

import os
import sys

from colmind.engine.readme_files import BUILTIN_UID, DocOutcome, document

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def builtin_recipes() -> list[Any]:
    from colmind.core import get_core

    core = get_core()
    return sorted((a for a in core.find("script", "", []) if a.repo.uid == BUILTIN_UID), key=lambda a: a.alias)


def in_checkout(path: str) -> bool:
    package = os.path.dirname(os.path.abspath(path))
    return os.path.isfile(os.path.join(os.path.dirname(os.path.dirname(package)), "pyproject.toml"))


def refresh(check: bool) -> list[DocOutcome]:
    from colmind.store.repos import builtin_repo_path

    if not check and not in_checkout(builtin_repo_path()):
        raise SystemExit(f"{builtin_repo_path()} is not in a source checkout; refusing to write there")
    return [document(art, check=check, allow_builtin=True) for art in builtin_recipes()]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    outcomes = refresh(check)
    changed = [o for o in outcomes if o.status != "current"]
    for outcome in changed:
        print(f"{outcome.status}: {outcome.target}")
    print(f"{len(outcomes)} built-in recipe READMEs, {len(changed)} {'stale' if check else 'rewritten'}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
