"""The ``automation`` automation: ``print-input`` and ``cm add automation NAME``."""

from __future__ import annotations

import json
import os

from colmind.automations.base import Automation, is_console
from colmind.console import say
from colmind.store import atomic

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


class AutomationAutomation(Automation):
    """Manage automations; automations are artifacts of this automation."""

    def print_input(self, i: dict[str, Any]) -> dict[str, Any]:
        """Print the input dict as parsed (``cm print-input automation ...``)."""
        say(json.dumps(i, indent=2, default=_jsonable))
        return {"return": 0}

    def add(self, i: dict[str, Any]) -> dict[str, Any]:
        """Create an automation: ``cm add automation NAME[,UID] [--tags=]`` (writes a ``module.py``)."""
        from colmind.automations.templates import MODULE_TEMPLATE
        from colmind.store.tags import split_tags

        tags = split_tags(i.get("tags"))
        if "automation" not in tags:
            tags.append("automation")
        result = super().add({**i, "tags": tags})
        path = result["path"]
        alias = result["meta"].get("alias") or result["meta"].get("uid")
        atomic.write_text(os.path.join(path, "module.py"), MODULE_TEMPLATE.format(alias=alias))
        if is_console(i):
            say(f"Created automation in {path}")
        return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return str(value)
