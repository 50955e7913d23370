"""The one-line synopsis ``cm`` prints (kept in a tiny module: ``cm`` alone must start fast).

The text itself lives in ``colmind.version`` so that the settings (``colmind.config``, below the CLI)
can show it without importing the CLI."""

from colmind.version import INFO_CLI

__all__ = ["INFO_CLI"]
