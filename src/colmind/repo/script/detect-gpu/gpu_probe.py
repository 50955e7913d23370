"""Detect NVIDIA GPUs through nvidia-smi; never raises, never blocks longer than `timeout`.

Run directly (`python gpu_probe.py`) to print the env it would export.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

QUERY_FIELDS = ['index', 'name', 'memory.total', 'driver_version', 'uuid', 'pci.bus_id', 'compute_cap']


@dataclass
class GPUResult:
    env: dict = field(default_factory=dict)
    gpus: list = field(default_factory=list)


def parse_query_csv(text: str, fields: list) -> list:
    """Rows of `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` -> list of dicts."""
    gpus = []
    for line in text.splitlines():
        if not line.strip():
            continue
        values = [v.strip() for v in line.split(',')]
        if len(values) != len(fields):
            continue
        gpus.append(dict(zip(fields, values, strict=True)))
    return gpus


def parse_cuda_version(text: str) -> str:
    """'CUDA Version: 12.4' from the banner of plain `nvidia-smi`."""
    m = re.search(r'CUDA Version:\s*([0-9.]+)', text)
    return m.group(1) if m else ''


def _run(cmd: list, timeout: float) -> tuple:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return out.returncode, out.stdout, out.stderr
    except subprocess.TimeoutExpired:
        return -1, '', f'timed out after {timeout:g} s'
    except OSError as e:
        return -1, '', str(e)


def no_gpu(reason: str) -> GPUResult:
    return GPUResult(env={'CM_GPU_COUNT': '0', 'CM_CUDA_NUM_DEVICES': '0', 'CM_GPU_DETECT_STATUS': reason})


def query(smi: str, timeout: float) -> tuple:
    """Run the CSV query, retrying without compute_cap for old drivers. Returns (gpus, error)."""
    for fields in (QUERY_FIELDS, QUERY_FIELDS[:-1]):
        rc, out, err = _run([smi, '--query-gpu=' + ','.join(fields), '--format=csv,noheader,nounits'], timeout)
        if rc == 0:
            return parse_query_csv(out, fields), ''
        last = (err or out).strip().splitlines()
        error = last[-1] if last else f'exit code {rc}'
    return [], error


def build_env(gpus: list, cuda_version: str, smi: str) -> dict:
    first = gpus[0]
    env = {
        'CM_GPU_COUNT': str(len(gpus)),
        'CM_CUDA_NUM_DEVICES': str(len(gpus)),
        'CM_GPU_VENDOR': 'nvidia',
        'CM_GPU_NAME': first.get('name', ''),
        'CM_GPU_NAMES': ';'.join(g.get('name', '') for g in gpus),
        'CM_GPU_MEMORY_MB': first.get('memory.total', ''),
        'CM_GPU_DRIVER_VERSION': first.get('driver_version', ''),
        'CM_GPU_UUIDS': ';'.join(g.get('uuid', '') for g in gpus),
        'CM_GPU_DETECT_STATUS': 'ok',
        'CM_NVIDIA_SMI_BIN_WITH_PATH': smi,
        'CM_CUDA_DEVICE_PROP_GPU_NAME': first.get('name', ''),
    }
    if first.get('compute_cap'):
        env['CM_GPU_COMPUTE_CAPABILITY'] = first['compute_cap']
        env['CM_CUDA_DEVICE_PROP_GPU_COMPUTE_CAPABILITY'] = first['compute_cap'].replace('.', '')
    if cuda_version:
        # the highest CUDA version the driver supports; CM_CUDA_VERSION stays reserved for a toolkit
        env['CM_GPU_CUDA_VERSION'] = cuda_version
    return env


def detect(smi: str = '', timeout: float = 20.0) -> GPUResult:
    smi = smi or shutil.which('nvidia-smi') or ''
    if not smi:
        return no_gpu('nvidia-smi not found')
    gpus, error = query(smi, timeout)
    if error:
        return no_gpu('nvidia-smi failed: ' + error)
    if not gpus:
        return no_gpu('nvidia-smi lists no GPU')
    _, banner, _ = _run([smi], timeout)
    return GPUResult(env=build_env(gpus, parse_cuda_version(banner), smi), gpus=gpus)


if __name__ == '__main__':
    for key, value in detect().env.items():
        print(f'{key}={value}')
