"""Settings from the environment (``CM_REPOS``, ``CM_DEBUG``, ``CM_INDEX``, ``CM_CONFIG``)."""

from __future__ import annotations

import os

from colmind.errors import CMError
from colmind.store.paths import default_repos_dir
from colmind.valueclass import Value

TYPE_CHECKING = False

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

ACTION_SUBSTITUTIONS = {"ls": "search", "list": "search", "find": "search", "rm": "delete",
                        "mv": "move", "ren": "move", "rename": "move", "cp": "copy"}
from colmind.version import INFO_CLI  # noqa: E402

TRUE_WORDS = ("yes", "on", "true", "1")
FALSE_WORDS = ("no", "off", "false", "0")


def env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUE_WORDS


class Settings(Value):
    _fields = ("repos_path", "debug", "index", "cfg")

    def __init__(self, repos_path: str | os.PathLike[str], debug: bool = False, index: bool = True,
                 cfg: dict[str, Any] | None = None) -> None:
        self.repos_path = repos_path
        self.debug = debug
        self.index = index
        self.cfg: dict[str, Any] = {} if cfg is None else cfg

    @property
    def action_substitutions(self) -> dict[str, str]:
        subs = self.cfg.get("action_substitutions")
        return subs if isinstance(subs, dict) else ACTION_SUBSTITUTIONS


def default_repos_path() -> Path:
    """``default_repos_dir()`` as a ``Path``."""
    from pathlib import Path

    return Path(default_repos_dir())


def load_settings() -> Settings:
    """Read the settings; a bad ``CM_CONFIG`` is a clear error (cmind crashes on it)."""
    index_value = os.environ.get("CM_INDEX", "").strip().lower()
    settings = Settings(repos_path=default_repos_dir(), debug=env_true("CM_DEBUG"),
                        index=index_value not in ("no", "off", "false"))
    settings.cfg = {"action_substitutions": dict(ACTION_SUBSTITUTIONS), "info_cli": INFO_CLI,
                    "error_prefix": "CM error:", "default_home_dir": "CM", "file_repos": "repos.json",
                    "local_repo_name": "local", "repo_url_prefix": "https://github.com/",
                    "repo_url_org": "mlcommons", "default_repo_pack": "cm.zip"}
    config_file = os.environ.get("CM_CONFIG", "").strip()
    if config_file:
        settings.cfg.update(_load_config_file(config_file))
    return settings


def _load_config_file(path: str) -> dict[str, Any]:
    from colmind.store.meta import load_json_or_yaml

    if not os.path.isfile(path):
        raise CMError(f"CM_CONFIG points to {path}, which does not exist (unset CM_CONFIG or create the file)")
    if not (path.endswith(".json") or path.endswith(".yaml")):
        raise CMError(f"CM_CONFIG file {path} must end with .json or .yaml")
    data = load_json_or_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CMError(f"CM_CONFIG file {path} must hold a mapping of configuration keys")
    return data
