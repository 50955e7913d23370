"""detect-cpu: CM_HOST_CPU_* (model, cores, threads, caches, flags), memory and disk capacity.

The probing is plain Python in cpu_probe.py (lscpu when present, /proc/cpuinfo otherwise).
"""
import importlib.util
import os
import sys


def _program(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.py')
    spec = importlib.util.spec_from_file_location('colmind_recipe_detect_cpu_' + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


def preprocess(i):
    env = i['env']
    probe = _program('cpu_probe')
    info = probe.collect(os.getcwd())
    env.update(info)
    if not env.get('CM_HOST_CPU_TOTAL_CORES'):
        return {'return': 1, 'error': 'detect-cpu: could not determine the number of CPUs '
                                       '(lscpu, /proc/cpuinfo and os.cpu_count() all failed)'}
    return {'return': 0}
