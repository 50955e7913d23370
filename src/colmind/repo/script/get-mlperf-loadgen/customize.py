"""get-mlperf-loadgen: check the interpreter, then confirm what run.sh found."""

import os


def preprocess(i):
    env = i['env']
    python = env.get('CM_PYTHON_BIN_WITH_PATH', '')
    if not python or not os.path.isfile(python):
        return {'return': 1, 'error': 'CM_PYTHON_BIN_WITH_PATH is not set to a Python interpreter: '
                                      'the install,python-venv dependency must provide it'}
    return {'return': 0}


def postprocess(i):
    env = i['env']
    version = env.get('CM_MLPERF_LOADGEN_VERSION', '')
    if not version:
        return {'return': 1, 'error': 'mlcommons-loadgen was not detected in the managed venv '
                                      '(see the output of src/loadgen_info.py above)'}
    env['CM_MLPERF_LOADGEN_PYTHON_MODULE'] = 'mlperf_loadgen'
    return {'return': 0, 'version': version}
