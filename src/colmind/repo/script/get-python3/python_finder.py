"""Find and describe Python interpreters (stdlib only; also runs on old Pythons as the *probed* side).

Run directly: `python python_finder.py [--version_min 3.9]` prints the env of the selected one.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass

# Executed by each candidate: must stay valid for Python 3.6+.
PROBE_CODE = (
    "import json, platform, struct, sys; "
    "print(json.dumps({'version': platform.python_version(), 'executable': sys.executable, "
    "'prefix': sys.prefix, 'base_prefix': getattr(sys, 'base_prefix', sys.prefix), "
    "'bits': struct.calcsize('P') * 8, 'implementation': platform.python_implementation()}))"
)

NAME_RE = re.compile(r'^python3(\.\d+)?$')


@dataclass(frozen=True)
class Interpreter:
    path: str           # as found (may be a shim or a venv symlink: never resolved)
    version: str
    executable: str     # sys.executable reported by the interpreter
    prefix: str
    base_prefix: str
    bits: int

    @property
    def in_venv(self) -> bool:
        return os.path.realpath(self.prefix) != os.path.realpath(self.base_prefix)


def version_key(version: str) -> tuple:
    """'3.11.7' -> (3, 11, 7); non-numeric parts count by their leading digits ('0rc1' -> 0)."""
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


@dataclass(frozen=True)
class Constraints:
    version: str = ''
    version_min: str = ''
    version_max: str = ''

    @classmethod
    def from_env(cls, env: dict) -> Constraints:
        return cls(str(env.get('CM_VERSION', '') or ''), str(env.get('CM_VERSION_MIN', '') or ''),
                   str(env.get('CM_VERSION_MAX', '') or ''))

    def problem(self, version: str) -> str:
        """'' if `version` fits, else why not."""
        if self.version and not (version == self.version or version.startswith(self.version + '.')):
            return f'not version {self.version}'
        if self.version_min and compare_versions(version, self.version_min) < 0:
            return f'older than version_min {self.version_min}'
        if self.version_max and compare_versions(version, self.version_max) > 0:
            return f'newer than version_max {self.version_max}'
        return ''

    def describe(self) -> str:
        items = [f'{k}={v}' for k, v in (('version', self.version), ('version_min', self.version_min),
                                          ('version_max', self.version_max)) if v]
        return ', '.join(items) or 'no version constraint'


def _split_dirs(value: str) -> list:
    out = []
    for chunk in value.replace(',', os.pathsep).split(os.pathsep):
        if chunk.strip():
            out.append(chunk.strip())
    return out


def candidates(extra_dirs: str, path_env: str) -> list:
    """python3 / python3.N executables: CM_TMP_PATH dirs first, then PATH; `python3` first per dir."""
    found: list = []
    for d in _split_dirs(extra_dirs) + _split_dirs(path_env):
        try:
            names = [n for n in os.listdir(d) if NAME_RE.match(n)]
        except OSError:
            continue
        names.sort(key=lambda n: (n != 'python3', [-x for x in version_key(n[6:] or '0')]))
        for n in names:
            p = os.path.join(d, n)
            if p not in found and os.path.isfile(p) and os.access(p, os.X_OK):
                found.append(p)
    return found


def probe(path: str, timeout: float = 30.0) -> Interpreter | None:
    """Run the interpreter once; None if it does not run or is not Python 3."""
    if not path:
        return None
    try:
        out = subprocess.run([path, '-I', '-c', PROBE_CODE], capture_output=True, text=True,
                             timeout=timeout, stdin=subprocess.DEVNULL)
        data = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
    if not data or not str(data.get('version', '')).startswith('3.'):
        return None
    return Interpreter(path=os.path.abspath(path), version=data['version'], executable=data['executable'],
                       prefix=data['prefix'], base_prefix=data['base_prefix'], bits=int(data['bits']))


def select(paths: list, constraints: Constraints) -> tuple:
    """First interpreter satisfying the constraints -> (Interpreter | None, [(path, note)])."""
    report = []
    for p in paths:
        interp = probe(p)
        if interp is None:
            report.append((p, 'does not run'))
            continue
        problem = constraints.problem(interp.version)
        if not problem:
            report.append((p, interp.version + ' selected'))
            return interp, report
        report.append((p, f'{interp.version}: {problem}'))
    return None, report


def not_found_message(report: list, constraints: Constraints, fixed: bool) -> str:
    tried = '; '.join(f'{p} ({note})' for p, note in report) or 'no python3 executable on PATH'
    where = 'the requested interpreter' if fixed else 'CM_TMP_PATH/PATH'
    return (f'get-python3: no Python 3 interpreter in {where} satisfies {constraints.describe()}. '
            f'Tried: {tried}. Install one or point to it with '
            f'--env.CM_PYTHON_BIN_WITH_PATH=/path/to/python3 (or the _custom-path.<file> variation).')


def python_env(interp: Interpreter, extra_cache_tags: str = '') -> dict:
    parts = (interp.version.split('.') + ['', '', ''])[:3]
    tags = ['version-' + interp.version]
    tags += [t for t in extra_cache_tags.split(',') if t and t not in tags]
    tags.append('virtual' if interp.in_venv else 'non-virtual')
    bin_dir = os.path.dirname(interp.path)
    return {
        'CM_PYTHON_BIN_WITH_PATH': interp.path,
        'CM_PYTHON_BIN': os.path.basename(interp.path),
        'CM_PYTHON_BIN_PATH': bin_dir,
        'CM_PYTHON_VERSION': interp.version,
        'CM_PYTHON_MAJOR_VERSION': parts[0],
        'CM_PYTHON_MINOR_VERSION': parts[1],
        'CM_PYTHON_PATCH_VERSION': parts[2],
        'CM_PYTHON_BITS': str(interp.bits),
        'CM_PYTHON_VIRTUAL_ENV': 'yes' if interp.in_venv else 'no',
        'CM_PYTHON_PREFIX': interp.prefix,
        'CM_PYTHON_CACHE_TAGS': ','.join(tags),
        '+PATH': [bin_dir],
    }


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--version', default='')
    ap.add_argument('--version_min', default='')
    ap.add_argument('--version_max', default='')
    args = ap.parse_args()
    found, rep = select(candidates('', os.environ.get('PATH', '')), Constraints(args.version, args.version_min,
                                                                                   args.version_max))
    if found is None:
        raise SystemExit(not_found_message(rep, Constraints(args.version, args.version_min, args.version_max), False))
    for key, value in python_env(found).items():
        print(f'{key}={value}')
