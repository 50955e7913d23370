#!/bin/bash
# Classifies with the target python; results come back via tmp-run-state.json / tmp-run-env.out.
export ORT_DISABLE_TELEMETRY=1
QUIET=""
if [[ "${CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_QUIET}" == "yes" ]]; then QUIET="--quiet"; fi
"${CM_PYTHON_BIN_WITH_PATH}" "${CM_TMP_CURRENT_SCRIPT_PATH}/classify.py" \
  --model "${CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_MODEL_PATH}" \
  --input "${CM_IMAGE}" \
  --dataset "${CM_DATASET_DIGITS_VAL_PATH}" \
  --labels "${CM_DATASET_DIGITS_LABELS_PATH}" \
  --batch-size "${CM_BATCH_SIZE}" \
  --threads "${CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_THREADS}" \
  --topk "${CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_TOPK}" \
  --provider "${CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_DEVICE}" \
  --state-out tmp-run-state.json --env-out tmp-run-env.out ${QUIET} || exit $?
