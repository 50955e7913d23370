"""app-image-classification-onnx-py: validate the inputs, resolve paths, and (postprocess) make
sure the results are in new_state['cm_app_image_classification_onnx_py'] and CM_APP_*_ACCURACY.
The classification itself is classify.py, run by run.sh with the managed venv's python."""
import json
import os

STATE_KEY = 'cm_app_image_classification_onnx_py'
PREFIX = 'CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_'


def _int(env, key, default, minimum):
    raw = str(env.get(key, '') or '').strip()
    value = int(raw) if raw.lstrip('-').isdigit() else None if raw else default
    if value is None or value < minimum:
        raise ValueError(f'{key} must be an integer >= {minimum}, got {raw!r}')
    return value


def preprocess(i):
    env = i['env']
    try:
        env['CM_BATCH_SIZE'] = str(_int(env, 'CM_BATCH_SIZE', 32, 1))
        env[PREFIX + 'TOPK'] = str(_int(env, PREFIX + 'TOPK', 5, 1))
        env[PREFIX + 'THREADS'] = str(_int(env, PREFIX + 'THREADS', 0, 0))
    except ValueError as e:
        return {'return': 1, 'error': f'app-image-classification-onnx-py: {e}'}
    model = env.get(PREFIX + 'MODEL') or env.get('CM_ML_MODEL_FILE_WITH_PATH', '')
    if not model or not os.path.isfile(model):
        return {'return': 1, 'error': f'app-image-classification-onnx-py: ONNX model {model!r} not found '
                                       '(--model=PATH or the get,ml-model dep)'}
    env[PREFIX + 'MODEL_PATH'] = os.path.abspath(model)
    image = str(env.get('CM_IMAGE', '') or '').strip()
    if image:
        image = os.path.abspath(os.path.expanduser(image))
        if not os.path.exists(image):
            return {'return': 1, 'error': f'app-image-classification-onnx-py: --input {image} does not exist'}
        env['CM_IMAGE'] = image
    elif not env.get('CM_DATASET_DIGITS_VAL_PATH'):
        return {'return': 1, 'error': 'app-image-classification-onnx-py: no --input and no digits dataset'}
    out = str((i.get('input') or {}).get('out', '') or '')
    if out == 'json':
        env[PREFIX + 'QUIET'] = 'yes'
    env.setdefault(PREFIX + 'DEVICE', 'cpu')
    return {'return': 0}


def postprocess(i):
    env, state = i['env'], i['state']
    if STATE_KEY not in state and os.path.isfile('tmp-run-state.json'):
        with open('tmp-run-state.json', encoding='utf-8') as f:
            state.update(json.load(f))
    result = state.get(STATE_KEY)
    if not isinstance(result, dict):
        return {'return': 1, 'error': 'app-image-classification-onnx-py: classify.py returned no result'}
    if result.get('accuracy') is not None and not env.get(PREFIX + 'ACCURACY'):
        env[PREFIX + 'ACCURACY'] = '{:.6f}'.format(result['accuracy'])
    env.setdefault(PREFIX + 'COUNT', str(result.get('count', 0)))
    return {'return': 0}
