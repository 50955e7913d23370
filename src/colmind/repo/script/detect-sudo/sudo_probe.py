"""Decide whether system packages can be installed non-interactively.

root -> yes (no prefix); `sudo -n true` succeeds -> yes ('sudo'); otherwise no, with the reason.
`sudo -n` never asks for a password; stdin is /dev/null and a timeout bounds the call.
"""
from __future__ import annotations

import os
import shutil
import subprocess


def is_root() -> bool:
    geteuid = getattr(os, 'geteuid', None)
    return bool(geteuid is not None and geteuid() == 0)


def sudo_without_password(sudo: str, timeout: float) -> tuple:
    """(ok, reason) for `sudo -n true`."""
    try:
        out = subprocess.run([sudo, '-n', 'true'], stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f'sudo -n did not answer within {timeout:g} s'
    except OSError as e:
        return False, f'cannot run sudo: {e}'
    if out.returncode == 0:
        return True, 'passwordless sudo'
    msg = (out.stderr or out.stdout).strip().splitlines()
    return False, 'sudo needs a password or is not allowed' + (f' ({msg[-1]})' if msg else '')


def detect(timeout: float = 10.0, root: bool | None = None, sudo: str | None = None) -> dict:
    root = is_root() if root is None else root
    if root:
        return {'CM_SUDO_USER': 'yes', 'CM_SUDO': '', 'CM_SUDO_IS_ROOT': 'yes', 'CM_SUDO_REASON': 'running as root'}
    sudo = shutil.which('sudo') if sudo is None else sudo
    if not sudo:
        ok, reason = False, 'not root and sudo is not installed'
    else:
        ok, reason = sudo_without_password(sudo, timeout)
    return {'CM_SUDO_USER': 'yes' if ok else 'no', 'CM_SUDO': 'sudo' if ok else '',
            'CM_SUDO_IS_ROOT': 'no', 'CM_SUDO_REASON': reason}


if __name__ == '__main__':
    for key, value in detect().items():
        print(f'{key}={value}')
