"""``json.loads`` without importing ``json`` on the start-up path.

``import json`` costs several milliseconds (``json.decoder`` compiles regular expressions, which
pulls in ``re`` and ``enum``), and a ``cm`` command decodes a few JSON documents (``repos.json``,
automation metas). The decoding itself is done by CPython's C scanner (``_json``), the same one
``json.loads`` uses, configured exactly like ``json``'s default decoder. Anything unusual (a
byte-order mark, an error, an interpreter without ``_json``) is handed to ``json.loads``, so
results and error messages are those of ``json.loads``.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Scanner = Callable[[str, int], tuple[Any, int]]

_WHITESPACE = " \t\n\r"  # what json's decoder skips around a document
_NONE: Any = object()
_scanner: Any = _NONE


class _DecoderSettings:
    """The attributes ``_json.make_scanner`` reads: those of ``json``'s default decoder."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


def _get_scanner() -> Scanner | None:
    global _scanner
    if _scanner is _NONE:
        try:
            from _json import make_scanner
        except ImportError:  # pragma: no cover - interpreters without the C accelerator
            _scanner = None
        else:
            settings: Any = _DecoderSettings()  # typeshed wants a scanner here; any such object works
            _scanner = make_scanner(settings)
    return _scanner


def loads(text: str) -> Any:
    """``json.loads(text)`` for a ``str``: same value, same exceptions."""
    scan = _get_scanner()
    if scan is not None and not text.startswith("\ufeff"):
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = scan(text, start)
        except (StopIteration, ValueError, SystemError):
            # json.loads below raises its own error (the C scanner's error path imports
            # json.decoder itself and, run before ``json`` was ever imported, fails with a
            # SystemError instead)
            pass
        else:
            if not text[end:].strip(_WHITESPACE):
                return value
    import json

    return json.loads(text)
