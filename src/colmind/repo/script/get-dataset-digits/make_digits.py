"""Build the offline digits dataset from scikit-learn's bundled copy (no download).

Output (in --out-dir): train.npz and val.npz with arrays x (float32 [N,64], pixel/16.0) and
y (int64 [N]); labels.txt with the class names 0..9, one per line; dataset-info.json.
Split: train_test_split(test_size=0.25, random_state=42, stratify=y) -> 1347 train, 450 val.
With --env-out FILE, appends the CM env lines (KEY=VALUE) the recipe exports.
"""
from __future__ import annotations

import argparse
import json
import os

TEST_SIZE = 0.25
RANDOM_STATE = 42


def _atomic_write(path: str, write) -> None:
    tmp = path + '.tmp-' + str(os.getpid())
    with open(tmp, 'wb') as f:
        write(f)
    os.replace(tmp, path)


def build(out_dir: str) -> dict:
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_tr, x_val, y_tr, y_val = train_test_split(x, y, test_size=TEST_SIZE, random_state=RANDOM_STATE, stratify=y)
    os.makedirs(out_dir, exist_ok=True)
    paths = {'train': os.path.join(out_dir, 'train.npz'), 'val': os.path.join(out_dir, 'val.npz'),
             'labels': os.path.join(out_dir, 'labels.txt')}
    _atomic_write(paths['train'], lambda f: np.savez(f, x=x_tr, y=y_tr))
    _atomic_write(paths['val'], lambda f: np.savez(f, x=x_val, y=y_val))
    labels = [str(int(c)) for c in digits.target_names]
    _atomic_write(paths['labels'], lambda f: f.write(('\n'.join(labels) + '\n').encode()))
    info = {'name': 'digits', 'source': 'sklearn.datasets.load_digits', 'train_size': int(len(y_tr)),
            'val_size': int(len(y_val)), 'num_classes': len(labels), 'shape': [8, 8], 'features': 64,
            'split': {'test_size': TEST_SIZE, 'random_state': RANDOM_STATE, 'stratify': True}}
    _atomic_write(os.path.join(out_dir, 'dataset-info.json'), lambda f: f.write(json.dumps(info, indent=2).encode()))
    return {'paths': paths, 'info': info}


def env_lines(out_dir: str, result: dict) -> dict:
    info, paths = result['info'], result['paths']
    return {
        'CM_DATASET_DIGITS_PATH': out_dir,
        'CM_DATASET_DIGITS_TRAIN_PATH': paths['train'],
        'CM_DATASET_DIGITS_VAL_PATH': paths['val'],
        'CM_DATASET_DIGITS_LABELS_PATH': paths['labels'],
        'CM_DATASET_DIGITS_TRAIN_SIZE': str(info['train_size']),
        'CM_DATASET_DIGITS_VAL_SIZE': str(info['val_size']),
        'CM_DATASET_DIGITS_NUM_CLASSES': str(info['num_classes']),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--env-out', default='')
    a = ap.parse_args(argv)
    out_dir = os.path.abspath(a.out_dir)
    env = env_lines(out_dir, build(out_dir))
    if a.env_out:
        with open(a.env_out, 'a', encoding='utf-8') as f:
            f.writelines(f'{k}={v}\n' for k, v in env.items())
    print(f'digits dataset: {env["CM_DATASET_DIGITS_TRAIN_SIZE"]} train / {env["CM_DATASET_DIGITS_VAL_SIZE"]} '
          f'validation images in {out_dir}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
