"""get-onnxruntime: the onnxruntime Python package in the target interpreter (CPU by default,
onnxruntime-gpu with _cuda), checked by importing it there (ort_probe.py)."""
import json
import os
import subprocess


def _probe(python, require):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ort_probe.py')
    cmd = [python, script] + (['--require-provider', require] if require else [])
    env = dict(os.environ, ORT_DISABLE_TELEMETRY='1')
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        return None, f'cannot run {python}: {e}'
    try:
        info = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None, f'the onnxruntime probe failed: {out.stderr.strip()[-500:]}'
    return info, info.get('error', '')


def preprocess(i):
    env = i['env']
    python = env.get('CM_PYTHON_BIN_WITH_PATH', '')
    if not python:
        return {'return': 1, 'error': 'get-onnxruntime: CM_PYTHON_BIN_WITH_PATH is not set (get,python3 dep missing?)'}
    device = env.get('CM_ONNXRUNTIME_DEVICE', 'cpu')
    info, error = _probe(python, 'CUDAExecutionProvider' if device == 'cuda' else '')
    if error:
        return {'return': 1, 'error': 'get-onnxruntime: ' + error}
    env['CM_ONNXRUNTIME_VERSION'] = info['version']
    env['CM_ONNXRUNTIME_PROVIDERS'] = ','.join(info['providers'])
    env['CM_ONNXRUNTIME_PATH'] = info['path']
    env['CM_ONNXRUNTIME_PYTHON_BIN_WITH_PATH'] = python
    env['CM_ONNXRUNTIME_EXECUTION_PROVIDER'] = 'CUDAExecutionProvider' if device == 'cuda' else 'CPUExecutionProvider'
    env['ORT_DISABLE_TELEMETRY'] = '1'
    return {'return': 0, 'version': info['version']}
