"""app-loadgen-generic-python: turn env/inputs into harness arguments; read the result back."""

import json
import os
import shlex

BAD_CHARS = ('"', '$', '`', '\n')
SETTINGS = (('CM_MLPERF_LOADGEN_MIN_DURATION', 'min_duration'),
            ('CM_MLPERF_LOADGEN_MIN_QUERY_COUNT', 'min_query_count'),
            ('CM_MLPERF_LOADGEN_TARGET_QPS', 'target_qps'),
            ('CM_MLPERF_LOADGEN_TARGET_LATENCY', 'target_latency'))
OPTIONS = (('CM_MLPERF_MODEL_NAME', '--model-name'), ('CM_MLPERF_USER_CONF', '--user-conf'),
           ('CM_MLPERF_LOADGEN_THREADS', '--threads'),
           ('CM_MLPERF_LOADGEN_MAX_BATCHSIZE', '--batch-size'), ('CM_MLPERF_TIMEOUT', '--timeout'),
           ('CM_MLPERF_MODEL_OUTPUT_NAME', '--output-name'),
           ('CM_MLPERF_ORT_INTRA_OP_THREADS', '--intra-op-threads'),
           ('CM_MLPERF_ORT_INTER_OP_THREADS', '--inter-op-threads'),
           ('CM_MLPERF_ORT_GRAPH_OPT', '--graph-opt'))


def _yes(value):
    return str(value).lower() in ('yes', 'true', '1', 'on')


def _quote(args):
    for arg in args:
        if any(c in arg for c in BAD_CHARS):
            raise ValueError(f"argument {arg!r} contains one of {BAD_CHARS}: rename the path/value")
    return ' '.join(shlex.quote(a) for a in args)


def harness_args(env, cwd):
    """The harness command line for one run (raises ValueError on missing inputs)."""
    model = env.get('CM_ML_MODEL_FILE_WITH_PATH', '')
    dataset = env.get('CM_MLPERF_DATASET_PATH', '')
    if not model or not dataset:
        raise ValueError('give --modelpath=<model.onnx> and --dataset=<folder with val.npz> '
                         '(env CM_ML_MODEL_FILE_WITH_PATH / CM_MLPERF_DATASET_PATH)')
    scenario, mode = env['CM_MLPERF_LOADGEN_SCENARIO'], env['CM_MLPERF_LOADGEN_MODE']
    out = env.get('CM_MLPERF_OUTPUT_DIR') or os.path.join(cwd, 'loadgen-results', scenario, mode)
    args = ['--model', model, '--dataset', dataset, '--scenario', scenario, '--mode', mode,
            '--output-dir', out, '--device', env.get('CM_MLPERF_DEVICE', 'cpu'),
            '--result-json', os.path.join(out, 'harness_result.json')]
    for key, flag in OPTIONS:
        if str(env.get(key, '')).strip():
            args += [flag, str(env[key])]
    for key, conf_key in SETTINGS:
        if str(env.get(key, '')).strip():
            args += ['--set', f'{conf_key}={env[key]}']
    if not _yes(env.get('CM_MLPERF_LOADGEN_FAST_SUT', 'yes')):
        args.append('--no-fast-sut')
    if _yes(env.get('CM_MLPERF_LOADGEN_TRACE', '')):
        args.append('--trace')
    return args, out


def preprocess(i):
    env = i['env']
    here = os.path.dirname(os.path.abspath(__file__))
    env['CM_MLPERF_LOADGEN_HARNESS_DIR'] = os.path.join(here, 'src')
    env['CM_MLPERF_LOADGEN_HARNESS'] = os.path.join(here, 'src', 'harness.py')
    if _yes(env.get('CM_MLPERF_LOADGEN_HARNESS_ONLY', '')):
        return {'return': 0}
    try:
        args, out = harness_args(env, os.getcwd())
        env['CM_MLPERF_LOADGEN_HARNESS_ARGS'] = _quote(args)
    except ValueError as exc:
        return {'return': 1, 'error': f'app-loadgen-generic-python: {exc}'}
    env['CM_MLPERF_OUTPUT_DIR'] = out
    env['CM_MLPERF_RESULT_JSON'] = os.path.join(out, 'harness_result.json')
    return {'return': 0}


def postprocess(i):
    env = i['env']
    if _yes(env.get('CM_MLPERF_LOADGEN_HARNESS_ONLY', '')):
        return {'return': 0}
    path = env.get('CM_MLPERF_RESULT_JSON', '')
    try:
        with open(path, encoding='utf-8') as handle:
            result = json.load(handle)
    except (OSError, ValueError) as exc:
        return {'return': 1, 'error': f'no harness result in {path}: {exc}'}
    perf = result.get('performance') or {}
    env['CM_MLPERF_LOADGEN_RESULT_STATUS'] = result.get('status', '')
    env['CM_MLPERF_LOADGEN_RESULT_VALIDITY'] = perf.get('validity', '')
    env['CM_MLPERF_LOADGEN_RESULT_METRIC'] = perf.get('metric', '')
    env['CM_MLPERF_LOADGEN_RESULT_VALUE'] = '' if perf.get('metric_value') is None else str(perf['metric_value'])
    if result.get('status') != 'ok':
        return {'return': 1, 'error': f"harness run {result.get('status')}: {result.get('message', '')}"}
    return {'return': 0}
