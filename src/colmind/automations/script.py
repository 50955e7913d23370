"""The ``script`` automation (UID 5b4e0237da074764): run, find, show/info, help and add recipes.

Thin: every action delegates to :mod:`colmind.engine`.
"""

from __future__ import annotations

from colmind.automations.base import Automation, is_console, truthy
from colmind.console import say
from colmind.engine.recipe_api import RecipeHelpers
from colmind.errors import NotFound

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class ScriptAutomation(RecipeHelpers, Automation):
    """Portable scripts (recipes) of CM and MLC format."""

    def run(self, i: dict[str, Any]) -> dict[str, Any]:
        """Run a recipe: ``cm run script --tags=a,b,_variation [--flags]`` (``cmr "a b"``).

        Flags: --quiet --new --renew --skip_cache --force_cache --fake_run --fake_deps --print_deps
        -v -s --env.K=V --const.K=V --state.K=V --adr.NAME.key=V --ad.NAME.key=V --version[_min|_max]
        --extra_cache_tags --name -j --time --print_env --outdirname --path --ignore_script_error
        --dirty --save_env --dry-run --record=PATH --repro
        """
        from colmind.engine import entry

        if truthy(i.get("help", False)) or truthy(i.get("h", False)):
            return self.help(i)
        return entry.run(self.core, self, i)

    def prepare(self, i: dict[str, Any]) -> dict[str, Any]:
        """``cm prepare script``: a fake run (deps only)."""
        return self.run({**i, "fake_run": True})

    def search(self, i: dict[str, Any]) -> dict[str, Any]:
        """Find recipes: ``cm find script [name] [--tags=a,-b,_variation]``."""
        from colmind.engine import execute
        from colmind.engine import resolve as res

        query, artifact = execute.parse_request({k: v for k, v in i.items() if k != "artifacts"})
        if not query.tags and not query.excluded_tags and not artifact:
            found = self.core.find("script", "", [])
            recipes = [res.meta_mod.from_artifact(a) for a in found]
        else:
            recipes = res.filter_variations(res.find_candidates(self.core, query, artifact), query)
        if is_console(i):
            for r in recipes:
                say(r.path)
        return {"return": 0, "list": [r.artifact for r in recipes]}

    def show(self, i: dict[str, Any]) -> dict[str, Any]:
        """Describe matching recipes (path, tags, variations, inputs, deps)."""
        return self.help(i)

    def help(self, i: dict[str, Any]) -> dict[str, Any]:
        """Variations, inputs and defaults of the recipes matching the query."""
        from colmind.engine import helpdoc
        from colmind.engine import meta as meta_mod

        found = self.search({**i, "out": None})["list"]
        if not found:
            raise NotFound("no scripts were found with above tags", hint="cm find script --tags=...")
        texts = [helpdoc.render(meta_mod.from_artifact(a)) for a in found]
        if is_console(i):
            say("\n".join(texts))
        return {"return": 0, "help": "\n".join(texts), "list": found}

    def doc(self, i: dict[str, Any]) -> dict[str, Any]:
        """Write README.md of recipes from their meta: ``cm doc script NAME|--tags=... [--print]``."""
        import os

        from colmind.engine.readme import render_script_readme
        from colmind.store import atomic

        found = self.search({**i, "out": None})["list"]
        if not found:
            raise NotFound("no scripts were found to document", hint="cm find script --tags=...")
        written = []
        for art in found:
            # a README travels with its repository: name the recipe's path relative to it
            text = render_script_readme(art.meta, art.path).replace(
                f"`{art.path}`", f"`{os.path.relpath(art.path, art.repo.path)}`")
            if truthy(i.get("print", False)):
                if is_console(i):
                    say(text)
                continue
            target = os.path.join(art.path, "README.md")
            atomic.write_text(target, text)
            written.append(target)
            if is_console(i):
                say(f"Wrote {target}")
        return {"return": 0, "list": found, "written": written}

    def add(self, i: dict[str, Any]) -> dict[str, Any]:
        """Create a working recipe: ``cm add script [repo:]NAME [--tags=a,b]``."""
        from colmind.engine import template
        from colmind.store import ids
        from colmind.store.tags import split_tags

        alias = ids.parse_object(str(i.get("artifact") or ""))[0][0]
        if not alias:
            from colmind.errors import CMError

            raise CMError("give the new recipe a name: cm add script my-recipe --tags=my,recipe")
        meta = template.meta_for(alias, split_tags(i.get("tags")) or [alias])
        meta.update(i.get("meta") or {})
        r = super().add({**i, "meta": meta, "tags": None, "out": None})
        template.write_files(str(r["path"]), alias)
        if is_console(i):
            say(f"Added recipe at {r['path']} (edit _cm.json, customize.py, run.sh; run it with: "
                f"cm run script --tags={','.join(meta['tags'])})")  # type: ignore[arg-type]
        return r
