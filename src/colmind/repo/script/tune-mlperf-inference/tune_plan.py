"""The tuning study of tune-mlperf-inference: space, trial command, experiment, best and report.

Runs in colmind's process (the recipe's customize.py); each trial is a harness process under the
managed venv's Python, started by ``cm run experiment`` as one step that writes its result JSON as
the step's ``cm-output.json`` (so a record holds ``performance.metric_value``, ``performance.validity``,
``performance.p99_ms``, ``settings.*``...).
"""

import json
import os
import shlex
from dataclasses import dataclass, field

SCENARIOS = ('Offline', 'Server')
DATASET_KEYS = {'digits': ('CM_DATASET_DIGITS_PATH',),
                'tinycnn': ('CM_DATASET_TINYCNN_PATH', 'CM_ML_MODEL_DATASET_PATH')}
OBJECTIVE = 'max:performance.metric_value'
VALID = "result['performance.validity'] == 'VALID'"
SERVER_LOADS = (0.02, 0.05, 0.1, 0.15, 0.3)  # Server target QPS as fractions of the bs1 rate of all cores
DEFAULT_SERVER_LOAD = 0.15  # what run-mlperf-inference uses
SERVER_TEST_BOUND_MS = 50  # as run-mlperf-inference's short runs
# Offline hint: LoadGen's Python SUT reaches a fraction of the plain backend's batched speed per core
OFFLINE_HINT = 0.5
# name, flag, the harness's default
KNOBS = (('threads', '--threads', 0), ('batch_size', '--batch-size', 32),
         ('intra_op_threads', '--intra-op-threads', 0), ('inter_op_threads', '--inter-op-threads', 1),
         ('graph_opt', '--graph-opt', 'all'))
CM_INPUTS = {'threads': 'threads', 'batch_size': 'batch_size', 'intra_op_threads': 'intra_op_threads',
             'inter_op_threads': 'inter_op_threads', 'graph_opt': 'graph_opt', 'target_qps': 'target_qps'}


class TuneError(Exception):
    """A problem the user can fix (inputs, missing dependency outputs, failed calibration)."""


@dataclass
class Plan:
    model: str
    scenario: str
    python: str
    harness: str
    model_path: str
    dataset: str
    device: str
    budget: int
    seed: int
    strategy: str
    min_duration_ms: int
    trial_timeout: float
    max_latency_ms: float
    target_qps: float
    target_latency_ms: float
    experiment: str
    work_dir: str
    cores: int
    calibration: dict = field(default_factory=dict)

    def harness_base(self):
        return [self.python, self.harness, '--model', self.model_path, '--dataset', self.dataset,
                '--device', self.device]


def _number(env, key, kind, default):
    value = str(env.get(key, '') or '').strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise TuneError(f'{key}={value!r} is not a number') from None


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def default_strategy():
    try:
        import optuna  # noqa: F401
    except ImportError:
        return 'random'
    return 'optuna'


def make_plan(env, cwd):
    """Inputs and dependency outputs -> a Plan (TuneError says what is missing)."""
    model = env.get('CM_MLPERF_MODEL', 'digits')
    scenario = next((s for s in SCENARIOS if s.lower() == env.get('CM_MLPERF_LOADGEN_SCENARIO', 'Offline').lower()), '')
    if not scenario:
        raise TuneError(f"--scenario must be Offline or Server, not {env.get('CM_MLPERF_LOADGEN_SCENARIO')!r}")
    model_path = env.get('CM_ML_MODEL_FILE_WITH_PATH', '')
    dataset = next((env[k] for k in ('CM_MLPERF_DATASET_PATH',) + DATASET_KEYS.get(model, ()) if env.get(k)), '')
    harness = env.get('CM_MLPERF_LOADGEN_HARNESS', '')
    python = env.get('CM_PYTHON_BIN_WITH_PATH', '')
    for what, value in (('model file (CM_ML_MODEL_FILE_WITH_PATH)', model_path), ('dataset', dataset),
                        ('harness (CM_MLPERF_LOADGEN_HARNESS)', harness), ('python (CM_PYTHON_BIN_WITH_PATH)', python)):
        if not value:
            raise TuneError(f'no {what}: the dependencies did not export it')
    budget = _number(env, 'CM_MLPERF_TUNE_BUDGET', int, 12)
    if budget < 1:
        raise TuneError('--budget must be at least 1')
    min_duration = _number(env, 'CM_MLPERF_LOADGEN_MIN_DURATION', int, 300)
    return Plan(model=model, scenario=scenario, python=python, harness=harness, model_path=model_path,
                dataset=dataset, device=env.get('CM_MLPERF_DEVICE', 'cpu'), budget=budget,
                seed=_number(env, 'CM_MLPERF_TUNE_SEED', int, 0),
                strategy=env.get('CM_MLPERF_TUNE_STRATEGY', '') or default_strategy(),
                min_duration_ms=min_duration,
                trial_timeout=_number(env, 'CM_MLPERF_TUNE_TRIAL_TIMEOUT', float, 6 + 10 * min_duration / 1000),
                max_latency_ms=_number(env, 'CM_MLPERF_TUNE_MAX_LATENCY_MS', float, 0.0),
                target_qps=_number(env, 'CM_MLPERF_LOADGEN_TARGET_QPS', float, 0.0),
                target_latency_ms=_number(env, 'CM_MLPERF_LOADGEN_TARGET_LATENCY', float, 0.0),
                experiment=env.get('CM_MLPERF_TUNE_EXPERIMENT', '') or f'tune-mlperf-inference-{model}-{scenario.lower()}',
                work_dir=cwd, cores=_cores())


# -- space and trial command ------------------------------------------------------------------
def space(plan):
    """Each knob's values (the harness default first), and the default point."""
    threads = sorted({1, max(1, plan.cores // 2), plan.cores, 2 * plan.cores})
    dims = {'threads': [0] + threads, 'batch_size': [32, 1, 8, 64, 128],
            'intra_op_threads': [0] + sorted({1, plan.cores}), 'inter_op_threads': [1, 2],
            'graph_opt': ['all', 'extended', 'basic', 'disable']}
    if plan.scenario == 'Server':
        dims['target_qps'] = server_loads(plan)
    default = {name: values[0] for name, values in dims.items()}
    if plan.scenario == 'Server':
        default['target_qps'] = dims['target_qps'][SERVER_LOADS.index(DEFAULT_SERVER_LOAD)]
    return dims, default


def _fmt(value):
    return f'{value:.3f}'.rstrip('0').rstrip('.')


def bs1_rate(plan):
    return plan.cores * 1000.0 / max(plan.calibration['latency_bs1_ms'], 1e-6)


def server_loads(plan):
    if plan.target_qps:
        return [_fmt(plan.target_qps * f / DEFAULT_SERVER_LOAD) for f in SERVER_LOADS]
    return [_fmt(max(1.0, bs1_rate(plan) * f)) for f in SERVER_LOADS]


def loadgen_settings(plan):
    """user.conf values shared by every trial (Server's target_qps is a dimension)."""
    values = {'min_duration': str(plan.min_duration_ms)}
    if plan.scenario == 'Offline':
        # LoadGen issues target_qps x min_duration samples at once: a hint above any trial's speed keeps
        # fast trials VALID; slow ones run longer and hit --trial_timeout (recorded failed, not best)
        qps = plan.target_qps or OFFLINE_HINT * plan.cores * plan.calibration['throughput_samples_per_s']
        values['target_qps'] = _fmt(max(1.0, qps))
    else:
        values['min_query_count'] = '500'
        bound = plan.target_latency_ms or max(SERVER_TEST_BOUND_MS, 20 * plan.calibration['latency_bs1_ms'])
        values['target_latency'] = _fmt(bound)
    return values


def trial_command(plan, names):
    """The step command: the harness with ``{{knob}}`` placeholders, its result as cm-output.json."""
    args = plan.harness_base() + ['--scenario', plan.scenario, '--mode', 'performance',
                                  '--output-dir', 'loadgen', '--result-json', 'cm-output.json',
                                  '--timeout', _fmt(plan.trial_timeout)]
    for key, value in loadgen_settings(plan).items():
        args += ['--set', f'{key}={value}']
    text = shlex.join(args)
    for name, flag, _ in KNOBS:
        text += f' {flag} {{{{{name}}}}}'
    if 'target_qps' in names:
        text += ' --set target_qps={{target_qps}}'
    return text


def constraints(plan):
    out = [VALID]
    if plan.max_latency_ms:
        out.append(f"result['performance.p99_ms'] <= {plan.max_latency_ms}")
    return out


# -- the study --------------------------------------------------------------------------------
def run_study(plan):
    """``cm run experiment`` over the space; returns what the report needs."""
    from colmind.api import access

    dims, default = space(plan)
    request = {'action': 'run', 'automation': 'experiment', 'artifact': plan.experiment,
               'tags': f'tune,mlperf-inference,{plan.model},{plan.scenario.lower()}',
               'explore': dims, 'explore_strategy': plan.strategy, 'budget': plan.budget, 'seed': plan.seed,
               'objective': [OBJECTIVE], 'constraint': constraints(plan), 'explore_first': default,
               'keep_going': True, 'unparsed_cmd': [trial_command(plan, dims)], 'out': 'con'}
    r = access(request)
    run_dir = r.get('experiment_path2', '')
    if r['return'] > 0 and not run_dir:
        raise TuneError(r.get('error', 'the experiment failed'))
    return summarize(plan, run_dir, dims, default)


def summarize(plan, run_dir, dims, default):
    from colmind.experiment import records
    from colmind.experiment.model import dims_of
    from colmind.experiment.objectives import parse_constraints, parse_objectives
    from colmind.experiment.pareto import pareto

    recs = records.load_records(run_dir)
    found = pareto(recs, parse_objectives([OBJECTIVE]), parse_constraints(constraints(plan)))
    best = recs[found.front[0]] if found.front else None
    base = next((r for r in recs if _same(dims_of(r), default)), None)
    outcome = {'run_dir': run_dir, 'records': recs, 'feasible': len(found.feasible), 'best': best,
               'default': base, 'dims': list(dims)}
    if best is not None:
        outcome['command'] = reproduce_command(plan, dims_of(best))
        outcome['harness_command'] = harness_command(plan, dims_of(best))
    _write_best(outcome)
    return outcome


def _same(a, b):
    return all(str(a.get(k)) == str(v) for k, v in b.items())


def metric(record):
    value = (record or {}).get('performance.metric_value')
    return float(value) if isinstance(value, (int, float)) else None


def reproduce_command(plan, point):
    """``cm run script`` of the generic harness recipe with the best knobs and the same settings."""
    args = ['cm', 'run', 'script', '--tags=app,loadgen,generic,loadgen-generic-python',
            f'--modelpath={plan.model_path}', f'--dataset={plan.dataset}', f'--scenario={plan.scenario}',
            '--mode=performance', f'--device={plan.device}', f'--min_duration={plan.min_duration_ms}']
    settings = loadgen_settings(plan)
    for key in ('target_qps', 'target_latency'):
        if key in settings:
            args.append(f'--{key}={settings[key]}')
    for name in (n for n, _, _ in KNOBS):
        args.append(f'--{CM_INPUTS[name]}={point[name]}')
    if 'target_qps' in point:
        args.append(f"--target_qps={point['target_qps']}")
    if plan.scenario == 'Server':
        args.append('--min_query_count=500')
    return shlex.join(args)


def harness_command(plan, point):
    text = trial_command(plan, point)
    for name, value in point.items():
        text = text.replace('{{' + name + '}}', shlex.quote(str(value)))
    return text


def _write_best(outcome):
    from colmind.experiment.model import dims_of
    from colmind.store import atomic

    def brief(record):
        if record is None:
            return None
        return {'uid': record.get('uid'), 'dims': dims_of(record), 'metric_value': metric(record),
                'validity': record.get('performance.validity'), 'p99_ms': record.get('performance.p99_ms')}

    doc = {'best': brief(outcome['best']), 'default': brief(outcome['default']),
           'command': outcome.get('command', ''), 'harness_command': outcome.get('harness_command', ''),
           'trials': len(outcome['records']), 'feasible': outcome['feasible']}
    outcome['best_json'] = os.path.join(outcome['run_dir'], 'tune-best.json')
    atomic.write_json(outcome['best_json'], doc, sort_keys=False)


# -- output -----------------------------------------------------------------------------------
def report(plan, outcome):
    recs = sorted(outcome['records'], key=lambda r: -(metric(r) or -1.0))
    head = outcome['dims'] + ['samples/s' if plan.scenario == 'Offline' else 'completed/s', 'result', 'p99 ms']
    rows = [[str(r.get(f'colmind_dims.{d}', '')) for d in outcome['dims']] +
            [_cell(metric(r)), str(r.get('performance.validity') or r.get('status') or r.get('colmind_status')),
             _cell(r.get('performance.p99_ms'))] for r in recs]
    widths = [max(len(h), *(len(row[k]) for row in rows)) if rows else len(h) for k, h in enumerate(head)]
    lines = ['  '.join(h.ljust(w) for h, w in zip(head, widths)), '  '.join('-' * w for w in widths)]
    lines += ['  '.join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    best, base = outcome['best'], outcome['default']
    lines.append(f"{plan.model} {plan.scenario}: {len(recs)} trials, {outcome['feasible']} VALID"
                 f"{' within the latency bound' if plan.max_latency_ms else ''} ({plan.strategy}, budget {plan.budget}, "
                 f"seed {plan.seed}); records in {outcome['run_dir']}")
    if best is None:
        lines.append('No VALID trial: raise --min_duration or --trial_timeout, or check the harness logs.')
        return '\n'.join(lines)
    gain = ''
    if metric(base):
        gain = f" (default configuration: {_cell(metric(base))}, {100 * (metric(best) / metric(base) - 1):+.1f}%)"
    lines.append(f'Best: {_cell(metric(best))} {head[len(outcome["dims"])]}{gain}')
    lines.append('Reproduce it with:')
    lines.append('  ' + outcome['command'])
    return '\n'.join(lines)


def _cell(value):
    if isinstance(value, float):
        return f'{value:,.2f}'
    return '' if value is None else str(value)


def exported_env(outcome):
    env = {'CM_MLPERF_TUNE_RUN_DIR': outcome['run_dir'], 'CM_MLPERF_TUNE_BEST_JSON': outcome['best_json']}
    if outcome['best'] is not None:
        env['CM_MLPERF_TUNE_BEST_VALUE'] = str(metric(outcome['best']))
        env['CM_MLPERF_TUNE_BEST_COMMAND'] = outcome['command']
    if metric(outcome['default']) is not None:
        env['CM_MLPERF_TUNE_DEFAULT_VALUE'] = str(metric(outcome['default']))
    return env


def dumps(outcome):
    return json.dumps({k: v for k, v in outcome.items() if k != 'records'}, default=str)
