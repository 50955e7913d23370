"""colmind's own version and the CM version it is compatible with."""

__version__ = "0.1.0"
CM_COMPAT_VERSION = "4.2.0"
# the one-line synopsis ``cm`` prints (here, below every layer: the settings and the CLI both show it)
INFO_CLI = "cm {action} {automation} {artifact(s)} {flags} @input.yaml @input.json"
