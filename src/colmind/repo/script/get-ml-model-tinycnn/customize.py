"""get-ml-model-tinycnn: run.sh builds the model with the target python; this checks inputs
and that the model file exists afterwards."""
import os


def preprocess(i):
    env = i['env']
    if not env.get('CM_PYTHON_BIN_WITH_PATH'):
        return {'return': 1, 'error': 'get-ml-model-tinycnn: CM_PYTHON_BIN_WITH_PATH is not set (get,python3 dep missing?)'}
    if str(env.get('CM_ML_MODEL_TINYCNN_RESOLUTION', '32')) not in ('32', '224'):
        return {'return': 1, 'error': 'get-ml-model-tinycnn: resolution must be 32 or 224 (variations _32, _224)'}
    if not str(env.get('CM_ML_MODEL_TINYCNN_SEED', '0')).isdigit():
        return {'return': 1, 'error': 'get-ml-model-tinycnn: --seed must be a non-negative integer'}
    return {'return': 0}


def postprocess(i):
    env = i['env']
    resolution = str(env.get('CM_ML_MODEL_TINYCNN_RESOLUTION', '32'))
    model = env.get('CM_ML_MODEL_FILE_WITH_PATH') or os.path.join(os.getcwd(), 'model',
                                                                   f'tinycnn-{resolution}.onnx')
    if not os.path.isfile(model):
        return {'return': 1, 'error': f'get-ml-model-tinycnn: {model} was not created'}
    env['CM_ML_MODEL_FILE_WITH_PATH'] = model
    return {'return': 0}
