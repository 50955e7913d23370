#!/bin/bash
# The whole benchmark: calibration, one harness process per scenario x mode, tree, summary.
# CM_MLPERF_RUN_ARGS is built and shell-quoted by customize.py.
eval "\"${CM_PYTHON_BIN_WITH_PATH}\" \"${CM_TMP_CURRENT_SCRIPT_PATH}/src/run_mlperf.py\" ${CM_MLPERF_RUN_ARGS}"
