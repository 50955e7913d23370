"""run-mlperf-inference: gather model/dataset/harness from the deps' env into run_mlperf.py args."""

import json
import os
import shlex

BAD_CHARS = ('"', '$', '`', '\n')
DATASET_KEYS = {'digits': ('CM_DATASET_DIGITS_PATH',),
                'tinycnn': ('CM_DATASET_TINYCNN_PATH', 'CM_ML_MODEL_DATASET_PATH')}
PASS_THROUGH = (('CM_MLPERF_SYSTEM_NAME', '--system-name'), ('CM_MLPERF_SUBMITTER', '--submitter'),
                ('CM_MLPERF_LOADGEN_THREADS', '--threads'),
                ('CM_MLPERF_LOADGEN_MAX_BATCHSIZE', '--batch-size'), ('CM_MLPERF_TIMEOUT', '--timeout'),
                ('CM_MLPERF_LOADGEN_TARGET_QPS', '--target-qps'),
                ('CM_MLPERF_LOADGEN_TARGET_LATENCY', '--target-latency'),
                ('CM_ML_MODEL_ACCURACY', '--reference-accuracy'))


def _yes(value):
    return str(value).lower() in ('yes', 'true', '1', 'on')


def dataset_path(env, model):
    """CM_MLPERF_DATASET_PATH, else the dataset recipe's key for this model."""
    for key in ('CM_MLPERF_DATASET_PATH',) + DATASET_KEYS.get(model, ()):
        if env.get(key):
            return env[key]
    return ''


def run_args(env, here, cwd):
    """run_mlperf.py arguments from env (raises ValueError with what is missing)."""
    model = env.get('CM_MLPERF_MODEL', 'digits')
    model_path = env.get('CM_ML_MODEL_FILE_WITH_PATH', '')
    dataset = dataset_path(env, model)
    if not model_path:
        raise ValueError(f'no model file: the get,ml-model,{model} dependency must export CM_ML_MODEL_FILE_WITH_PATH')
    if not dataset:
        raise ValueError(f'no dataset for {model}: set --dataset or export one of '
                         f"{', '.join(('CM_MLPERF_DATASET_PATH',) + DATASET_KEYS.get(model, ()))}")
    harness = env.get('CM_MLPERF_LOADGEN_HARNESS') or os.path.join(
        os.path.dirname(here), 'app-loadgen-generic-python', 'src', 'harness.py')
    out = env.get('CM_MLPERF_OUTPUT_DIR') or os.path.join(cwd, 'mlperf-results')
    args = ['--model', model, '--model-path', model_path, '--dataset', dataset,
            '--scenario', env.get('CM_MLPERF_LOADGEN_SCENARIO', 'Offline'),
            '--mode', env.get('CM_MLPERF_LOADGEN_MODE', 'all'),
            '--execution-mode', env.get('CM_MLPERF_RUN_STYLE', 'test'),
            '--device', env.get('CM_MLPERF_DEVICE', 'cpu'), '--output-dir', out, '--harness', harness]
    for key, flag in PASS_THROUGH:
        if str(env.get(key, '')).strip():
            args += [flag, str(env[key])]
    if _yes(env.get('CM_MLPERF_LOADGEN_TRACE', '')):
        args.append('--trace')
    if str(env.get('CM_MLPERF_LOADGEN_FAST_SUT', '')).lower() in ('no', 'false', '0', 'off'):
        args.append('--no-fast-sut')
    if _yes(env.get('CM_QUIET', '')):
        args.append('--quiet')
    return args, out


def _quote(args):
    for arg in args:
        if any(c in arg for c in BAD_CHARS):
            raise ValueError(f"argument {arg!r} contains one of {BAD_CHARS}: rename the path/value")
    return ' '.join(shlex.quote(a) for a in args)


def preprocess(i):
    env = i['env']
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        args, out = run_args(env, here, os.getcwd())
        env['CM_MLPERF_RUN_ARGS'] = _quote(args)
    except ValueError as exc:
        return {'return': 1, 'error': f'run-mlperf-inference: {exc}'}
    env['CM_MLPERF_OUTPUT_DIR'] = out
    return {'return': 0}


def postprocess(i):
    env = i['env']
    out = env['CM_MLPERF_OUTPUT_DIR']
    path = os.path.join(out, 'summary.json')
    try:
        with open(path, encoding='utf-8') as handle:
            summary = json.load(handle)
    except (OSError, ValueError) as exc:
        return {'return': 1, 'error': f'run-mlperf-inference: no summary in {path}: {exc}'}
    env['CM_MLPERF_SUMMARY_JSON'] = path
    env['CM_MLPERF_SUBMISSION_DIR'] = summary.get('submission_dir') or os.path.join(out, 'submission')
    env['CM_MLPERF_RESULTS_DIR'] = summary.get('results_dir') or env['CM_MLPERF_SUBMISSION_DIR']
    env['CM_MLPERF_SYSTEM_NAME'] = summary.get('system', '')
    env['CM_MLPERF_ALL_VALID'] = 'yes' if summary.get('all_valid') else 'no'
    return {'return': 0}
