"""Create or reuse a Python virtual environment and describe it (stdlib only).

CLI: `python venv_tool.py --base /usr/bin/python3 --dir /tmp/v [--system-site-packages]`
prints the env the recipe exports.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

PARENT_PTH = 'colmind-parent-site-packages.pth'
COMPLETE_MARKER = '.colmind-venv-complete'
INFO_CODE = (
    "import json, platform, site, sys; "
    "print(json.dumps({'version': platform.python_version(), 'prefix': sys.prefix, "
    "'base_prefix': getattr(sys, 'base_prefix', sys.prefix), "
    "'site': [p for p in site.getsitepackages()] if hasattr(site, 'getsitepackages') else []}))"
)


class VenvError(Exception):
    """Creating or probing the venv failed (message says what and where)."""


@dataclass(frozen=True)
class Venv:
    path: str
    python: str
    scripts: str
    version: str
    system_site_packages: bool
    parent_site: tuple


def is_true(value) -> bool:
    return str(value).strip().lower() in ('yes', 'true', 'on', '1')


def valid_name(name: str) -> bool:
    return bool(re.fullmatch(r'[a-z0-9][a-z0-9._-]*', name)) and '..' not in name


def scripts_dir(venv_dir: str) -> str:
    return os.path.join(venv_dir, 'Scripts' if os.name == 'nt' else 'bin')


def python_in(venv_dir: str) -> str:
    return os.path.join(scripts_dir(venv_dir), 'python.exe' if os.name == 'nt' else 'python3')


def interpreter_info(python: str, timeout: float = 60.0) -> dict:
    try:
        out = subprocess.run([python, '-c', INFO_CODE], capture_output=True, text=True, timeout=timeout,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        raise VenvError(f'cannot run {python}: {e}') from e
    if out.returncode != 0:
        raise VenvError(f'{python} failed: {out.stderr.strip()[-500:]}')
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as e:
        raise VenvError(f'{python} printed no interpreter info') from e


def _reusable(venv_dir: str) -> bool:
    if not os.path.isfile(os.path.join(venv_dir, COMPLETE_MARKER)):
        return False
    try:
        interpreter_info(python_in(venv_dir), timeout=30)
        return True
    except VenvError:
        return False


def _create(base: str, venv_dir: str, system_site: bool) -> None:
    """python -m venv in place (venv scripts embed their path, so no temp dir + rename); the
    marker file written last tells a complete venv from one a crash left behind."""
    shutil.rmtree(venv_dir, ignore_errors=True)
    cmd = [base, '-m', 'venv'] + (['--system-site-packages'] if system_site else []) + [venv_dir]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        shutil.rmtree(venv_dir, ignore_errors=True)
        raise VenvError(f'`{" ".join(cmd)}` could not run: {e}') from e
    if out.returncode != 0:
        shutil.rmtree(venv_dir, ignore_errors=True)
        raise VenvError(f'`{" ".join(cmd)}` failed: {(out.stderr or out.stdout).strip()[-800:]}')


def _chain_parent_site(base_info: dict, venv_info: dict) -> tuple:
    """If the base interpreter is itself a venv, make its site-packages visible via a .pth file."""
    if os.path.realpath(base_info['prefix']) == os.path.realpath(base_info['base_prefix']):
        return ()
    parent = tuple(p for p in base_info.get('site', []) if os.path.isdir(p))
    own = [p for p in venv_info.get('site', []) if p.startswith(venv_info['prefix'])]
    if not parent or not own:
        return ()
    with open(os.path.join(own[0], PARENT_PTH), 'w', encoding='utf-8') as f:
        f.write('\n'.join(parent) + '\n')
    return parent


def ensure_venv(base: str, venv_dir: str, system_site: bool) -> Venv:
    base_info = interpreter_info(base)
    if not _reusable(venv_dir):
        _create(base, venv_dir, system_site)
    python = python_in(venv_dir)
    info = interpreter_info(python)
    parent = _chain_parent_site(base_info, info) if system_site else ()
    with open(os.path.join(venv_dir, COMPLETE_MARKER), 'w', encoding='utf-8') as f:
        f.write(json.dumps({'base': base, 'system_site_packages': system_site}) + '\n')
    return Venv(path=venv_dir, python=python, scripts=scripts_dir(venv_dir), version=info['version'],
                system_site_packages=system_site, parent_site=parent)


def activate_line(venv: Venv) -> str:
    if os.name == 'nt':
        return 'call "{}"'.format(os.path.join(venv.scripts, 'activate.bat'))
    return 'source "{}"'.format(os.path.join(venv.scripts, 'activate'))


def venv_env(venv: Venv, name: str) -> dict:
    parts = (venv.version.split('.') + ['', '', ''])[:3]
    tags = ['version-' + venv.version, 'virtual'] + (['name-' + name] if name != 'venv' else [])
    return {
        'CM_VIRTUAL_ENV_PATH': venv.path,
        'CM_VIRTUAL_ENV_DIR': os.path.basename(venv.path),
        'CM_VIRTUAL_ENV_NAME': name,
        'CM_VIRTUAL_ENV_SCRIPTS_PATH': venv.scripts,
        'CM_VIRTUAL_ENV_SYSTEM_SITE_PACKAGES': 'yes' if venv.system_site_packages else 'no',
        'CM_PYTHON_BIN_WITH_PATH': venv.python,
        'CM_PYTHON_BIN': os.path.basename(venv.python),
        'CM_PYTHON_BIN_PATH': venv.scripts,
        'CM_PYTHON_INSTALLED_PATH': venv.scripts,
        'CM_PYTHON_VERSION': venv.version,
        'CM_PYTHON_MAJOR_VERSION': parts[0],
        'CM_PYTHON_MINOR_VERSION': parts[1],
        'CM_PYTHON_PATCH_VERSION': parts[2],
        'CM_PYTHON_VIRTUAL_ENV': 'yes',
        'CM_PYTHON_CACHE_TAGS': ','.join(tags),
        '+PATH': [venv.scripts],
    }


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--base', required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--name', default='venv')
    ap.add_argument('--system-site-packages', action='store_true')
    a = ap.parse_args()
    try:
        v = ensure_venv(a.base, os.path.abspath(a.dir), a.system_site_packages)
    except VenvError as err:
        raise SystemExit(f'error: {err}') from None
    for k, val in venv_env(v, a.name).items():
        print(f'{k}={val}')
