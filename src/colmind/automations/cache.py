"""The ``cache`` automation (UID 541d6f712a6b464e): find/ls, show, rm and prune cache entries.

Entries keep CM's layout; ``prune`` removes incomplete entries (not locked by a running build),
invalid ones (recorded paths or dependency entries gone) and, with ``--days=N``, old ones.
"""

from __future__ import annotations

import os
import time

from colmind.automations.base import Automation, is_console, truthy
from colmind.console import say

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class CacheAutomation(Automation):
    """Cached outputs of recipes."""

    def show(self, i: dict[str, Any]) -> dict[str, Any]:
        """``cm show cache [--tags=...] [--env]``: tags, path, version (and new_env) of entries."""
        from colmind.engine import cachestore

        found = sorted(self._search(i), key=lambda a: sorted(a.tags))
        for art in found:
            entry = cachestore.Entry(art.path, dict(art.original_meta))
            if not is_console(i):
                continue
            plain = sorted(t for t in entry.tags if not t.startswith("_"))
            var = sorted(t for t in entry.tags if t.startswith("_"))
            status = "" if entry.complete else "  (INCOMPLETE)"
            say(f"* Tags: {','.join(plain + var)}{status}")
            say(f"  Path: {art.path}")
            say(f"  Version: {entry.meta.get('version', '')}")
            if entry.key:
                say(f"  Key: {entry.key[:16]}")
            if truthy(i.get("env", False)) and entry.complete:
                import json

                say("  New env:")
                say("    " + json.dumps(entry.load_state().get("new_env", {}), indent=2, sort_keys=True)
                    .replace("\n", "\n    "))
        return {"return": 0, "list": found}

    def prune(self, i: dict[str, Any]) -> dict[str, Any]:
        """``cm prune cache [--days=N] [--tags=...] [--dry_run]``: drop incomplete, invalid and old entries."""
        from colmind.engine import cachestore
        from colmind.engine.versions import Constraints
        from colmind.errors import LockTimeout

        days = float(i.get("days") or 0)
        dry = truthy(i.get("dry_run", False))
        removed: list[dict[str, str]] = []
        for art in self._search(i):
            entry = cachestore.Entry(art.path, dict(art.original_meta))
            reason = _prune_reason(entry, days, Constraints(), self.core)
            if not reason:
                continue
            try:
                with self.core.lock("cache-" + entry.key, timeout=0) if entry.key else _null():
                    if not dry:
                        cachestore.delete(self.core, entry)
            except LockTimeout:
                continue  # a build is running on it right now
            removed.append({"path": art.path, "reason": reason})
            if is_console(i):
                say(f"{'Would remove' if dry else 'Removed'} {art.path}: {reason}")
        return {"return": 0, "removed": removed}


def _prune_reason(entry: Any, days: float, constraints: Any, core: Any) -> str:
    from colmind.engine import cachestore

    if not entry.complete:
        return "incomplete (tmp or no state file)"
    reasons = cachestore.validate(entry, constraints, core)
    if reasons:
        return "invalid: " + "; ".join(reasons)
    if days > 0:
        made = float(entry.meta.get("colmind_completed") or entry.meta.get("colmind_created") or 0)
        if not made:
            made = os.path.getmtime(entry.path)
        if time.time() - made > days * 86400:
            return f"older than {days:g} days"
    return ""


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: Any) -> None:
        return None
