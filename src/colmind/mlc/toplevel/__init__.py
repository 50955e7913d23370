"""The top-level ``mlc`` stand-in for user code (``import mlc; mlc.access({...})``), opt-in.

colmind does not install a package named ``mlc``: mlcflow owns that name, and two wheels writing
``site-packages/mlc/`` would overwrite each other's files. The stand-in lives in this folder
(``toplevel/shimdir/mlc``) and is put on ``sys.path`` only when asked:

* ``python -m colmind.mlc.toplevel`` prints the folder (``PYTHONPATH=$(...)`` for one shell);
* ``python -m colmind.mlc.toplevel --install`` writes ``colmind-mlc.pth`` into this environment's
  site-packages, refused when a real ``mlc`` (mlcflow) is importable there; ``--uninstall``
  removes it.

While a recipe runs, ``mlc`` is the recipe-time stand-in of ``colmind.compat.shim`` instead.
"""

from __future__ import annotations

import os

PTH_NAME = "colmind-mlc.pth"


def folder() -> str:
    """The folder holding the stand-in package ``mlc`` (and nothing else importable)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "shimdir")


def real_mlc_location() -> str:
    """Where an ``mlc`` other than this stand-in would be imported from ("" when none)."""
    import importlib.machinery
    import sys

    here = folder()
    path = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("mlc", path)
    return str(spec.origin or "") if spec is not None else ""


def site_dir() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def install() -> str:
    real = real_mlc_location()
    if real:
        raise SystemExit(f"an 'mlc' package is already installed here ({real}): mlcflow's own "
                         "mlc.access is used; colmind's stand-in was not installed")
    target = os.path.join(site_dir(), PTH_NAME)
    from colmind.store import atomic

    atomic.write_text(target, folder() + "\n")
    return target


def uninstall() -> str:
    target = os.path.join(site_dir(), PTH_NAME)
    if os.path.exists(target):
        os.remove(target)
    return target
