"""install-python-venv: create (or reuse) <cache entry>/<name>/ with `python -m venv`.

Base interpreter: env COLMIND_VENV_BASE_PYTHON if set, else CM_PYTHON_BIN_WITH_PATH of the
get,python3 dep. `--system-site-packages` is used ONLY when COLMIND_VENV_SYSTEM_SITE_PACKAGES=yes
(env of the run or of the process); when the base interpreter is itself a venv, its site-packages
are then chained in with a .pth file so CI can reuse the wheels installed there.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_install_python_venv_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def _setting(env, key):
    value = env.get(key)
    return os.environ.get(key, '') if value in (None, '') else value


def preprocess(i):
    env = i['env']
    tool = _program('venv_tool')
    name = str(env.get('CM_NAME') or (i.get('input') or {}).get('name') or 'venv').strip().lower()
    if not tool.valid_name(name):
        return {'return': 1, 'error': f'install-python-venv: --name={name!r} is not a valid venv name '
                                       '(letters, digits, ".", "_" and "-" only)'}
    base = _setting(env, 'COLMIND_VENV_BASE_PYTHON') or env.get('CM_PYTHON_BIN_WITH_PATH', '')
    if not base:
        return {'return': 1, 'error': 'install-python-venv: no base interpreter (the get,python3 dep '
                                       'did not set CM_PYTHON_BIN_WITH_PATH)'}
    system_site = tool.is_true(_setting(env, 'COLMIND_VENV_SYSTEM_SITE_PACKAGES'))
    try:
        venv = tool.ensure_venv(base, os.path.join(os.getcwd(), name), system_site)
    except tool.VenvError as e:
        return {'return': 1, 'error': f'install-python-venv: {e}'}
    env.update(tool.venv_env(venv, name))
    state = i['state']
    prefix = state.get('script_prefix') or []
    line = tool.activate_line(venv)
    if line not in prefix:
        prefix.append(line)
    state['script_prefix'] = prefix
    tags = ['name-' + name] if name != 'venv' else []
    return {'return': 0, 'version': venv.version, 'add_extra_cache_tags': tags}
