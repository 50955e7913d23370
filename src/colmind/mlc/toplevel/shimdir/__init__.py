"""The folder put on ``sys.path`` for ``import mlc`` (it holds only the ``mlc`` stand-in package)."""
