"""``cm add script NAME``: a working recipe template (meta, customize.py, run.sh, run.bat)."""

from __future__ import annotations

import os

from colmind.store import atomic

CUSTOMIZE = '''"""Hooks of this recipe: preprocess runs before run.sh, postprocess after it."""


def preprocess(i):
    env = i["env"]
    env.setdefault("{prefix}MESSAGE", "hello from {alias}")
    return {{"return": 0}}


def postprocess(i):
    env = i["env"]
    env["{prefix}RESULT"] = env.get("{prefix}RESULT_FROM_RUN", "")
    return {{"return": 0}}
'''

RUN_SH = '''#!/bin/bash
# Runs in the working directory (the cache entry when the recipe is cached).
echo "${prefix}MESSAGE"
echo "{prefix}RESULT_FROM_RUN=done" > tmp-run-env.out
'''

RUN_BAT = '''@echo off
echo %{prefix}MESSAGE%
echo {prefix}RESULT_FROM_RUN=done> tmp-run-env.out
'''


def meta_for(alias: str, tags: list[str]) -> dict[str, object]:
    return {
        "alias": alias, "automation_alias": "script", "automation_uid": "5b4e0237da074764",
        "tags": tags or [alias], "cache": False, "deps": [], "new_env_keys": ["CM_RESULT"],
        "input_mapping": {"message": "CM_MESSAGE"}, "variations": {},
    }


def write_files(path: str, alias: str, prefix: str = "CM_") -> None:
    atomic.write_text(os.path.join(path, "customize.py"), CUSTOMIZE.format(prefix=prefix, alias=alias))
    atomic.write_text(os.path.join(path, "run.sh"), RUN_SH.replace("{prefix}", prefix))
    os.chmod(os.path.join(path, "run.sh"), atomic.executable_mode())
    atomic.write_text(os.path.join(path, "run.bat"), RUN_BAT.replace("{prefix}", prefix))
