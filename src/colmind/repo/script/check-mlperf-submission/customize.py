"""check-mlperf-submission: checker arguments from env; the report count back into env."""

import json
import os
import shlex


def _yes(value):
    return str(value).lower() in ('yes', 'true', '1', 'on')


def checker_args(env, cwd):
    root = env.get('CM_MLPERF_SUBMISSION_DIR') or env.get('CM_MLPERF_OUTPUT_DIR', '')
    if not root:
        raise ValueError('give --input=<result tree> (the output_dir of run-mlperf-inference)')
    report = env.get('CM_MLPERF_CHECKER_JSON') or os.path.join(cwd, 'mlperf-checker-report.json')
    args = ['--input', root, '--json', report]
    # Seeds measured from the installed LoadGen (get-mlperf-loadgen) when no explicit ones are given.
    seeds = env.get('CM_MLPERF_EXPECTED_SEEDS') or env.get('CM_MLPERF_LOADGEN_SEEDS', '')
    if seeds:
        args += ['--expected-seeds', seeds]
    if _yes(env.get('CM_MLPERF_CHECKER_STRICT', '')):
        args.append('--strict')
    return args, report


def preprocess(i):
    env = i['env']
    try:
        args, report = checker_args(env, os.getcwd())
    except ValueError as exc:
        return {'return': 1, 'error': f'check-mlperf-submission: {exc}'}
    env['CM_MLPERF_CHECKER_ARGS'] = ' '.join(shlex.quote(a) for a in args)
    env['CM_MLPERF_CHECKER_JSON'] = report
    return {'return': 0}


def postprocess(i):
    env = i['env']
    try:
        with open(env['CM_MLPERF_CHECKER_JSON'], encoding='utf-8') as handle:
            env['CM_MLPERF_CHECKER_ERRORS'] = str(json.load(handle).get('errors', ''))
    except (OSError, ValueError):
        pass
    return {'return': 0}
