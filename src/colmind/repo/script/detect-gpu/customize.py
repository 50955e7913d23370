"""detect-gpu: query nvidia-smi (when present) for name, memory, driver and CUDA version.

No nvidia-smi, or nvidia-smi failing (no driver / no device), is not an error: CM_GPU_COUNT=0 and
CM_GPU_DETECT_STATUS says why. The probing itself is gpu_probe.py next to this file.
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_detect_gpu_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def preprocess(i):
    env = i['env']
    probe = _program('gpu_probe')
    try:
        timeout = float(env.get('CM_DETECT_GPU_TIMEOUT') or 20)
    except ValueError:
        return {'return': 1, 'error': 'detect-gpu: --timeout must be a number of seconds, got {!r}'
                .format(env.get('CM_DETECT_GPU_TIMEOUT'))}
    result = probe.detect(env.get('CM_NVIDIA_SMI_BIN_WITH_PATH', ''), timeout)
    env.update(result.env)
    i['state']['cm_gpu_info'] = result.gpus
    return {'return': 0}
