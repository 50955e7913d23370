"""Build a tiny convolutional ONNX classifier with onnx.helper and fixed-seed random weights.

Graph (NCHW, float32): input [N,3,R,R] -> Conv 3->8 k3 p1 -> Relu -> MaxPool 2 -> Conv 8->16 k3 p1
-> Relu -> GlobalAveragePool -> Flatten -> Gemm 16->10 -> Softmax -> `probabilities` [N,10].
The batch dimension is symbolic (`N`); R is 32 (default) or 224. Opset 13, IR version 7, so
old and new onnxruntime releases load it. Same seed + resolution => byte-identical file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os

os.environ.setdefault('ORT_DISABLE_TELEMETRY', '1')

INPUT_NAME = 'input'
OUTPUT_NAME = 'probabilities'
NUM_CLASSES = 10
OPSET = 13
IR_VERSION = 7


def _weights(seed: int) -> dict:
    import numpy as np
    rng = np.random.RandomState(seed)

    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return {
        'conv1_w': he((8, 3, 3, 3), 27), 'conv1_b': np.zeros(8, np.float32),
        'conv2_w': he((16, 8, 3, 3), 72), 'conv2_b': np.zeros(16, np.float32),
        'fc_w': he((NUM_CLASSES, 16), 16), 'fc_b': np.zeros(NUM_CLASSES, np.float32),
    }


def build_model(resolution: int, seed: int = 0):
    from onnx import TensorProto, helper, numpy_helper
    w = _weights(seed)
    inits = [numpy_helper.from_array(v, name=k) for k, v in w.items()]
    conv = {'kernel_shape': [3, 3], 'pads': [1, 1, 1, 1]}
    nodes = [
        helper.make_node('Conv', [INPUT_NAME, 'conv1_w', 'conv1_b'], ['c1'], name='conv1', **conv),
        helper.make_node('Relu', ['c1'], ['r1'], name='relu1'),
        helper.make_node('MaxPool', ['r1'], ['p1'], name='pool1', kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node('Conv', ['p1', 'conv2_w', 'conv2_b'], ['c2'], name='conv2', **conv),
        helper.make_node('Relu', ['c2'], ['r2'], name='relu2'),
        helper.make_node('GlobalAveragePool', ['r2'], ['g'], name='gap'),
        helper.make_node('Flatten', ['g'], ['f'], name='flatten', axis=1),
        helper.make_node('Gemm', ['f', 'fc_w', 'fc_b'], ['logits'], name='fc', transB=1),
        helper.make_node('Softmax', ['logits'], [OUTPUT_NAME], name='softmax', axis=1),
    ]
    graph = helper.make_graph(
        nodes, f'tinycnn_{resolution}',
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ['N', 3, resolution, resolution])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ['N', NUM_CLASSES])], initializer=inits)
    model = helper.make_model(graph, producer_name='colmind-get-ml-model-tinycnn',
                              opset_imports=[helper.make_opsetid('', OPSET)])
    model.ir_version = IR_VERSION
    return model


def build(resolution: int, seed: int, out_dir: str) -> dict:
    import onnx
    model = build_model(resolution, seed)
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f'tinycnn-{resolution}.onnx')
    tmp = path + '.tmp-' + str(os.getpid())
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)
    info = {'model': 'tinycnn', 'file': path, 'resolution': resolution, 'seed': seed, 'opset': OPSET,
            'input_name': INPUT_NAME, 'input_shape': [-1, 3, resolution, resolution], 'output_names': [OUTPUT_NAME],
            'num_classes': NUM_CLASSES, 'sha256': hashlib.sha256(data).hexdigest()}
    info.update(build_dataset(path, resolution, seed, os.path.join(out_dir, 'dataset')))
    with open(os.path.join(out_dir, f'tinycnn-{resolution}.json'), 'w', encoding='utf-8') as f:
        json.dump(info, f, indent=2)
    return info


def build_dataset(model_path: str, resolution: int, seed: int, out_dir: str) -> dict:
    """A synthetic validation set (fixed-seed images) labelled by the model itself.

    tinycnn has no real data: its labels are the model's own top-1 answers (computed with
    onnxruntime when it is installed), so a harness must reproduce them exactly (accuracy 1.0).
    """
    import numpy as np
    count = 256 if resolution <= 64 else 64
    rng = np.random.default_rng(seed + 1)
    x = rng.random((count, 3, resolution, resolution), dtype=np.float32)
    y = np.full(count, -1, dtype=np.int64)
    labelled = False
    try:
        import onnxruntime as ort
        sess = ort.InferenceSession(model_path, providers=['CPUExecutionProvider'])
        y = np.argmax(sess.run(None, {INPUT_NAME: x})[0], axis=1).astype(np.int64)
        labelled = True
    except ImportError:
        pass
    os.makedirs(out_dir, exist_ok=True)
    tmp = os.path.join(out_dir, f'val.tmp-{os.getpid()}.npz')
    np.savez(tmp, x=x, y=y)
    os.replace(tmp, os.path.join(out_dir, 'val.npz'))
    return {'dataset_path': out_dir, 'dataset_count': count, 'dataset_labelled': labelled}


def env_lines(info: dict) -> dict:
    r = info['resolution']
    return {
        'CM_ML_MODEL_FILE_WITH_PATH': info['file'],
        'CM_ML_MODEL_FILE': os.path.basename(info['file']),
        'CM_ML_MODEL_PATH': os.path.dirname(info['file']),
        'CM_ML_MODEL_FRAMEWORK': 'onnx',
        'CM_ML_MODEL_INPUT_NAME': INPUT_NAME,
        'CM_ML_MODEL_INPUT_SHAPE': f'-1,3,{r},{r}',
        'CM_ML_MODEL_INPUT_DATA_TYPE': 'float32',
        'CM_ML_MODEL_INPUT_LAYOUT': 'NCHW',
        'CM_ML_MODEL_IMAGE_HEIGHT': str(r),
        'CM_ML_MODEL_IMAGE_WIDTH': str(r),
        'CM_ML_MODEL_IMAGE_CHANNELS': '3',
        'CM_ML_MODEL_OUTPUT_NAMES': OUTPUT_NAME,
        'CM_ML_MODEL_NUM_CLASSES': str(NUM_CLASSES),
        'CM_ML_MODEL_SHA256': info['sha256'],
        'CM_ML_MODEL_DATASET_PATH': info['dataset_path'],
        'CM_ML_MODEL_DATASET_COUNT': str(info['dataset_count']),
        **({'CM_ML_MODEL_ACCURACY': '1.0'} if info['dataset_labelled'] else {}),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--resolution', type=int, default=32, choices=[32, 224])
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--env-out', default='')
    a = ap.parse_args(argv)
    info = build(a.resolution, a.seed, os.path.abspath(a.out_dir))
    if a.env_out:
        with open(a.env_out, 'a', encoding='utf-8') as f:
            f.writelines(f'{k}={v}\n' for k, v in env_lines(info).items())
    print(f"tinycnn {a.resolution}x{a.resolution}: {info['file']}")
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
