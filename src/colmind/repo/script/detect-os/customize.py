"""detect-os: fill CM_HOST_OS_* / CM_HOST_PLATFORM_* / CM_HOST_PYTHON_BITS / CM_HOST_SYSTEM_NAME.

All probing is done in plain Python by os_probe.py (next to this file); nothing is run through
run.sh, so the recipe works the same with or without a native shell.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_detect_os_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def preprocess(i):
    info = _program('os_probe').collect(i.get('os_info') or {})
    i['env'].update(info.env)
    i['state'].update(info.state)
    return {'return': 0}
