"""Probe the host OS with the standard library only (no shell pipelines).

Run directly (`python os_probe.py`) to print the env it would export as KEY=VALUE lines.
"""
from __future__ import annotations

import os
import platform
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field

PACKAGE_MANAGER_CMDS = {
    'apt': ('DEBIAN_FRONTEND=noninteractive apt-get install -y', 'apt-get update -y'),
    'dnf': ('dnf install -y', 'dnf update -y'),
    'yum': ('yum install -y --skip-broken', 'yum update -y'),
    'zypper': ('zypper install -y', 'zypper update -y'),
    'pacman': ('pacman -Sy --noconfirm', 'pacman -Syu'),
    'apk': ('apk add', 'apk update'),
    'brew': ('brew install', 'brew update'),
    'choco': ('choco install -y', 'choco upgrade -y'),
}


@dataclass
class OSInfo:
    env: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)


def os_type(os_info: dict) -> str:
    """'linux', 'darwin' or 'windows' (the values of CM's os_info['platform'])."""
    if os_info.get('platform'):
        return str(os_info['platform'])
    if os.name == 'nt':
        return 'windows'
    return 'darwin' if sys.platform == 'darwin' else 'linux'


def parse_os_release(text: str) -> dict:
    """Parse /etc/os-release: KEY=value lines, values optionally quoted."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#') or '=' not in line:
            continue
        key, _, value = line.partition('=')
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = value[1:-1]
        out[key.strip()] = value
    return out


def read_os_release() -> dict:
    for path in ('/etc/os-release', '/usr/lib/os-release'):
        try:
            with open(path, encoding='utf-8') as f:
                return parse_os_release(f.read())
        except OSError:
            continue
    return {}


def package_manager(flavor: str, flavor_like: str) -> str:
    like = flavor_like.split()
    if flavor in ('ubuntu', 'debian') or 'debian' in like or 'ubuntu' in like:
        return 'apt'
    if flavor in ('rhel', 'centos', 'fedora', 'rocky', 'almalinux') or 'rhel' in like or 'fedora' in like:
        return 'dnf'
    if flavor == 'amzn':
        return 'yum'
    if flavor in ('sles', 'opensuse-leap', 'opensuse-tumbleweed') or 'suse' in like:
        return 'zypper'
    if flavor == 'arch' or 'arch' in like:
        return 'pacman'
    if flavor == 'alpine':
        return 'apk'
    if flavor == 'macos':
        return 'brew'
    return ''


def os_bits(os_info: dict) -> str:
    if os_info.get('bits'):
        return str(os_info['bits'])
    if shutil.which('getconf'):
        try:
            out = subprocess.run(['getconf', 'LONG_BIT'], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip().isdigit():
                return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return '64' if sys.maxsize > 2 ** 32 else '32'


def glibc_version() -> str:
    try:
        value = os.confstr('CS_GNU_LIBC_VERSION') or ''
    except (AttributeError, ValueError, OSError):
        value = ''
    if value.startswith('glibc '):
        return value.split()[1]
    lib, ver = platform.libc_ver()
    return ver if lib == 'glibc' else ''


def parse_ld_search_dirs(text: str) -> list:
    """Extract SEARCH_DIR("=/x") / SEARCH_DIR("/x") entries of `ld --verbose`, in order, unique."""
    dirs: list = []
    for chunk in text.split('SEARCH_DIR(')[1:]:
        value = chunk.split(')', 1)[0].strip().strip('"')
        if value.startswith('='):
            value = value[1:]
        if value and value not in dirs:
            dirs.append(value)
    return dirs


def default_library_path(machine: str) -> list:
    if shutil.which('ld'):
        try:
            out = subprocess.run(['ld', '--verbose'], capture_output=True, text=True, timeout=10)
            dirs = parse_ld_search_dirs(out.stdout)
            if dirs:
                return dirs
        except (OSError, subprocess.SubprocessError):
            pass
    triplet = machine + '-linux-gnu'
    candidates = ['/usr/local/lib/' + triplet, '/lib/' + triplet, '/usr/lib/' + triplet,
                  '/usr/local/lib64', '/lib64', '/usr/lib64', '/usr/local/lib', '/lib', '/usr/lib']
    return [d for d in candidates if os.path.isdir(d)]


def flavor_and_version(kind: str) -> tuple:
    if kind == 'darwin':
        return 'macos', '', platform.mac_ver()[0]
    if kind == 'windows':
        return 'windows', '', platform.release()
    rel = read_os_release()
    return rel.get('ID', '').lower(), rel.get('ID_LIKE', '').lower(), rel.get('VERSION_ID', '')


def collect(os_info: dict | None = None) -> OSInfo:
    """Everything detect-os exports, as (env, state)."""
    os_info = os_info or {}
    kind = os_type(os_info)
    uname = platform.uname()
    machine = uname.machine or platform.machine()
    flavor, flavor_like, version = flavor_and_version(kind)
    env = {
        'CM_HOST_OS_TYPE': kind,
        'CM_HOST_OS_BITS': os_bits(os_info),
        'CM_HOST_PYTHON_BITS': str(os_info.get('python_bits') or struct.calcsize('P') * 8),
        'CM_HOST_OS_FLAVOR': flavor,
        'CM_HOST_OS_FLAVOR_LIKE': flavor_like,
        'CM_HOST_OS_VERSION': version,
        'CM_HOST_OS_KERNEL_VERSION': uname.release,
        'CM_HOST_OS_MACHINE': machine,
        'CM_HOST_PLATFORM_FLAVOR': machine,
        'CM_HOST_SYSTEM_NAME': platform.node(),
    }
    if kind == 'linux':
        env['CM_HOST_OS_GLIBC_VERSION'] = glibc_version()
        env['+CM_HOST_OS_DEFAULT_LIBRARY_PATH'] = default_library_path(machine)
    manager = 'choco' if kind == 'windows' else package_manager(flavor, flavor_like)
    if manager:
        env['CM_HOST_OS_PACKAGE_MANAGER'] = manager
        install, update = PACKAGE_MANAGER_CMDS[manager]
        env['CM_HOST_OS_PACKAGE_MANAGER_INSTALL_CMD'] = install
        env['CM_HOST_OS_PACKAGE_MANAGER_UPDATE_CMD'] = update
    if os.path.exists('/.dockerenv'):
        env['CM_RUN_INSIDE_DOCKER'] = 'yes'
    state = {
        'os_uname_machine': machine,
        'os_uname_all': ' '.join([uname.system, uname.node, uname.release, uname.version, machine]),
    }
    return OSInfo(env=env, state=state)


if __name__ == '__main__':
    for key, value in collect().env.items():
        print(f'{key}={value}')
