"""import-mlperf-inference-to-experiment: MLPerf inference results -> experiment records.

Sources: --summary_csv (an MLPerf checker summary.csv), --submission_dir (a tree made by
run-mlperf-inference), --results_dir (an official MLCommons results tree); with _skip_checker
and no source, ./summary.csv (as upstream). Trees are checked with check-mlperf-submission
first unless _skip_checker. The logic is in src/ (a package loaded under a private name).
"""
import importlib.util
import os
import sys

PACKAGE = 'colmind_recipe_import_mlperf_inference'


def _package():
    """src/ as the package PACKAGE (its modules import each other relatively)."""
    if PACKAGE + '.importer' in sys.modules:
        return sys.modules[PACKAGE + '.importer']
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'src')
    spec = importlib.util.spec_from_file_location(PACKAGE, os.path.join(src, '__init__.py'),
                                                  submodule_search_locations=[src])
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    spec.loader.exec_module(package)
    return importlib.import_module(PACKAGE + '.importer')


def _yes(value):
    return str(value).lower() in ('yes', 'true', '1', 'on')


def options(importer, env, cwd):
    skip_checker = _yes(env.get('CM_SKIP_SUBMISSION_CHECKER', ''))
    summary = env.get('CM_MLPERF_INFERENCE_SUMMARY_CSV', '')
    trees = env.get('CM_MLPERF_INFERENCE_SUBMISSION_DIR', '') or env.get('CM_MLPERF_INFERENCE_RESULTS_DIR', '')
    if skip_checker and not summary and not trees:
        summary = os.path.join(cwd, 'summary.csv')  # upstream's _skip_checker: the summary.csv made before
    return importer.Options(
        target_repo=env.get('CM_IMPORT_MLPERF_INFERENCE_TARGET_REPO', '') or 'local',
        summary_csv=summary,
        submission_dir=env.get('CM_MLPERF_INFERENCE_SUBMISSION_DIR', ''),
        results_dir=env.get('CM_MLPERF_INFERENCE_RESULTS_DIR', ''),
        version=env.get('CM_MLPERF_INFERENCE_VERSION', ''),
        submitter=env.get('CM_MLPERF_SUBMITTER', ''),
        git_url=env.get('CM_MLPERF_INFERENCE_RESULTS_GIT_URL', ''),
        git_branch=env.get('CM_MLPERF_INFERENCE_RESULTS_GIT_BRANCH', ''),
        run_checker=not skip_checker)


def preprocess(i):
    env, state = i['env'], i['state']
    importer = _package()
    try:
        outcome = importer.run(options(importer, env, os.getcwd()))
    except (importer.SourceError, importer.store.StoreError) as exc:
        return {'return': 1, 'error': f'import-mlperf-inference-to-experiment: {exc}'}
    quiet = _yes(env.get('CM_QUIET', ''))
    for line in outcome.checker:
        print(line)
    for reason in outcome.skipped[:20 if quiet else None]:
        print(f'skipped {reason}')
    print(outcome.summary())
    env['CM_IMPORT_MLPERF_INFERENCE_RECORDS'] = str(outcome.records)
    env['CM_IMPORT_MLPERF_INFERENCE_SKIPPED'] = str(len(outcome.skipped))
    env['CM_IMPORT_MLPERF_INFERENCE_EXPERIMENTS'] = ';'.join(w.path for w in outcome.experiments)
    state['mlperf_inference_import'] = {
        'records': outcome.records, 'skipped': outcome.skipped, 'checker': outcome.checker,
        'experiments': [{'name': w.name, 'path': w.path, 'run_dir': w.run_dir, 'new': w.new,
                         'updated': w.updated, 'unchanged': w.unchanged, 'kept': w.kept,
                         'file_changed': w.file_changed} for w in outcome.experiments]}
    return {'return': 0}
