"""Recipe-defined cache validation (spec 2.7): a recipe folder with ``validate_cache.sh``
(``.bat`` on Windows) has every candidate entry checked before it is served.

As in CM/MLC, the recipe's ``dynamic`` deps run first (once per lookup), then
``validate_cache`` runs in the caller's working directory with the current env and the
recipe's ``detect_version`` hook as post-processing. A failing script, or a detected version
other than the entry's ``version``, makes the entry invalid (colmind then rebuilds it).
"""

from __future__ import annotations

import os

from colmind.engine import depsrun, hostinfo
from colmind.engine.hookinput import hook_input

TYPE_CHECKING = False

if TYPE_CHECKING:
    from colmind.engine.cachestore import Entry
    from colmind.engine.execute import ScriptRun

SCRIPT_NAME = "validate_cache"


def script_path(recipe_dir: str) -> str:
    """The recipe's ``validate_cache`` script, or ``""``."""
    ext = ".bat" if hostinfo.is_windows() else ".sh"
    path = os.path.join(recipe_dir, SCRIPT_NAME + ext)
    return path if os.path.isfile(path) else ""


class ScriptValidator:
    """Runs ``validate_cache`` for the candidate entries of one lookup."""

    def __init__(self, run: ScriptRun) -> None:
        self.run = run
        self.path = script_path(run.recipe.path)
        self.deps_done = False

    def reasons(self, entry: Entry) -> list[str]:
        """Why ``entry`` fails the recipe's own check (empty = valid or no script)."""
        if not self.path:
            return []
        self._dynamic_deps()
        run = self.run
        hook_input(run, "detect_version")  # fills run_script_input['customize_common_input']
        r = run.ctx.automation.run_native_script({
            "run_script_input": run.rsi, "env": run.env, "script_name": SCRIPT_NAME, "detect_version": True})
        if r.get("return", 0) > 0:
            return [f"{SCRIPT_NAME} failed: {r.get('error', 'no message')}"]
        detected, recorded = str(r.get("version") or ""), str(entry.meta.get("version") or "")
        if detected and recorded and detected != recorded:
            return [f"{SCRIPT_NAME} detected version {detected}, the entry was made for {recorded}"]
        return []

    def _dynamic_deps(self) -> None:
        """``dynamic`` deps (not recorded as the run's deps: CM passes them a throw-away run state)."""
        if self.deps_done:
            return
        self.deps_done = True
        run = self.run
        called = len(run.deps_called)
        depsrun.run_list(run, "deps", only_dynamic=True)
        del run.deps_called[called:]
