"""``mlc test script`` (``mlct``): run the test inputs a script's meta declares under ``tests``.

As mlcflow's engine: ``tests.run_inputs`` (default: one input) each run the script once per
variation set: ``variations_list`` entries, or every variation outside a group (and not
``exclude-in-test``) with ``test-all-variations``, or none; ``docker: true`` runs it in a
container. ``--test_input_index=N`` (or ``N+``: from N on) and ``--test_input_id=ID`` pick inputs;
a user flag overrides the same key of an input. A script without ``tests`` has nothing to run.
"""

from __future__ import annotations

from colmind.mlc import log
from colmind.mlc.items import FRONT_END_KEYS, MlcError, call, find

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

DEFAULT_INPUTS = [{"docker_os": "ubuntu", "docker_os_version": "22.04"}]
CONTROL_KEYS = ("id", "docker", "test-all-variations", "variations_list")
USER_CONTROL = ("test_input_index", "test_input_id", "run_inputs", "tags", "details", "help", "p")


def selected_inputs(tests: dict[str, Any], run_args: dict[str, Any]) -> list[dict[str, Any]]:
    inputs = list(run_args.get("run_inputs", tests.get("run_inputs", DEFAULT_INPUTS)) or [])
    index = str(run_args.get("test_input_index") or "")
    if index:
        plus = index.endswith("+")
        try:
            number = int(index[:-1] if plus else index)
        except ValueError:
            raise MlcError(f"Invalid test_input_index: {index}. Must be an integer or an integer followed by a +") \
                from None
        inputs = [] if number > len(inputs) or number < 1 else (inputs[number - 1:] if plus else [inputs[number - 1]])
    wanted = run_args.get("test_input_id")
    return [dict(x) for x in inputs if isinstance(x, dict) and (not wanted or x.get("id") == wanted)]


def variation_sets(run_input: dict[str, Any], variations: dict[str, Any]) -> list[str]:
    if run_input.get("test-all-variations"):
        return [f"_{name}" for name, v in variations.items()
                if isinstance(v, dict) and not v.get("group") and str(v.get("exclude-in-test", "")).lower()
                not in ("yes", "true", "1", "on")]
    given = run_input.get("variations_list") or []
    if not given:
        return [""]
    return [",".join(t if t.startswith("_") else f"_{t}" for t in str(v).split(",")) for v in given]


def test_runs(meta: dict[str, Any], run_args: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``access()`` inputs of ``mlc test script`` for a script with this meta (pure)."""
    tests = meta.get("tests")
    if not isinstance(tests, dict) or not tests:
        return []  # as mlcflow: an empty ``tests`` runs nothing
    user = {k: v for k, v in run_args.items() if k not in FRONT_END_KEYS and k not in USER_CONTROL}
    tags = ",".join(str(t) for t in meta.get("tags") or [])
    runs = []
    for run_input in selected_inputs(tests, run_args):
        base = {k: v for k, v in run_input.items() if k not in CONTROL_KEYS}
        base.update(user)  # a user flag overrides the input's key
        action = "docker" if run_input.get("docker") else "run"
        if action == "docker":
            base.setdefault("docker_image_name", meta.get("alias", ""))
        for variation in variation_sets(run_input, meta.get("variations") or {}):
            runs.append({**base, "action": action, "automation": "script",
                         "tags": f"{tags},{variation}" if variation else tags})
    return runs


def test_script(run_args: dict[str, Any]) -> dict[str, Any]:
    found = find(run_args, "script")
    if not found:
        raise MlcError("No scripts were found for running tests")
    if len(found) > 1:
        raise MlcError(f"{len(found)} scripts match: name one (alias or UID) to test")
    script = found[0]
    log.info(script.path)
    runs = test_runs(script.meta, run_args)
    if not runs:
        log.info(f"{script.meta.get('alias', script.path)} declares no tests")
    for i in runs:
        log.info(f"{i['action']} script --tags={i['tags']}")
        result = call(i, out="con")
        if result.get("return", 0) > 0:
            return result
    return {"return": 0, "runs": len(runs)}
