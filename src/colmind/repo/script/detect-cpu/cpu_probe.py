"""Probe CPU, memory and disk with the standard library (+ `lscpu` when available).

Run directly (`python cpu_probe.py`) to print the env it would export as KEY=VALUE lines.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess

# lscpu field -> CM env key (the unified names of the community detect-cpu recipe)
LSCPU_KEYS = {
    'Architecture': 'CM_HOST_CPU_ARCHITECTURE',
    'Model name': 'CM_HOST_CPU_MODEL_NAME',
    'Vendor ID': 'CM_HOST_CPU_VENDOR_ID',
    'CPU family': 'CM_HOST_CPU_FAMILY',
    'NUMA node(s)': 'CM_HOST_CPU_NUMA_NODES',
    'CPU(s)': 'CM_HOST_CPU_TOTAL_CORES',
    'On-line CPU(s) list': 'CM_HOST_CPU_ON_LINE_CPUS_LIST',
    'Socket(s)': 'CM_HOST_CPU_SOCKETS',
    'Core(s) per socket': 'CM_HOST_CPU_PHYSICAL_CORES_PER_SOCKET',
    'Core(s) per cluster': 'CM_HOST_CPU_PHYSICAL_CORES_PER_SOCKET',
    'Thread(s) per core': 'CM_HOST_CPU_THREADS_PER_CORE',
    'L1d cache': 'CM_HOST_CPU_L1D_CACHE_SIZE',
    'L1i cache': 'CM_HOST_CPU_L1I_CACHE_SIZE',
    'L2 cache': 'CM_HOST_CPU_L2_CACHE_SIZE',
    'L3 cache': 'CM_HOST_CPU_L3_CACHE_SIZE',
    'CPU max MHz': 'CM_HOST_CPU_MAX_MHZ',
    'Flags': 'CM_HOST_CPU_FLAGS',
}

# /proc/cpuinfo field -> env key (first processor only)
CPUINFO_KEYS = {
    'model name': 'CM_HOST_CPU_MODEL_NAME',
    'vendor_id': 'CM_HOST_CPU_VENDOR_ID',
    'cpu family': 'CM_HOST_CPU_FAMILY',
    'flags': 'CM_HOST_CPU_FLAGS',
    'Features': 'CM_HOST_CPU_FLAGS',
    'microcode': 'CM_HOST_CPU_MICROCODE',
    'bugs': 'CM_HOST_CPU_BUGS',
    'fpu': 'CM_HOST_CPU_FPU_SUPPORT',
    'fpu_exception': 'CM_HOST_CPU_FPU_EXCEPTION_SUPPORT',
    'wp': 'CM_HOST_CPU_WRITE_PROTECT_SUPPORT',
    'TLB size': 'CM_HOST_CPU_TLB_SIZE',
    'clflush size': 'CM_HOST_CPU_CFLUSH_SIZE',
    'cache_alignment': 'CM_HOST_CACHE_ALLIGNMENT_SIZE',
    'power management': 'CM_HOST_POWER_MANAGEMENT',
}


def parse_colon_lines(text: str, stop_at_blank: bool = False) -> dict:
    """`Key: value` lines -> dict (first occurrence wins)."""
    out: dict = {}
    for line in text.splitlines():
        if not line.strip():
            if stop_at_blank and out:
                break
            continue
        if ':' not in line:
            continue
        key, _, value = line.partition(':')
        out.setdefault(key.strip(), value.strip())
    return out


def parse_lscpu(text: str) -> dict:
    fields = parse_colon_lines(text)
    env = {LSCPU_KEYS[k]: v for k, v in fields.items() if k in LSCPU_KEYS and v}
    if env.get('CM_HOST_CPU_SOCKETS') == '-':
        env['CM_HOST_CPU_SOCKETS'] = '1'
    return env


def parse_cpuinfo(text: str) -> dict:
    """Fields of the first processor block plus counts over all blocks."""
    first = parse_colon_lines(text, stop_at_blank=True)
    env = {CPUINFO_KEYS[k]: v for k, v in first.items() if k in CPUINFO_KEYS and v != ''}
    processors = [ln for ln in text.splitlines() if ln.split(':')[0].strip() == 'processor']
    if processors:
        env['CM_HOST_CPU_TOTAL_CORES'] = str(len(processors))
    physical_ids = {ln.split(':', 1)[1].strip() for ln in text.splitlines()
                    if ln.split(':')[0].strip() == 'physical id'}
    if physical_ids:
        env['CM_HOST_CPU_SOCKETS'] = str(len(physical_ids))
    if first.get('cpu cores'):
        env['CM_HOST_CPU_PHYSICAL_CORES_PER_SOCKET'] = first['cpu cores']
    if first.get('cpu cores') and first.get('siblings'):
        env['CM_HOST_CPU_THREADS_PER_CORE'] = str(max(1, int(first['siblings']) // int(first['cpu cores'])))
    return env


def parse_meminfo_total(text: str) -> int:
    """MemTotal in bytes (0 if absent)."""
    for line in text.splitlines():
        if line.startswith('MemTotal:'):
            parts = line.split()
            return int(parts[1]) * 1024 if len(parts) > 1 and parts[1].isdigit() else 0
    return 0


def human_si(num_bytes: int) -> str:
    """Like `free -h --si`: 24683656 kB -> '25G'."""
    value = float(num_bytes)
    for unit in ('B', 'K', 'M', 'G', 'T', 'P'):
        if value < 1000 or unit == 'P':
            return f'{value:.1f}{unit}' if value < 10 and unit != 'B' else f'{value:.0f}{unit}'
        value /= 1000
    return f'{value:.0f}P'


def derive(env: dict) -> dict:
    """Fill the derived counts the way the community recipe does."""
    out = dict(env)
    total = out.get('CM_HOST_CPU_TOTAL_CORES', '')
    if total and not out.get('CM_HOST_CPU_TOTAL_LOGICAL_CORES'):
        out['CM_HOST_CPU_TOTAL_LOGICAL_CORES'] = total
    sockets, per_socket = out.get('CM_HOST_CPU_SOCKETS', ''), out.get('CM_HOST_CPU_PHYSICAL_CORES_PER_SOCKET', '')
    if sockets.isdigit() and per_socket.isdigit() and not out.get('CM_HOST_CPU_TOTAL_PHYSICAL_CORES'):
        out['CM_HOST_CPU_TOTAL_PHYSICAL_CORES'] = str(int(sockets) * int(per_socket))
    logical, physical = out.get('CM_HOST_CPU_TOTAL_LOGICAL_CORES', ''), out.get('CM_HOST_CPU_TOTAL_PHYSICAL_CORES', '')
    if logical.isdigit() and physical.isdigit() and int(physical) and not out.get('CM_HOST_CPU_THREADS_PER_CORE'):
        out['CM_HOST_CPU_THREADS_PER_CORE'] = str(int(logical) // int(physical))
    return out


def _read(path: str) -> str:
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def _lscpu() -> str:
    if not shutil.which('lscpu'):
        return ''
    try:
        out = subprocess.run(['lscpu'], capture_output=True, text=True, timeout=20,
                             env=dict(os.environ, LC_ALL='C'))
        return out.stdout if out.returncode == 0 else ''
    except (OSError, subprocess.SubprocessError):
        return ''


def collect(disk_path: str = '/') -> dict:
    env = parse_cpuinfo(_read('/proc/cpuinfo'))
    env.update(parse_lscpu(_lscpu()))  # lscpu wins where both know a field
    if not env.get('CM_HOST_CPU_TOTAL_CORES') and os.cpu_count():
        env['CM_HOST_CPU_TOTAL_CORES'] = str(os.cpu_count())
    env.setdefault('CM_HOST_CPU_ARCHITECTURE', platform.machine())
    env = derive(env)
    mem = parse_meminfo_total(_read('/proc/meminfo'))
    if mem:
        env['CM_HOST_MEMORY_CAPACITY'] = human_si(mem)
        env['CM_HOST_MEMORY_CAPACITY_BYTES'] = str(mem)
    try:
        env['CM_HOST_DISK_CAPACITY'] = human_si(shutil.disk_usage(disk_path).total)
    except OSError:
        pass
    return env


if __name__ == '__main__':
    for key, value in collect().items():
        print(f'{key}={value}')
