"""Loading and saving of CM meta files (``_cm.yaml`` + ``_cm.json``, ``cmr.yaml``...)."""

from __future__ import annotations

import os

from colmind.errors import BadFile, CMError, NotFound
from colmind.store import atomic, limits

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
    limits.check_size(text, path)
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        raise BadFile(f"detected problem in {path}: {_yaml_problem(text, path)}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # a 5,000-digit integer, deep nesting
        raise BadFile(f"detected problem in {path}: {_short(exc)}") from None
    if limits.may_alias(text):
        limits.check_expansion(data, path)
    return data


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 300 else text[:300] + "..."


_PY_REPARSE_BYTES = 256 * 1024
_PY_REPARSE_BRACKETS = 200


def _yaml_problem(text: str, path: str) -> str:
    """PyYAML's own message for a bad document, naming ``path`` (as CM prints it), not the C parser's.
    A large or deeply bracketed text gets the C parser's message instead (PyYAML's pure-Python
    parser needs seconds for 5,000 nested brackets)."""
    import io

    import yaml

    if len(text) > _PY_REPARSE_BYTES or text.count("[") + text.count("{") > _PY_REPARSE_BRACKETS:
        try:
            yaml.load(io.StringIO(text), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            return str(exc).replace("<file>", path)
        except (ValueError, RecursionError) as exc:
            return _short(exc)
        return "invalid YAML"

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

    limits.check_size(text, path)
    try:
        return loads(text)
    except (ValueError, RecursionError) as exc:  # also a 5,000-digit integer, deep nesting
        raise BadFile(f"detected problem in {path}: {_short(exc)}") from None


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
    atomic.write_text(path, meta_json_text(meta, path))
    return path


def meta_json_text(meta: dict[str, Any], path: str) -> str:
    """``meta`` as CM-style JSON, or a clear error naming what JSON cannot hold."""
    try:
        return atomic.dump_json(meta)
    except (TypeError, ValueError, RecursionError) as exc:
        raise CMError(f"cannot write {path}: the meta holds a value JSON cannot represent ({_short(exc)})") from None


def save_meta_yaml(directory: str, meta: dict[str, Any]) -> str:
    path = os.path.join(directory, "_cm.yaml")
    try:
        atomic.write_yaml(path, meta)
    except (TypeError, ValueError, RecursionError) as exc:
        raise CMError(f"cannot write {path}: the meta holds a value YAML cannot represent ({_short(exc)})") from None
    return path
