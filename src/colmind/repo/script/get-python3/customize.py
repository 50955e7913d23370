"""get-python3: pick the first Python 3 on CM_TMP_PATH/PATH that satisfies CM_VERSION(_MIN/_MAX).

If CM_PYTHON_BIN_WITH_PATH is already set (variation _custom-path.<file>, --env, or a managed
venv), only that interpreter is checked. The search and the probing are in python_finder.py.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_get_python3_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def preprocess(i):
    env = i['env']
    finder = _program('python_finder')
    constraints = finder.Constraints.from_env(env)
    fixed = env.get('CM_PYTHON_BIN_WITH_PATH', '')
    if fixed:
        candidates = [fixed]
    else:
        candidates = finder.candidates(env.get('CM_TMP_PATH', ''), os.environ.get('PATH', ''))
    found, report = finder.select(candidates, constraints)
    if found is None:
        return {'return': 16, 'error': finder.not_found_message(report, constraints, bool(fixed))}
    env.update(finder.python_env(found, env.get('CM_EXTRA_CACHE_TAGS', '')))
    return {'return': 0, 'version': found.version}


def postprocess(i):
    env = i['env']
    tags = [t for t in env.get('CM_PYTHON_CACHE_TAGS', '').split(',') if t]
    return {'return': 0, 'version': env.get('CM_PYTHON_VERSION', ''), 'add_extra_cache_tags': tags}


def detect_version(i):
    env = i['env']
    finder = _program('python_finder')
    found = finder.probe(env.get('CM_PYTHON_BIN_WITH_PATH', ''))
    if found is None:
        return {'return': 16, 'error': 'cannot run {!r}'.format(env.get('CM_PYTHON_BIN_WITH_PATH', ''))}
    env['CM_PYTHON_VERSION'] = found.version
    return {'return': 0, 'version': found.version}
