"""get-dataset-digits: run.sh calls make_digits.py with the target python; postprocess checks
the files and fills any CM_DATASET_DIGITS_* key the native step did not return."""
import os

FILES = {'CM_DATASET_DIGITS_TRAIN_PATH': 'train.npz', 'CM_DATASET_DIGITS_VAL_PATH': 'val.npz',
         'CM_DATASET_DIGITS_LABELS_PATH': 'labels.txt'}


def preprocess(i):
    env = i['env']
    if not env.get('CM_PYTHON_BIN_WITH_PATH'):
        return {'return': 1, 'error': 'get-dataset-digits: CM_PYTHON_BIN_WITH_PATH is not set (get,python3 dep missing?)'}
    return {'return': 0}


def postprocess(i):
    env = i['env']
    folder = env.get('CM_DATASET_DIGITS_PATH') or os.path.join(os.getcwd(), 'digits')
    env['CM_DATASET_DIGITS_PATH'] = folder
    for key, name in FILES.items():
        path = env.get(key) or os.path.join(folder, name)
        if not os.path.isfile(path):
            return {'return': 1, 'error': f'get-dataset-digits: {path} was not created'}
        env[key] = path
    return {'return': 0}
