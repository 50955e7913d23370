"""Classify images with an ONNX model through onnxruntime; print top-k and accuracy.

Inputs (--input): one image file (.pgm/.ppm read natively, .npy arrays, .png/.jpg/... via Pillow
when installed), a folder of such files (recursively; the parent folder name is the true label
when it is one of the labels), a .npz with arrays x (and optionally y), or nothing: the digits
validation set given by --dataset. The model decides the preprocessing: a 2-D input [N, F] takes
grayscale images of sqrt(F) x sqrt(F); a 4-D input [N, C, H, W] takes C-channel images of H x W.
Pixels are scaled to [0, 1] (8-bit /255, PGM /maxval); .npy/.npz values are used as they are.
Outputs: --state-out (JSON, the recipe's tmp-run-state.json) and --env-out (KEY=VALUE lines).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass

os.environ['ORT_DISABLE_TELEMETRY'] = '1'

import numpy as np  # noqa: E402

STATE_KEY = 'cm_app_image_classification_onnx_py'
ENV_PREFIX = 'CM_APP_IMAGE_CLASSIFICATION_ONNX_PY_'
IMAGE_EXTS = {'.pgm', '.ppm', '.pnm', '.npy', '.png', '.jpg', '.jpeg', '.bmp', '.gif', '.tif', '.tiff', '.webp'}


class InputError(Exception):
    """Bad input file/folder or a format that cannot be read here."""


@dataclass(frozen=True)
class Geometry:
    input_name: str
    rank: int          # 2: [N, F] grayscale flat; 4: [N, C, H, W]
    channels: int
    height: int
    width: int

    @property
    def sample_shape(self) -> tuple:
        return (self.height * self.width,) if self.rank == 2 else (self.channels, self.height, self.width)


def geometry_of(sess) -> Geometry:
    inp = sess.get_inputs()[0]
    shape = list(inp.shape)
    if len(shape) == 2 and isinstance(shape[1], int):
        side = int(round(math.sqrt(shape[1])))
        if side * side != shape[1]:
            raise InputError(f'model input {inp.name} has {shape[1]} features: not a square grayscale image')
        return Geometry(inp.name, 2, 1, side, side)
    if len(shape) == 4 and all(isinstance(d, int) for d in shape[1:]):
        return Geometry(inp.name, 4, shape[1], shape[2], shape[3])
    raise InputError(f'unsupported model input shape {shape} (need [N, F] or [N, C, H, W])')


def _pnm_header(data: bytes) -> tuple:
    """(width, height, maxval, offset of the single whitespace before the pixels)."""
    fields, pos = [], 2
    while len(fields) < 3:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos) + 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(int(data[start:pos]))
    return fields[0], fields[1], fields[2], pos


def read_pnm(path: str) -> np.ndarray:
    """Binary/ASCII PGM (P2/P5) and PPM (P3/P6) -> float32 HxW or HxWx3 in [0, 1]."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:2]
    if magic not in (b'P2', b'P5', b'P3', b'P6'):
        raise InputError(f'{path}: not a PGM/PPM file (magic {magic!r})')
    try:
        width, height, maxval, pos = _pnm_header(data)
        channels = 3 if magic in (b'P3', b'P6') else 1
        count = width * height * channels
        if magic in (b'P5', b'P6'):
            dtype = np.dtype('>u2') if maxval > 255 else np.uint8
            arr = np.frombuffer(data, dtype=dtype, count=count, offset=pos + 1)
        else:
            arr = np.array(data[pos:].split()[:count], dtype=np.float64)
    except (ValueError, IndexError) as e:
        raise InputError(f'{path}: truncated or malformed PGM/PPM ({e})') from None
    if arr.size != count or maxval <= 0:
        raise InputError(f'{path}: truncated image data')
    arr = arr.astype(np.float32).reshape((height, width, channels) if channels == 3 else (height, width))
    return arr / float(maxval)


def read_with_pillow(path: str) -> np.ndarray:
    try:
        from PIL import Image
    except ImportError:
        raise InputError(f'{path}: reading this format needs Pillow, which is not installed in {sys.executable}; '
                         'install it (cm run script --tags=get,generic-python-lib,_pillow) or use .pgm/.npy') from None
    with Image.open(path) as img:
        img = img.convert('RGB') if img.mode not in ('L', 'RGB') else img
        return np.asarray(img, dtype=np.float32) / 255.0


def resize_nearest(img: np.ndarray, height: int, width: int) -> np.ndarray:
    if img.shape[0] == height and img.shape[1] == width:
        return img
    rows = (np.arange(height) * img.shape[0] / height).astype(int)
    cols = (np.arange(width) * img.shape[1] / width).astype(int)
    return img[rows][:, cols]


def to_sample(img: np.ndarray, geom: Geometry) -> np.ndarray:
    """HxW or HxWxC image (or a flat vector of a square image) -> one model input sample."""
    img = np.asarray(img, dtype=np.float32)
    if img.ndim == 1:
        side = int(round(math.sqrt(img.size)))
        if side * side != img.size:
            raise InputError(f'a flat input of {img.size} values is not a square image')
        img = img.reshape(side, side)
    if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[2] not in (1, 3):
        img = np.transpose(img, (1, 2, 0))  # CHW -> HWC
    img = resize_nearest(img, geom.height, geom.width)
    if geom.rank == 2:
        gray = img.mean(axis=2) if img.ndim == 3 else img
        return gray.reshape(-1)
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], geom.channels, axis=2)
    elif img.shape[2] != geom.channels:
        img = np.repeat(img.mean(axis=2, keepdims=True), geom.channels, axis=2)
    return np.transpose(img, (2, 0, 1))


def read_image(path: str) -> np.ndarray:
    ext = os.path.splitext(path)[1].lower()
    if ext in ('.pgm', '.ppm', '.pnm'):
        return read_pnm(path)
    if ext == '.npy':
        return np.load(path, allow_pickle=False)
    return read_with_pillow(path)


def collect(input_path: str, dataset: str, labels: list, geom: Geometry) -> tuple:
    """-> (names, x [N, *sample_shape], truth list of int|None, description)."""
    if not input_path:
        if not dataset:
            raise InputError('no --input and no --dataset: nothing to classify')
        input_path = dataset
    if not os.path.exists(input_path):
        raise InputError(f'{input_path} does not exist')
    if input_path.endswith('.npz'):
        data = np.load(input_path, allow_pickle=False)
        if 'x' not in data:
            raise InputError(f'{input_path}: no array "x" in the .npz')
        x = np.stack([to_sample(row, geom) for row in data['x']])
        truth = [int(v) for v in data['y']] if 'y' in data else [None] * len(x)
        return [f'{os.path.basename(input_path)}[{k}]' for k in range(len(x))], x, truth, input_path
    files = [input_path] if os.path.isfile(input_path) else sorted(
        os.path.join(d, f) for d, _, fs in os.walk(input_path) for f in fs if os.path.splitext(f)[1].lower() in IMAGE_EXTS)
    if not files:
        raise InputError(f'no image files ({", ".join(sorted(IMAGE_EXTS))}) under {input_path}')
    index = {name: k for k, name in enumerate(labels)}
    truth = []
    for f in files:
        parent = os.path.basename(os.path.dirname(f))
        in_sub = os.path.isdir(input_path) and os.path.abspath(os.path.dirname(f)) != os.path.abspath(input_path)
        truth.append(index.get(parent) if in_sub else None)
    x = np.stack([to_sample(read_image(f), geom) for f in files])
    return files, x, truth, input_path


def load_labels(path: str) -> list:
    if not path or not os.path.isfile(path):
        return []
    with open(path, encoding='utf-8') as f:
        return [ln.strip() for ln in f if ln.strip()]


def make_session(model: str, provider: str, threads: int):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    if threads > 0:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    providers = ['CUDAExecutionProvider', 'CPUExecutionProvider'] if provider == 'cuda' else ['CPUExecutionProvider']
    return ort.InferenceSession(model, sess_options=opts, providers=providers)


def score_output(sess) -> str:
    for out in sess.get_outputs():
        if out.type == 'tensor(float)' and len(out.shape) == 2:
            return out.name
    return sess.get_outputs()[0].name


def predict(sess, geom: Geometry, x: np.ndarray, batch_size: int) -> np.ndarray:
    name = score_output(sess)
    parts = [sess.run([name], {geom.input_name: x[k:k + batch_size].astype(np.float32)})[0]
             for k in range(0, len(x), batch_size)]
    scores = np.concatenate(parts).astype(np.float64)
    if (scores < 0).any() or not np.allclose(scores.sum(axis=1), 1.0, atol=1e-3):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores = e / e.sum(axis=1, keepdims=True)
    return scores


def summarize(names: list, scores: np.ndarray, truth: list, labels: list, topk: int) -> dict:
    k = min(topk, scores.shape[1])
    names_of = labels if len(labels) == scores.shape[1] else [str(c) for c in range(scores.shape[1])]
    order = np.argsort(-scores, axis=1, kind='stable')[:, :k]
    results, hit1, hitk, labeled = [], 0, 0, 0
    for i, (n, row, t) in enumerate(zip(names, order, truth)):  # noqa: B905 (runs on Python < 3.10 too)
        top = [{'label': names_of[c], 'index': int(c), 'score': round(float(scores[i, c]), 6)} for c in row]
        entry = {'input': n, 'top': top, 'truth': names_of[t] if t is not None else None,
                 'correct': (int(row[0]) == t) if t is not None else None}
        if t is not None:
            labeled += 1
            hit1 += int(row[0]) == t
            hitk += t in row
        results.append(entry)
    return {'count': len(names), 'labeled': labeled, 'topk': k,
            'accuracy': round(hit1 / labeled, 6) if labeled else None,
            'topk_accuracy': round(hitk / labeled, 6) if labeled else None, 'results': results}


def report(result: dict, limit: int = 20) -> str:
    lines = []
    for entry in result['results'][:limit]:
        top = ', '.join(f"{t['label']} ({t['score']:.3f})" for t in entry['top'])
        mark = '' if entry['truth'] is None else (' ok' if entry['correct'] else f" WRONG (truth {entry['truth']})")
        lines.append(f"{entry['input']}: {top}{mark}")
    if result['count'] > limit:
        lines.append(f"... {result['count'] - limit} more")
    if result['accuracy'] is not None:
        lines.append(f"Accuracy (top-1): {result['accuracy']:.4f} on {result['labeled']} labeled images; "
                     f"top-{result['topk']}: {result['topk_accuracy']:.4f}")
    return '\n'.join(lines)


def env_of(result: dict) -> dict:
    env = {ENV_PREFIX + 'COUNT': str(result['count']), ENV_PREFIX + 'TOPK': str(result['topk']),
           ENV_PREFIX + 'PROVIDER': result['provider'], ENV_PREFIX + 'MODEL': result['model']}
    if result['results']:
        env[ENV_PREFIX + 'TOP1'] = result['results'][0]['top'][0]['label']
    if result['accuracy'] is not None:
        env[ENV_PREFIX + 'ACCURACY'] = f"{result['accuracy']:.6f}"
        env[ENV_PREFIX + 'TOPK_ACCURACY'] = f"{result['topk_accuracy']:.6f}"
    return env


def classify(model: str, input_path: str = '', dataset: str = '', labels_path: str = '', batch_size: int = 32,
             threads: int = 0, topk: int = 5, provider: str = 'cpu') -> dict:
    sess = make_session(model, provider, threads)
    geom = geometry_of(sess)
    labels = load_labels(labels_path)
    names, x, truth, source = collect(input_path, dataset, labels, geom)
    result = summarize(names, predict(sess, geom, x, batch_size), truth, labels, topk)
    result.update({'model': model, 'input': source, 'provider': sess.get_providers()[0],
                   'batch_size': batch_size, 'threads': threads})
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--model', required=True)
    ap.add_argument('--input', default='')
    ap.add_argument('--dataset', default='')
    ap.add_argument('--labels', default='')
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--topk', type=int, default=5)
    ap.add_argument('--provider', choices=['cpu', 'cuda'], default='cpu')
    ap.add_argument('--state-out', default='')
    ap.add_argument('--env-out', default='')
    ap.add_argument('--quiet', action='store_true')
    a = ap.parse_args(argv)
    if a.batch_size < 1 or a.topk < 1 or a.threads < 0:
        print('error: --batch-size and --topk must be >= 1, --threads >= 0', file=sys.stderr)
        return 2
    try:
        result = classify(a.model, a.input, a.dataset, a.labels, a.batch_size, a.threads, a.topk, a.provider)
    except InputError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    if not a.quiet:
        print(report(result))
    if a.state_out:
        with open(a.state_out, 'w', encoding='utf-8') as f:
            json.dump({STATE_KEY: result}, f)
    if a.env_out:
        with open(a.env_out, 'a', encoding='utf-8') as f:
            f.writelines(f'{k}={v}\n' for k, v in env_of(result).items())
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
