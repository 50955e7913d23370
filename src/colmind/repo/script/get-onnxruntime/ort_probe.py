"""Report the onnxruntime visible to this interpreter as JSON: version, device, providers.

Run with the target python: `python ort_probe.py [--require-provider CUDAExecutionProvider]`.
ORT_DISABLE_TELEMETRY=1 is set before the import.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

os.environ['ORT_DISABLE_TELEMETRY'] = '1'


def probe() -> dict:
    import onnxruntime as ort
    return {'version': ort.__version__, 'device': ort.get_device(), 'providers': ort.get_available_providers(),
            'path': os.path.dirname(ort.__file__), 'python': sys.executable}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--require-provider', default='')
    a = ap.parse_args(argv)
    try:
        info = probe()
    except ImportError as e:
        print(json.dumps({'error': f'onnxruntime is not importable in {sys.executable}: {e}'}))
        return 2
    if a.require_provider and a.require_provider not in info['providers']:
        info['error'] = (f"{a.require_provider} is not available in onnxruntime {info['version']} "
                         f"(providers: {', '.join(info['providers'])})")
        print(json.dumps(info))
        return 3
    print(json.dumps(info))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
