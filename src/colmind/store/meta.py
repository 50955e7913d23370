"""Loading and saving of CM meta files (``_cm.yaml`` + ``_cm.json``, ``cmr.yaml``...)."""

from __future__ import annotations

import os

from colmind.errors import BadFile, NotFound
from colmind.store import atomic

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

META_NAMES = ("_cm.yaml", "_cm.json")


def load_yaml_file(path: str) -> Any:
    """Parse a YAML file; a parse error names the file and line."""
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise NotFound(f"File {path} not found") from None
    except UnicodeDecodeError as exc:
        raise BadFile(f"detected problem in {path}: not UTF-8 text ({exc})") from None
    except OSError as exc:
        raise BadFile(f"detected problem in {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        raise BadFile(f"detected problem in {path}: {_yaml_problem(text, path)}") from None


def _yaml_problem(text: str, path: str) -> str:
    """PyYAML's own message for a bad document, naming ``path`` (as CM prints it), not the C parser's."""
    import io

    import yaml

    stream = io.StringIO(text)
    stream.name = path  # type: ignore[misc]
    try:
        loader = yaml.SafeLoader(stream)
        try:
            loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return str(exc)
    return "invalid YAML"


def load_json_file(path: str) -> Any:
    """Parse a JSON file; a parse error names the file, line and column."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise NotFound(f"File {path} not found") from None
    except UnicodeDecodeError as exc:
        raise BadFile(f"detected problem in {path}: not UTF-8 text ({exc})") from None
    except OSError as exc:
        raise BadFile(f"detected problem in {path}: cannot read it ({exc.strerror or exc})") from None
    from colmind.store.jsonload import loads

    try:
        return loads(text)
    except ValueError as exc:
        import json

        if not isinstance(exc, json.JSONDecodeError):
            raise
        raise BadFile(f"detected problem in {path}: {exc}") from None


def load_json_or_yaml(path: str) -> Any:
    """Load one file by its extension (``.json`` or ``.yaml``; CM accepts no other)."""
    if path.endswith(".json"):
        return load_json_file(path)
    if path.endswith(".yaml"):
        return load_yaml_file(path)
    from colmind.errors import CMError

    raise CMError(f"file extension must be .json or .yaml in {path}")


def _as_dict(data: Any, path: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadFile(f"detected problem in {path}: the top level must be a mapping, not {type(data).__name__}")
    return data


def load_meta_pair(directory: str, stem: str = "_cm") -> tuple[dict[str, Any], list[str]] | None:
    """Load ``<stem>.yaml`` then merge ``<stem>.json`` over it (JSON wins); None if neither exists."""
    found: list[str] = []
    meta: dict[str, Any] = {}
    ypath = os.path.join(directory, stem + ".yaml")
    jpath = os.path.join(directory, stem + ".json")
    if os.path.isfile(ypath):
        meta.update(_as_dict(load_yaml_file(ypath), ypath))
        found.append(ypath)
    if os.path.isfile(jpath):
        meta.update(_as_dict(load_json_file(jpath), jpath))
        found.append(jpath)
    if not found:
        return None
    _stringify_ids(meta)
    return meta, found


def _stringify_ids(meta: dict[str, Any]) -> None:
    """An unquoted all-digit UID in YAML is an int: CM crashes on it, we read it as text."""
    for key in ("uid", "alias", "automation_uid", "automation_alias"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            meta[key] = str(value)


def merge_dicts(base: dict[str, Any], over: dict[str, Any], *, append_lists: bool = False,
                append_unique: bool = False) -> dict[str, Any]:
    """CM's recursive merge of ``over`` into ``base`` (in place; returns ``base``)."""
    import copy

    for key, value in over.items():
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merge_dicts(old, value, append_lists=append_lists, append_unique=append_unique)
        elif append_lists and isinstance(old, list) and isinstance(value, list):
            for item in value:
                if not append_unique or item not in old:
                    old.append(copy.deepcopy(item))
        else:
            base[key] = copy.deepcopy(value)
    return base


def save_meta_json(directory: str, meta: dict[str, Any]) -> str:
    """Write ``_cm.json`` atomically in CM's style (indent 2, sorted keys)."""
    path = os.path.join(directory, "_cm.json")
    atomic.write_json(path, meta)
    return path


def save_meta_yaml(directory: str, meta: dict[str, Any]) -> str:
    path = os.path.join(directory, "_cm.yaml")
    atomic.write_yaml(path, meta)
    return path
