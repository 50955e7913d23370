#!/bin/bash
# Stdlib-only checker; exits 1 when the tree has errors (each printed with its file).
eval "\"${CM_PYTHON_BIN_WITH_PATH}\" \"${CM_TMP_CURRENT_SCRIPT_PATH}/src/checker.py\" ${CM_MLPERF_CHECKER_ARGS}"
