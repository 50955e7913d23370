"""Script selection: tag query (+ alias/UID positional) -> one recipe (spec 2.3).

Candidates are the scripts whose tags contain the script tags and none of the ``-`` tags and that
define every requested variation; they are sorted by ``(sort, path)``, built-in recipes last. Ambiguity is settled by a
remembered selection, ``--quiet``/non-tty stdin (first one), or a prompt.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, MutableMapping, Sequence

from colmind.engine import meta as meta_mod
from colmind.engine import variations as var_mod
from colmind.engine.meta import Recipe
from colmind.engine.tagquery import TagQuery
from colmind.errors import CMError, NotFound

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

SCRIPT = "script"

Chooser = Callable[[Sequence[Recipe], TagQuery], int]


def find_candidates(core: Any, query: TagQuery, artifact: str = "") -> list[Recipe]:
    """Scripts matching the script tags (and the alias/UID positional), variations ignored."""
    if not query.tags and not query.excluded_tags and not artifact:
        raise CMError("no tags or script name given", hint='use --tags=a,b or cm run script "a b"')
    found = core.find(SCRIPT, artifact or "", tags=query.script_query())
    recipes = [meta_mod.from_artifact(a) for a in found]
    return sorted(recipes, key=_preference)


def _preference(recipe: Recipe) -> tuple[bool, int, str]:
    """Recipes of registered repositories come before colmind's built-in ones of the same tags
    (a pulled collection overrides the defaults, and selection then matches CM's), then CM's
    ``(sort, path)`` order."""
    from colmind.store.repos import INTERNAL_UID

    return (recipe.artifact.repo.uid == INTERNAL_UID, recipe.sort, recipe.path)


def filter_variations(recipes: Sequence[Recipe], query: TagQuery) -> list[Recipe]:
    """Keep recipes that define every requested (or excluded) variation."""
    wanted = list(query.variations) + list(query.excluded_variations)
    return [r for r in recipes if all(var_mod.exists(r.variations, v) for v in wanted)]


def no_script_error(core: Any, query: TagQuery, artifact: str) -> NotFound:
    """``no scripts were found`` with the closest tags (return 1 like CM)."""
    known: set[str] = set()
    try:
        for a in core.find(SCRIPT):
            tags = (a.meta or {}).get("tags") or []
            known.update(str(t) for t in tags)
            known.add(str(a.alias))
    except Exception:  # noqa: BLE001 - suggestions are best effort
        pass
    hints = []
    for tag in list(query.tags) + ([artifact] if artifact else []):
        if tag not in known:
            import difflib

            close = difflib.get_close_matches(tag, sorted(known), n=3, cutoff=0.6)
            hints.append(f'"{tag}" is not a tag of any script' + (f"; closest: {', '.join(close)}" if close else ""))
    what = f'"{artifact}"' if artifact else f"tags {','.join(query.script_query())}"
    err = NotFound("no scripts were found with above tags (when variations ignored): " + what
                   + ("\n  " + "\n  ".join(hints) if hints else ""),
                   hint="check the tags with: cm find script --tags=...")
    err.return_code = 1  # type: ignore[misc]  # CM returns 1 here
    return err


def no_variation_error(recipes: Sequence[Recipe], query: TagQuery) -> NotFound:
    """``no scripts were found with above tags and variations`` (return 16) with close names."""
    lines = []
    wanted = list(query.variations) + list(query.excluded_variations)
    for r in recipes:
        missing = [v for v in wanted if not var_mod.exists(r.variations, v)]
        names = list(r.variations)
        import difflib

        close = sorted({c for v in missing for c in difflib.get_close_matches(v, names, n=3, cutoff=0.5)})
        line = (f"variation tags {missing} are not matching for the found script {r.alias} "
                f"with variations dict_keys({names})")
        if close:
            line += f"; closest: {', '.join('_' + c for c in close)}"
        lines.append(line)
    return NotFound("no scripts were found with above tags and variations\n\n" + "\n".join(lines))


def select(core: Any, query: TagQuery, artifact: str, *, remembered: MutableMapping[str, str],
           chooser: Chooser, use_cache: bool = True) -> Recipe:
    """Resolve a query to one recipe.

    Raises:
        NotFound: nothing matches (code 1 without variations, 16 with them).
    """
    recipes = find_candidates(core, query, artifact)
    if not recipes and artifact and "," not in artifact and ":" not in artifact:
        # MLC treats a plain positional as tags: accept it when no alias matched
        recipes = find_candidates(core, TagQuery(tags=(artifact,) + query.tags,
                                                 excluded_tags=query.excluded_tags), "")
    if not recipes:
        raise no_script_error(core, query, artifact)
    with_vars = filter_variations(recipes, query)
    if not with_vars:
        raise no_variation_error(recipes, query)
    if len(with_vars) == 1:
        return with_vars[0]
    memo_key = artifact + "|" + ",".join(sorted(query.script_query()))
    if memo_key in remembered:
        for r in with_vars:
            if r.uid == remembered[memo_key]:
                return r
    if use_cache:
        with_vars = prefer_cached(core, with_vars, query)
    chosen = with_vars[0] if len(with_vars) == 1 else with_vars[chooser(with_vars, query)]
    remembered[memo_key] = chosen.uid
    return chosen


def prefer_cached(core: Any, recipes: Sequence[Recipe], query: TagQuery) -> list[Recipe]:
    """CM/MLC: when cacheable candidates have complete cache entries carrying the requested tags
    and variations, only the scripts owning one stay candidates (unless that leaves none)."""
    from colmind.engine import cachestore

    if not any(r.meta.get("cache") or r.meta.get("can_force_cache") for r in recipes):
        return list(recipes)
    wanted = set(query.tags) | {"_" + v for v in query.variations}
    owning = []
    for r in recipes:
        entries = cachestore.entries_for_script(core, r.uid, r.dialect.script_tag_prefix)
        if any(e.complete and wanted <= set(e.tags) for e in entries):
            owning.append(r)
    return owning or list(recipes)


def make_chooser(quiet: bool, log: Callable[[str], None]) -> Chooser:
    """First candidate when quiet or stdin is not a tty; otherwise ask."""

    def choose(recipes: Sequence[Recipe], query: TagQuery) -> int:
        if quiet or not _stdin_is_tty():
            log(f"  {len(recipes)} scripts match {query.as_string()}; taking {recipes[0].alias} "
                "(first by sort, path)")
            return 0
        sys.stderr.write(f"More than one script found for tags {query.as_string()}:\n")
        for n, r in enumerate(recipes):
            sys.stderr.write(f"  {n}) {r.alias},{r.uid} ({r.path})\n")
        try:
            answer = input("Make your selection or press Enter for 0: ").strip()
        except EOFError:
            return 0
        return int(answer) if answer.isdigit() and int(answer) < len(recipes) else 0

    return choose


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, AttributeError):
        return False
