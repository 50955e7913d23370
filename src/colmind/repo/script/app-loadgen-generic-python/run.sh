#!/bin/bash
# One LoadGen run (the harness supervises its own child process and timeout).
# CM_MLPERF_LOADGEN_HARNESS_ARGS is built and shell-quoted by customize.py.
if [ "${CM_MLPERF_LOADGEN_HARNESS_ONLY}" != "yes" ]; then
  eval "\"${CM_PYTHON_BIN_WITH_PATH}\" \"${CM_MLPERF_LOADGEN_HARNESS}\" ${CM_MLPERF_LOADGEN_HARNESS_ARGS}"
fi
