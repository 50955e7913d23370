#!/bin/bash
# Trains the MLP in <cache entry>/model and returns the model env through tmp-run-env.out.
export ORT_DISABLE_TELEMETRY=1
"${CM_PYTHON_BIN_WITH_PATH}" "${CM_TMP_CURRENT_SCRIPT_PATH}/train_digits_mlp.py" \
  --train "${CM_DATASET_DIGITS_TRAIN_PATH}" --val "${CM_DATASET_DIGITS_VAL_PATH}" \
  --out-dir "${PWD}/model" --env-out tmp-run-env.out || exit $?
