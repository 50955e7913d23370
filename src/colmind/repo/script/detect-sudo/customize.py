"""detect-sudo: root, or passwordless `sudo -n`? Never prompts and never blocks.

Exports CM_SUDO_USER=yes|no, CM_SUDO (the prefix to put before a package-manager command:
'' for root, 'sudo' for passwordless sudo, '' when not possible), CM_SUDO_IS_ROOT and CM_SUDO_REASON.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_detect_sudo_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def preprocess(i):
    env = i['env']
    try:
        timeout = float(env.get('CM_DETECT_SUDO_TIMEOUT') or 10)
    except ValueError:
        return {'return': 1, 'error': 'detect-sudo: --timeout must be a number of seconds'}
    env.update(_program('sudo_probe').detect(timeout=timeout))
    return {'return': 0}
