"""``cm run script ... --repro``: ``cm-output.json`` and ``cm-repro/`` in the working folder, the way
CM's experiments read them (spec cm-experiment 3.2), so ``cme -- cm run script "..." --repro``
records a recipe's outputs (flattened: ``output.return``, ``info.host_system``, ``new_env.X``...).
"""

from __future__ import annotations

import os
import platform
import sys
import uuid
from datetime import datetime

from colmind.engine.jsondump import dumps
from colmind.store import atomic

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

OUTPUT = "cm-output.json"
FOLDER = "cm-repro"
_SKIP = ("parsed_automation", "parsed_artifact", "parsed_artifacts", "cmd")


def _write(path: str, data: Any) -> None:
    atomic.write_report(path, dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(dumps(data, default=str))  # type: ignore[no-any-return]


def start(i: dict[str, Any], workdir: str) -> dict[str, Any]:
    """At the start of a run: ``cm-output.json`` with ``info`` and ``input``, ``cm-repro/`` input+info."""
    info = {
        "host_os_name": os.name, "host_system": platform.system(), "host_os_release": platform.release(),
        "host_machine": platform.machine(), "host_architecture": platform.architecture()[0],
        "host_python_version": platform.python_version(), "host_sys_version": sys.version,
        "run_uid": uuid.uuid4().hex[:16], "run_iso_datetime": datetime.now().isoformat(),
    }
    request = _plain({k: v for k, v in i.items() if k not in _SKIP})
    data = {"tmp_test_value": 10.0, "info": info, "input": request}
    _write(os.path.join(workdir, OUTPUT), data)
    _write(os.path.join(workdir, FOLDER, "cm-run-script-input.json"), request)
    _write(os.path.join(workdir, FOLDER, "cm-run-script-info.json"), info)
    return data


def finish(data: dict[str, Any], result: dict[str, Any], version_info: list[Any], workdir: str) -> None:
    """At the end (also after a failure): the result, state and versions; badges on success."""
    output = _plain({k: v for k, v in result.items() if k != "new_state"})
    state = _plain(result.get("new_state") or {})
    data = dict(data, output=output, state=state, version_info=_plain({"list": version_info})["list"])
    if int(result.get("return", 0) or 0) == 0:
        data["acm_ctuning_repro_badge_available"] = True
        data["acm_ctuning_repro_badge_functional"] = True
    _write(os.path.join(workdir, FOLDER, "cm-run-script-output.json"), output)
    _write(os.path.join(workdir, FOLDER, "cm-run-script-run-state.json"), state)
    _write(os.path.join(workdir, OUTPUT), data)
