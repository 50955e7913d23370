#!/usr/bin/env python3
"""A stand-in for ``podman``/``docker`` used by the CLI tests: it records every call, keeps
"images" as marker files and, for ``run``, writes a result into the mounted state folder the way
the inner ``cm run script --save_to_json=...`` does. Controlled by FAKE_ENGINE_DIR,
FAKE_RUN_RC (exit code of ``run``) and FAKE_RUN_RESULT (``none`` = write no result)."""

import json
import os
import sys

root = os.environ["FAKE_ENGINE_DIR"]
args = sys.argv[1:]
while args and args[0].startswith("--"):  # global options (--runtime=...)
    args = args[1:]
with open(os.path.join(root, "calls.log"), "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\n")


def marker(ref):
    return os.path.join(root, "images", ref.replace("/", "_").replace(":", "_"))


if args[:2] == ["image", "inspect"]:
    sys.exit(0 if os.path.exists(marker(args[2])) else 1)
if args[0] == "build":
    ref, context = args[args.index("-t") + 1], args[-1]
    assert os.path.isfile(os.path.join(context, "Dockerfile")), context
    wheels = os.listdir(os.path.join(context, "wheels"))
    assert any(w.startswith("colmind-") for w in wheels), wheels
    os.makedirs(os.path.join(root, "images"), exist_ok=True)
    open(marker(ref), "w").close()
    with open(os.path.join(root, "builds.log"), "a") as log:
        log.write(ref + "\n")
    sys.exit(0)
if args[0] == "run":
    state = next(v.split(":")[0] for v in args if v.endswith(":/colmind-state"))
    if os.environ.get("FAKE_RUN_RESULT") != "none":
        inner = args[args.index("cm"):]
        with open(os.path.join(state, "result.json"), "w") as out:
            json.dump({"return": 0, "new_env": {"FROM_CONTAINER": "yes"}, "new_state": {}, "inner": inner}, out)
    sys.exit(int(os.environ.get("FAKE_RUN_RC", "0")))
sys.exit(2)
