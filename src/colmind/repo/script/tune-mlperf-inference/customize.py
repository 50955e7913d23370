"""tune-mlperf-inference: search the harness's knobs with LoadGen; report the best configuration.

Steps (all in preprocess; the recipe has no run script): the model/dataset/harness from the deps'
env -> a quick calibration of the plain backend (LoadGen's performance hints) -> the search space
and the trial command -> ``cm run experiment`` with a search strategy (every trial is one step and
one record) -> the best VALID record (maximum throughput, within the latency bound) -> a table,
``tune-best.json`` in the run folder, and the command line that reproduces the best trial.
"""

import json
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tune_plan  # noqa: E402


def preprocess(i):
    env = i['env']
    try:
        plan = tune_plan.make_plan(env, os.getcwd())
        plan.calibration = calibrate(plan)
        outcome = tune_plan.run_study(plan)
    except tune_plan.TuneError as exc:
        return {'return': 1, 'error': f'tune-mlperf-inference: {exc}'}
    print(tune_plan.report(plan, outcome))
    env.update(tune_plan.exported_env(outcome))
    return {'return': 0}


def calibrate(plan):
    """The harness's --calibrate run with the default configuration: latency and throughput."""
    out = os.path.join(plan.work_dir, 'calibration.json')
    cmd = plan.harness_base() + ['--calibrate', '--batch-size', '32', '--result-json', out]
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
                          timeout=plan.trial_timeout * 4)
    try:
        with open(out, encoding='utf-8') as handle:
            result = json.load(handle)
    except (OSError, ValueError):
        result = {}
    if proc.returncode != 0 or result.get('status') != 'ok':
        raise tune_plan.TuneError(f"calibration failed ({shlex.join(cmd)}): "
                                  f"{result.get('message') or proc.stderr.strip()[-500:]}")
    return result['calibration']
