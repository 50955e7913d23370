"""get-generic-python-lib: detect, else pip-install, one package in CM_PYTHON_BIN_WITH_PATH.

The target interpreter comes from the get,python3 dep, or from a managed venv already in the env
(install,python-venv exports CM_VIRTUAL_ENV_PATH and its CM_PYTHON_BIN_WITH_PATH; the get,python3
dep is then skipped). Installing into an interpreter that is not a venv is refused unless
--allow_system=yes. Logic: pylib.py next to this file.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_get_generic_python_lib_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def _available(meta):
    names = sorted(v for v in (meta or {}).get('variations', {}) if '#' not in v)
    return ', '.join('_' + v for v in names)


def preprocess(i):
    env = i['env']
    lib = _program('pylib')
    req = lib.request_from_env(env)
    if not req.package:
        return {'return': 1, 'error': 'get-generic-python-lib: no package given; use _package.<pip name> '
                                       'or one of: ' + _available(i.get('meta'))}
    python = env.get('CM_PYTHON_BIN_WITH_PATH', '')
    if not python:
        return {'return': 1, 'error': 'get-generic-python-lib: CM_PYTHON_BIN_WITH_PATH is not set '
                                       '(the get,python3 dep did not run?)'}
    try:
        found, _installed = lib.ensure(python, req)
    except lib.PyLibError as e:
        return {'return': 1, 'error': f'get-generic-python-lib: {e}'}
    env.update(lib.result_env(req, found, python))
    return {'return': 0, 'version': found.version}


def postprocess(i):
    env = i['env']
    key = env.get('CM_GENERIC_PYTHON_VERSION_ENV_KEY', '')
    return {'return': 0, 'version': env.get(key, '')} if key else {'return': 0}


def detect_version(i):
    env = i['env']
    lib = _program('pylib')
    req = lib.request_from_env(env)
    try:
        found = lib.probe(env.get('CM_PYTHON_BIN_WITH_PATH', ''), req.package)
    except lib.PyLibError as e:
        return {'return': 1, 'error': str(e)}
    if not found.version:
        return {'return': 16, 'error': f'{req.package} is not installed'}
    return {'return': 0, 'version': found.version}
