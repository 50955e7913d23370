#!/bin/bash
# Builds the dataset in <cache entry>/digits and returns its paths through tmp-run-env.out.
"${CM_PYTHON_BIN_WITH_PATH}" "${CM_TMP_CURRENT_SCRIPT_PATH}/make_digits.py" \
  --out-dir "${PWD}/digits" --env-out tmp-run-env.out || exit $?
