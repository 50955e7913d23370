"""colmind's own version and the CM version it is compatible with."""

__version__ = "0.1.0"
CM_COMPAT_VERSION = "4.2.0"
