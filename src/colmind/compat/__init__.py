"""Compatibility layer for recipes written for CM (``cmind``) and MLC (``mlcflow``).

``cmind_utils`` and ``mlc_utils`` re-implement the helper modules recipes import; ``shim`` makes
``import cmind`` / ``from mlc import utils`` resolve to them while a recipe is loaded or called.
"""
