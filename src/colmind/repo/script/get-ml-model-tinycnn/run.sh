#!/bin/bash
# Writes <cache entry>/model/tinycnn-<R>.onnx and returns the model env through tmp-run-env.out.
"${CM_PYTHON_BIN_WITH_PATH}" "${CM_TMP_CURRENT_SCRIPT_PATH}/make_tinycnn.py" \
  --resolution "${CM_ML_MODEL_TINYCNN_RESOLUTION:-32}" --seed "${CM_ML_MODEL_TINYCNN_SEED:-0}" \
  --out-dir "${PWD}/model" --env-out tmp-run-env.out || exit $?
