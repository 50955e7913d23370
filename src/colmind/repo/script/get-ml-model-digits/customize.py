"""get-ml-model-digits: run.sh trains + exports with the target python; postprocess checks that
the model exists and that every CM_ML_MODEL_* key came back (from model-info.json otherwise)."""
import json
import os


def preprocess(i):
    env = i['env']
    for key in ('CM_PYTHON_BIN_WITH_PATH', 'CM_DATASET_DIGITS_TRAIN_PATH', 'CM_DATASET_DIGITS_VAL_PATH'):
        if not env.get(key):
            return {'return': 1, 'error': f'get-ml-model-digits: {key} is not set (missing dep?)'}
    return {'return': 0}


def postprocess(i):
    env = i['env']
    info_path = os.path.join(os.getcwd(), 'model', 'model-info.json')
    model = env.get('CM_ML_MODEL_FILE_WITH_PATH', '')
    if not model and os.path.isfile(info_path):
        with open(info_path, encoding='utf-8') as f:
            info = json.load(f)
        model = info['file']
        env.update({'CM_ML_MODEL_FILE_WITH_PATH': model, 'CM_ML_MODEL_FILE': os.path.basename(model),
                    'CM_ML_MODEL_PATH': os.path.dirname(model), 'CM_ML_MODEL_FRAMEWORK': 'onnx',
                    'CM_ML_MODEL_ACCURACY': '{:.4f}'.format(info['accuracy']),
                    'CM_ML_MODEL_INPUT_NAME': info['input_name'], 'CM_ML_MODEL_INPUT_SHAPE': '-1,64',
                    'CM_ML_MODEL_INPUT_DATA_TYPE': 'float32',
                    'CM_ML_MODEL_OUTPUT_NAMES': ','.join(info['output_names']),
                    'CM_ML_MODEL_NUM_CLASSES': str(info['num_classes']), 'CM_ML_MODEL_DATASET': 'digits',
                    'CM_ML_MODEL_SHA256': info['sha256']})
    if not model or not os.path.isfile(model):
        return {'return': 1, 'error': f'get-ml-model-digits: the ONNX model was not created ({model or info_path})'}
    return {'return': 0}
