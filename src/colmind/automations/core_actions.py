"""The ``core`` automation: ``cm uid core``, ``cm version``, ``cm test core``, ``cm init``."""

from __future__ import annotations

from colmind.automations.base import Automation, is_console
from colmind.console import say

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class CoreAutomation(Automation):
    """colmind itself."""

    def gen_uid(self, i: dict[str, Any]) -> dict[str, Any]:
        """Print a new CM UID (``cm uid core``)."""
        from colmind.store.ids import gen_uid

        value = gen_uid()
        if is_console(i):
            say(value)
        return {"return": 0, "uid": value}

    def init(self, i: dict[str, Any]) -> dict[str, Any]:
        """Check the installation; creates ``$CM_REPOS`` and the local repo. Never installs anything."""
        import shutil

        repos = self.core.repos
        checks = {tool: bool(shutil.which(tool)) for tool in ("git", "python3", "wget", "curl")}
        if is_console(i):  # CM's two checks, with what colmind found (it installs nothing)
            say("Checking platform information ...")
            say("[SUCCESS]")
            say("")
            say("Checking system dependencies ...")
            for tool, ok in checks.items():
                say(f"  {tool}: {'found' if ok else 'NOT FOUND'}")
            say(f"  repositories: {len(repos)} registered under {self.core.repos_path}")
            say("[SUCCESS]")
        return {"return": 0, "tools": checks}
