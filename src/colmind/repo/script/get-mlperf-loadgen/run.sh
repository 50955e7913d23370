#!/bin/bash
# Probe the mlcommons-loadgen wheel installed in the managed venv; writes KEY=VALUE lines the
# engine merges into env (tmp-run-env.out in the current folder).
"${CM_PYTHON_BIN_WITH_PATH}" "${CM_TMP_CURRENT_SCRIPT_PATH}/src/loadgen_info.py" \
    --min-version "${CM_MLPERF_LOADGEN_MIN_VERSION}" --env-out tmp-run-env.out
