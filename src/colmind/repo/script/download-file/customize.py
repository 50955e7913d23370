"""download-file: fetch CM_DOWNLOAD_URL into CM_DOWNLOAD_PATH (default: the cache entry).

Resume (HTTP Range on <file>.part), retries with exponential back-off, sha256/md5 verification,
progress only on a terminal. The logic is downloader.py next to this file (stdlib only).
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_download_file_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def _is_false(value):
    return str(value).strip().lower() in ('no', 'false', 'off', '0')


def _number(env, key, default, kind):
    value = env.get(key, '')
    try:
        return kind(value) if str(value).strip() != '' else default
    except ValueError:
        raise ValueError(f'{key} must be a number, got {value!r}') from None


def request_from_env(dl, env):
    return dl.Request(
        url=str(env.get('CM_DOWNLOAD_URL', '')).strip(),
        dest_dir=str(env.get('CM_DOWNLOAD_PATH', '') or os.getcwd()),
        filename=str(env.get('CM_DOWNLOAD_FILENAME', '') or ''),
        sha256=str(env.get('CM_DOWNLOAD_CHECKSUM_SHA256', '') or ''),
        md5=str(env.get('CM_DOWNLOAD_CHECKSUM', '') or ''),
        verify_ssl=not _is_false(env.get('CM_VERIFY_SSL', 'yes')),
        retries=_number(env, 'CM_DOWNLOAD_RETRIES', 3, int),
        backoff=_number(env, 'CM_DOWNLOAD_RETRY_DELAY', 1.0, float),
        timeout=_number(env, 'CM_DOWNLOAD_TIMEOUT', 60.0, float))


def preprocess(i):
    env = i['env']
    dl = _program('downloader')
    try:
        req = request_from_env(dl, env)
    except ValueError as e:
        return {'return': 1, 'error': f'download-file: {e}'}
    if not req.url:
        return {'return': 1, 'error': 'download-file: no URL; use --url=URL or the _url.<URL> variation'}
    try:
        path = dl.download(req)
    except dl.DownloadError as e:
        return {'return': 1, 'error': f'download-file: {e}'}
    env['CM_DOWNLOAD_DOWNLOADED_PATH'] = path
    env['CM_DOWNLOAD_DOWNLOADED_FILENAME'] = os.path.basename(path)
    env['CM_DOWNLOAD_DOWNLOADED_SHA256'] = dl.file_digest(path, 'sha256')
    env['CM_GET_DEPENDENT_CACHED_PATH'] = path
    final_name = env.get('CM_DOWNLOAD_FINAL_ENV_NAME', '')
    if final_name:
        env[final_name] = path
    return {'return': 0}
