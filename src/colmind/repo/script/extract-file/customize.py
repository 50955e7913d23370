"""extract-file: safely extract CM_EXTRACT_FILEPATH into CM_EXTRACT_PATH (default: current dir).

Entries escaping the destination ("..", absolute paths, links pointing outside, device files)
make the whole extraction fail before anything is written. Logic: safe_extract.py.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_extract_file_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def preprocess(i):
    env = i['env']
    tool = _program('safe_extract')
    archive = str(env.get('CM_EXTRACT_FILEPATH', '') or '').strip()
    if not archive:
        return {'return': 1, 'error': 'extract-file: no archive; use --input=FILE or the _path.<FILE> variation'}
    archive = os.path.abspath(os.path.expanduser(archive))
    dest = os.path.abspath(os.path.expanduser(str(env.get('CM_EXTRACT_PATH', '') or os.getcwd())))
    try:
        names = tool.extract(archive, dest)
    except (tool.UnsafeArchive, tool.ExtractError) as e:
        return {'return': 1, 'error': f'extract-file: {e}'}
    inner = str(env.get('CM_EXTRACT_EXTRACTED_FILENAME', '') or '')
    result = os.path.join(dest, inner) if inner else dest
    if not os.path.exists(result):
        return {'return': 1, 'error': 'extract-file: {} was extracted but {} does not exist in it (top level: {})'
                .format(archive, inner, ', '.join(names) or 'empty')}
    env['CM_EXTRACT_EXTRACTED_PATH'] = result
    env['CM_EXTRACT_EXTRACTED_TOP_LEVEL_COUNT'] = str(len(names))
    env['CM_GET_DEPENDENT_CACHED_PATH'] = result
    final_name = env.get('CM_EXTRACT_FINAL_ENV_NAME', '')
    if final_name:
        env[final_name] = result
    return {'return': 0}
