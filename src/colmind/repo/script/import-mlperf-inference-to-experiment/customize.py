"""import-mlperf-inference-to-experiment: MLPerf inference results -> experiment records.

--results_dir: a result tree (the output_dir of run-mlperf-inference, its submission/ folder, or an
official MLCommons inference_results_vX.Y checkout); --summary_csv: the submission checker's CSV.
The work is done by colmind.experiment.mlperf_import (no prompts, stable record UIDs).
"""

import os


def preprocess(i):
    from colmind.experiment import mlperf_import

    env = i['env']
    source = env.get('CM_MLPERF_IMPORT_SOURCE', '')
    if not source:
        return {'return': 1, 'error': 'give --results_dir=<MLPerf results tree> or --summary_csv=<checker CSV>'}
    found = mlperf_import.load(os.path.abspath(source), env.get('CM_MLPERF_IMPORT_VERSION', ''),
                               env.get('CM_MLPERF_IMPORT_GIT_URL', ''), env.get('CM_MLPERF_IMPORT_GIT_BRANCH', 'master'))
    if not found:
        return {'return': 1, 'error': f'no MLPerf inference result found in {source}'}
    done = mlperf_import.import_records(found, env.get('CM_IMPORT_MLPERF_INFERENCE_TARGET_REPO', 'local'))
    run_dirs = sorted(set(done['written'] + done['unchanged']))
    env['CM_MLPERF_IMPORT_RECORDS'] = str(done['records'])
    env['CM_MLPERF_IMPORT_EXPERIMENTS'] = str(done['experiments'])
    env['CM_MLPERF_IMPORT_RUN_DIRS'] = ';'.join(run_dirs)
    print(f"Imported {done['records']} MLPerf result(s) into {done['experiments']} experiment(s) "
          f"({len(done['written'])} written, {len(done['unchanged'])} unchanged):")
    for path in run_dirs:
        print(f'  {path}')
    return {'return': 0}
