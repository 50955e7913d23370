"""get-git-repo: clone CM_GIT_URL (URL or local path) into <cache entry>/<CM_GIT_CHECKOUT_FOLDER>.

--branch (branch or tag), --checkout (commit), --depth; git never prompts for credentials.
Logic: git_repo.py next to this file.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_get_git_repo_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def _submodules(value):
    text = str(value or '').strip().lower()
    return text in ('yes', 'true', 'on', '1') or 'recurse' in text


def preprocess(i):
    env = i['env']
    tool = _program('git_repo')
    url = str(env.get('CM_GIT_URL', '') or '').strip()
    if not url:
        return {'return': 1, 'error': 'get-git-repo: no repository; use --url=URL|PATH or the _repo.<URL> variation'}
    folder = str(env.get('CM_GIT_CHECKOUT_FOLDER', '') or 'repo')
    if os.path.isabs(folder) or '..' in folder.replace('\\', '/').split('/'):
        return {'return': 1, 'error': 'get-git-repo: --folder must be a relative name inside the cache entry'}
    try:
        req = tool.Request(
            url=url, dest=os.path.join(os.getcwd(), folder),
            branch=str(env.get('CM_GIT_BRANCH', '') or env.get('CM_GIT_CHECKOUT_TAG', '') or ''),
            checkout=str(env.get('CM_GIT_CHECKOUT', '') or env.get('CM_GIT_SHA', '') or ''),
            depth=tool.parse_depth(env.get('CM_GIT_DEPTH', '')),
            submodules=_submodules(env.get('CM_GIT_RECURSE_SUBMODULES', '')))
        result = tool.get_repo(req)
    except tool.GitError as e:
        return {'return': 1, 'error': f'get-git-repo: {e}'}
    env['CM_GIT_REPO_CHECKOUT_PATH'] = result.path
    env['CM_GIT_CHECKOUT_PATH'] = result.path
    env['CM_GIT_REPO_CURRENT_HASH'] = result.commit
    env['CM_GIT_REPO_CHECKOUT'] = result.ref
    env['CM_GIT_REPO_URL'] = url
    env['CM_GET_DEPENDENT_CACHED_PATH'] = result.path
    final_name = env.get('CM_GIT_CHECKOUT_PATH_ENV_NAME', '')
    if final_name:
        env[final_name] = result.path
    return {'return': 0}
