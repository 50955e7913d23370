"""Train the digits MLP and export it to ONNX (offline, deterministic for a given scikit-learn).

MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0) on train.npz, exported with
skl2onnx: input `input` float [None, 64], outputs `label` (int64 [N]) and `probabilities`
(float [N, 10]) (zipmap disabled). The validation accuracy is measured with the ONNX model when
onnxruntime is importable (else with scikit-learn) and written to model-info.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import warnings

os.environ.setdefault('ORT_DISABLE_TELEMETRY', '1')

INPUT_NAME = 'input'
OUTPUT_NAMES = ['label', 'probabilities']


def _atomic_write(path: str, data: bytes) -> None:
    tmp = path + '.tmp-' + str(os.getpid())
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def train(train_path: str):
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    data = np.load(train_path)
    clf = MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0)
    with warnings.catch_warnings(), _one_blas_thread():
        warnings.simplefilter('ignore', ConvergenceWarning)
        clf.fit(data['x'], data['y'])
    return clf


def _one_blas_thread():
    """Single-threaded BLAS: ~3x faster on these tiny matrices, and bit-for-bit repeatable."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def to_onnx(clf) -> bytes:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    model = convert_sklearn(clf, initial_types=[(INPUT_NAME, FloatTensorType([None, 64]))],
                            options={id(clf): {'zipmap': False}})
    return model.SerializeToString()


def onnx_accuracy(model_bytes: bytes, val_path: str) -> tuple:
    """(accuracy, how) on val.npz: onnxruntime if available, else None."""
    import numpy as np
    data = np.load(val_path)
    try:
        import onnxruntime as ort
    except ImportError:
        return None, ''
    sess = ort.InferenceSession(model_bytes, providers=['CPUExecutionProvider'])
    label = sess.run(['label'], {INPUT_NAME: data['x'].astype(np.float32)})[0]
    return float((label == data['y']).mean()), 'onnxruntime'


def build(train_path: str, val_path: str, out_dir: str) -> dict:
    import numpy as np
    clf = train(train_path)
    val = np.load(val_path)
    sk_acc = float(clf.score(val['x'], val['y']))
    model_bytes = to_onnx(clf)
    acc, how = onnx_accuracy(model_bytes, val_path)
    os.makedirs(out_dir, exist_ok=True)
    model_path = os.path.join(out_dir, 'digits-mlp.onnx')
    _atomic_write(model_path, model_bytes)
    info = {'model': 'digits-mlp', 'file': model_path, 'framework': 'onnx', 'input_name': INPUT_NAME,
            'input_shape': [-1, 64], 'input_dtype': 'float32', 'output_names': OUTPUT_NAMES, 'num_classes': 10,
            'accuracy': round(acc if acc is not None else sk_acc, 4), 'accuracy_measured_with': how or 'scikit-learn',
            'sklearn_accuracy': round(sk_acc, 4), 'sha256': hashlib.sha256(model_bytes).hexdigest(),
            'train': train_path, 'val': val_path,
            'estimator': 'MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0)'}
    _atomic_write(os.path.join(out_dir, 'model-info.json'), json.dumps(info, indent=2).encode())
    return info


def env_lines(info: dict) -> dict:
    return {
        'CM_ML_MODEL_FILE_WITH_PATH': info['file'],
        'CM_ML_MODEL_FILE': os.path.basename(info['file']),
        'CM_ML_MODEL_PATH': os.path.dirname(info['file']),
        'CM_ML_MODEL_FRAMEWORK': 'onnx',
        'CM_ML_MODEL_ACCURACY': f"{info['accuracy']:.4f}",
        'CM_ML_MODEL_INPUT_NAME': INPUT_NAME,
        'CM_ML_MODEL_INPUT_SHAPE': '-1,64',
        'CM_ML_MODEL_INPUT_DATA_TYPE': 'float32',
        'CM_ML_MODEL_OUTPUT_NAMES': ','.join(OUTPUT_NAMES),
        'CM_ML_MODEL_NUM_CLASSES': '10',
        'CM_ML_MODEL_DATASET': 'digits',
        'CM_ML_MODEL_SHA256': info['sha256'],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--train', required=True)
    ap.add_argument('--val', required=True)
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--env-out', default='')
    a = ap.parse_args(argv)
    info = build(os.path.abspath(a.train), os.path.abspath(a.val), os.path.abspath(a.out_dir))
    env = env_lines(info)
    if a.env_out:
        with open(a.env_out, 'a', encoding='utf-8') as f:
            f.writelines(f'{k}={v}\n' for k, v in env.items())
    print(f"digits MLP: validation accuracy {env['CM_ML_MODEL_ACCURACY']} -> {info['file']}")
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
