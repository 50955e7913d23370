"""``cm doc script``: where each recipe's generated README goes, and whether it is current.

* The README of a recipe is rendered by :func:`colmind.engine.readme.render_script_readme` with
  the recipe's path shown relative to its repository (a README travels with its repository).
* A hand-written ``README.md`` (no generator marker) is kept: it is renamed to
  ``README-extra.md`` (when that does not exist yet; otherwise the command stops) and included in
  the generated README. Nothing is ``git add``-ed.
* ``check``: nothing is written; a README that is missing or differs from what would be
  generated is *stale*.
* The built-in repository is never written by ``cm doc script`` (give ``--output_dir``; the
  developer path that refreshes the READMEs in the source tree is ``make docs``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from colmind.engine.readme import is_generated, render_script_readme
from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

BUILTIN_UID = "36b263b05174aef9"


@dataclass(frozen=True)
class DocOutcome:
    alias: str
    target: str
    status: str  # current | stale | written | printed
    text: str


def is_mlc_format(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "meta.yaml")) and not any(
        os.path.isfile(os.path.join(path, n)) for n in ("_cm.yaml", "_cm.json"))


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def render_for(art: Any, extra: str | None = None) -> str:
    """The README text of artifact ``art`` (recipe path relative to its repository)."""
    shown = os.path.relpath(art.path, art.repo.path) if art.repo.path else art.path
    return render_script_readme(art.meta, shown.replace(os.sep, "/"), extra=_extra_text(art.path, extra),
                                mlc=is_mlc_format(art.path))


def _extra_text(path: str, extra: str | None) -> str | None:
    if extra is not None:
        return extra
    return _read(os.path.join(path, "README-extra.md")) or ""


def document(art: Any, output_dir: str = "", check: bool = False, allow_builtin: bool = False) -> DocOutcome:
    """Check or write the README of ``art`` (into ``output_dir/<alias>/`` when given)."""
    alias = art.alias or art.uid
    folder = os.path.join(output_dir, alias) if output_dir else art.path
    target = os.path.join(folder, "README.md")
    current = _read(target)
    handwritten = current is not None and not is_generated(current) and not output_dir
    if check:
        text = render_for(art, current if handwritten else None)
        status = "current" if current == text and not handwritten else "stale"
        return DocOutcome(alias, target, status, text)
    if not output_dir and art.repo.uid == BUILTIN_UID and not allow_builtin:
        raise CMError(f"the built-in repository is read-only ({art.path}): write the README elsewhere with "
                      "--output_dir=DIR or compare with --check (colmind developers: make docs)")
    if handwritten:
        _keep_handwritten(folder)
    text = render_for(art)
    if current == text and not handwritten:
        return DocOutcome(alias, target, "current", text)
    from colmind.store import atomic

    os.makedirs(folder, exist_ok=True)
    atomic.write_text(target, text)
    return DocOutcome(alias, target, "written", text)


def _keep_handwritten(folder: str) -> None:
    readme, extra = os.path.join(folder, "README.md"), os.path.join(folder, "README-extra.md")
    if os.path.exists(extra):
        raise CMError(f"{readme} is hand-written and {extra} exists too",
                      hint="merge them into README-extra.md, delete README.md, then run cm doc script again")
    os.replace(readme, extra)
