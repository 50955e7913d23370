"""Detect a Python distribution in a target interpreter and pip-install it when missing or unfit.

Stdlib only. The *target* interpreter is probed in a subprocess, so this module can run in any
Python (the engine's), while the package lands in the target (normally a managed venv).
CLI: `python pylib.py --python /path/to/python3 --package numpy [--version_min 1.20]`.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field

# Runs inside the target interpreter: argv[1] = JSON list of distribution names to try.
PROBE_CODE = r'''
import json, sys
out = {"prefix": sys.prefix, "base_prefix": getattr(sys, "base_prefix", sys.prefix), "version": None}
try:
    from importlib import metadata
except ImportError:
    metadata = None
if metadata is not None:
    for name in json.loads(sys.argv[1]):
        try:
            dist = metadata.distribution(name)
        except Exception:
            continue
        out["version"] = dist.version
        for f in dist.files or []:
            if str(f).endswith(".dist-info/METADATA") or str(f).endswith(".egg-info/PKG-INFO"):
                out["metadata_path"] = str(dist.locate_file(f))
                break
        break
print(json.dumps(out))
'''


class PyLibError(Exception):
    """What failed, in words a user can act on."""


@dataclass(frozen=True)
class Probe:
    version: str | None
    in_venv: bool
    metadata_path: str = ''


@dataclass(frozen=True)
class Request:
    package: str                 # pip name, may carry extras: ray[default]
    version: str = ''
    version_min: str = ''
    version_max: str = ''
    pip_url: str = ''            # install this instead of package+spec (path.# / URL)
    env_name: str = ''           # override of the env key suffix (e.g. MLPERF_LOADGEN)
    pip_args: list = field(default_factory=list)
    uninstall_first: list = field(default_factory=list)
    force: bool = False
    allow_system: bool = False


def is_true(value) -> bool:
    return str(value).strip().lower() in ('yes', 'true', 'on', '1')


def env_key_name(package: str, override: str = '') -> str:
    """numpy -> NUMPY, scikit-learn -> SCIKIT_LEARN, ray[default] -> RAY."""
    if override:
        return override.upper()
    return re.sub(r'[^A-Za-z0-9]', '_', package.split('[')[0].strip()).upper()


def dist_name_variants(package: str) -> list:
    base = package.split('[')[0].strip()
    out = []
    for name in (base, base.replace('-', '_'), base.replace('_', '-'), base.lower()):
        if name and name not in out:
            out.append(name)
    return out


def version_key(version: str) -> tuple:
    parts = []
    for part in str(version).strip().split('.'):
        m = re.match(r'\d+', part)
        parts.append(int(m.group(0)) if m else 0)
    return tuple(parts)


def compare_versions(a: str, b: str) -> int:
    ka, kb = version_key(a), version_key(b)
    width = max(len(ka), len(kb))
    ka, kb = ka + (0,) * (width - len(ka)), kb + (0,) * (width - len(kb))
    return (ka > kb) - (ka < kb)


def version_problem(found: str, req: Request) -> str:
    if req.version and not (found == req.version or found.startswith(req.version + '.')):
        return f'{found} is not the requested version {req.version}'
    if req.version_min and compare_versions(found, req.version_min) < 0:
        return f'{found} is older than version_min {req.version_min}'
    if req.version_max and compare_versions(found, req.version_max) > 0:
        return f'{found} is newer than version_max {req.version_max}'
    return ''


def pip_spec(req: Request) -> str:
    """numpy==2.4.6 / numpy==2.4.* / numpy>=1,<=2 / numpy."""
    if req.pip_url:
        return req.pip_url
    if req.version:
        exact = req.version if len(req.version.split('.')) >= 3 else req.version + '.*'
        return f'{req.package}=={exact}'
    bounds = ([f'>={req.version_min}'] if req.version_min else []) + ([f'<={req.version_max}'] if req.version_max else [])
    return req.package + ','.join(bounds)


def probe(python: str, package: str) -> Probe:
    try:
        out = subprocess.run([python, '-c', PROBE_CODE, json.dumps(dist_name_variants(package))],
                             capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        raise PyLibError(f'cannot run the target interpreter {python}: {e}') from e
    if out.returncode != 0:
        raise PyLibError(f'the target interpreter {python} failed: {out.stderr.strip()[-500:]}')
    data = json.loads(out.stdout.strip().splitlines()[-1])
    in_venv = os.path.realpath(data['prefix']) != os.path.realpath(data['base_prefix'])
    return Probe(version=data.get('version'), in_venv=in_venv, metadata_path=data.get('metadata_path', ''))


def _pip(python: str, args: list) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK='1', PIP_NO_INPUT='1')
    cmd = [python, '-m', 'pip'] + args
    print('Running: ' + ' '.join(shlex.quote(c) for c in cmd), flush=True)
    rc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL).returncode
    if rc != 0:
        raise PyLibError(f'`{" ".join(cmd)}` failed with exit code {rc}')


def install_command(req: Request) -> list:
    args = ['install', pip_spec(req)]
    if req.force:
        args += ['--upgrade', '--no-deps', '--force-reinstall']
    return args + list(req.pip_args)


def ensure(python: str, req: Request) -> tuple:
    """Make sure a fitting version is installed. Returns (Probe, installed_now: bool)."""
    current = probe(python, req.package)
    if current.version and not req.force and not version_problem(current.version, req):
        return current, False
    why = ('forced reinstall' if req.force else
           version_problem(current.version, req) if current.version else 'not installed')
    if not current.in_venv and not req.allow_system:
        raise PyLibError(
            f'{req.package} is needed ({why}) but {python} is not a virtual environment; refusing to '
            f'pip-install into a system interpreter. Use a managed venv (cm run script '
            f'--tags=install,python-venv --name=NAME, then pass its python), or add --allow_system=yes.')
    for dep in req.uninstall_first:
        if probe(python, dep).version:
            _pip(python, ['uninstall', '-y', dep])
    _pip(python, install_command(req))
    after = probe(python, req.package)
    if not after.version:
        raise PyLibError(f'pip reported success but {req.package} is still not visible in {python}')
    problem = version_problem(after.version, req)
    if problem:
        raise PyLibError(f'after pip install, {req.package} {problem}')
    return after, True


def result_env(req: Request, found: Probe, python: str) -> dict:
    key = env_key_name(req.package, req.env_name)
    env = {
        'CM_GENERIC_PYTHON_PACKAGE_NAME': req.package,
        'CM_GENERIC_PYTHON_VERSION_ENV_KEY': f'CM_{key}_VERSION',
        f'CM_{key}_VERSION': found.version or '',
        f'CM_PYTHONLIB_{key}_CACHE_TAGS': 'version-' + (found.version or ''),
        f'CM_PYTHONLIB_{key}_PYTHON_BIN_WITH_PATH': python,
    }
    if found.metadata_path:
        env['CM_GET_DEPENDENT_CACHED_PATH'] = found.metadata_path
    return env


def request_from_env(env: dict) -> Request:
    def split(v) -> list:
        return [x.strip() for x in str(v or '').split(',') if x.strip()]
    args = shlex.split(str(env.get('CM_GENERIC_PYTHON_PIP_EXTRA', '') or ''))
    for flag, key in (('--index-url', 'CM_GENERIC_PYTHON_PIP_INDEX_URL'),
                      ('--extra-index-url', 'CM_GENERIC_PYTHON_PIP_EXTRA_INDEX_URL'),
                      ('--find-links', 'CM_GENERIC_PYTHON_PIP_EXTRA_FIND_LINKS_URL')):
        if str(env.get(key, '') or '').strip():
            args += [flag, str(env[key]).strip()]
    if is_true(env.get('CM_GENERIC_PYTHON_DEV_VERSION', '')):
        args.append('--pre')
    return Request(
        package=str(env.get('CM_GENERIC_PYTHON_PACKAGE_NAME', '') or '').strip(),
        version=str(env.get('CM_VERSION', '') or ''), version_min=str(env.get('CM_VERSION_MIN', '') or ''),
        version_max=str(env.get('CM_VERSION_MAX', '') or ''),
        pip_url=str(env.get('CM_GENERIC_PYTHON_PIP_URL', '') or ''),
        env_name=str(env.get('CM_GENERIC_PYTHON_PACKAGE_ENV_NAME', '') or ''),
        pip_args=args, uninstall_first=split(env.get('CM_GENERIC_PYTHON_PIP_UNINSTALL_DEPS')),
        force=is_true(env.get('CM_TMP_PYTHON_PACKAGE_FORCE_INSTALL', '')),
        allow_system=is_true(env.get('CM_GENERIC_PYTHON_ALLOW_SYSTEM', '')))


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--python', default=sys.executable)
    ap.add_argument('--package', required=True)
    for k in ('version', 'version_min', 'version_max'):
        ap.add_argument('--' + k, default='')
    ap.add_argument('--allow_system', action='store_true')
    a = ap.parse_args()
    r = Request(a.package, a.version, a.version_min, a.version_max, allow_system=a.allow_system)
    try:
        p, _ = ensure(a.python, r)
    except PyLibError as err:
        raise SystemExit(f'error: {err}') from None
    for k, v in result_env(r, p, a.python).items():
        print(f'{k}={v}')
