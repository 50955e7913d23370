"""The ``script`` automation (UID 5b4e0237da074764): run, find, show/info, help and add recipes.

Thin: every action delegates to :mod:`colmind.engine`.
"""

from __future__ import annotations

from colmind.automations.base import Automation, is_console, meta_input, truthy
from colmind.console import say
from colmind.engine.recipe_api import RecipeHelpers
from colmind.errors import NotFound

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

# Plug-in table: actions implemented by a package above the api (``colmind.container``). Module
# paths are strings imported on first use, so this layer never imports upward.
CONTAINER_ACTIONS = {
    "docker": "colmind.container.action:docker",
    "dockerfile": "colmind.container.action:dockerfile",
    "run_with_docker": "colmind.container.action:run_with_docker",
}


def _plugin(name: str) -> Any:
    from importlib import import_module

    module, _, func = CONTAINER_ACTIONS[name].partition(":")
    return getattr(import_module(module), func)


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
        if i.get("docker") not in (None, False, "", "no", "false", "False") and not i.get("recursion"):
            redirected = _plugin("run_with_docker")(self, i)
            if redirected is not None:
                return redirected  # type: ignore[no-any-return]
        return entry.run(self.core, self, i)

    def docker(self, i: dict[str, Any]) -> dict[str, Any]:
        """Run a recipe in a container: ``cm docker script --tags=... [--docker_*]`` (``cmrd``).

        The image is built from colmind's own wheel and the recipe's repositories (offline), one
        ``RUN`` per resolved dependency; its tag is a content hash (an unchanged recipe reuses it).
        ``--docker_dry_run`` prints the Dockerfile, build/run commands, tag and mounts.
        ``--docker_tool=auto|docker|podman|apptainer``; ``--help`` lists every ``--docker_*`` flag.
        """
        return _plugin("docker")(self, i)  # type: ignore[no-any-return]

    def dockerfile(self, i: dict[str, Any]) -> dict[str, Any]:
        """Write the Dockerfile and build context of a recipe: ``cm dockerfile script --tags=...``."""
        return _plugin("dockerfile")(self, i)  # type: ignore[no-any-return]

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
        """Write README.md of recipes from their meta: ``cm doc script NAME|--tags=... [--print]
        [--check] [--output_dir=DIR]``. ``--check`` writes nothing and fails (return 1) when a README
        is stale; the built-in repository is only ever checked or written to ``--output_dir``."""
        from colmind.engine import readme_files

        found = self.search({**i, "out": None})["list"]
        if not found:
            raise NotFound("no scripts were found to document", hint="cm find script --tags=...")
        check, output_dir = truthy(i.get("check", False)), str(i.get("output_dir") or "")
        outcomes = []
        for art in found:
            if truthy(i.get("print", False)):
                text = readme_files.render_for(art)
                if is_console(i):
                    say(text)
                continue
            outcome = readme_files.document(art, output_dir=output_dir, check=check)
            outcomes.append(outcome)
            if is_console(i) and (outcome.status != "current" or not check):
                say(f"{outcome.status.capitalize()}: {outcome.target}")
        stale = [o.target for o in outcomes if o.status == "stale"]
        result = {"return": 0, "list": found, "written": [o.target for o in outcomes if o.status == "written"],
                  "stale": stale}
        if stale:
            result.update({"return": 1, "error": f"{len(stale)} README(s) are stale; run cm doc script "
                                                 "(built-in recipes: make docs) to regenerate them"})
        return result

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
        meta.update(meta_input(i))
        r = super().add({**i, "meta": meta, "tags": None, "out": None})
        template.write_files(str(r["path"]), alias)
        if is_console(i):
            say(f"Added recipe at {r['path']} (edit _cm.json, customize.py, run.sh; run it with: "
                f"cm run script --tags={','.join(meta['tags'])})")  # type: ignore[arg-type]
        return r
