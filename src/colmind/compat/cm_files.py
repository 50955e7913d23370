"""CM file helpers: text/JSON/YAML load and save (writes are atomic), file search."""

from __future__ import annotations

import os

from colmind.store import atomic

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


def load_txt(file_name: str, encoding: str = "utf8", remove_after_read: bool = False,
             check_if_exists: bool = False, split: bool = False, match_text: str = "",
             fail_if_no_match: str = "", debug: bool = False) -> dict[str, Any]:
    """Read a text file → ``string`` (+ ``list`` when ``split``, + ``match`` for ``match_text``)."""
    if check_if_exists and not os.path.isfile(file_name):
        return {"return": 16, "error": f"{file_name} was not found"}
    with open(file_name, encoding=encoding) as handle:
        text = handle.read()
    if remove_after_read:
        os.remove(file_name)
    out: dict[str, Any] = {"return": 0, "string": text}
    if split:
        out["list"] = text.split("\n")
    if match_text:
        import re

        match = re.search(match_text, text)
        if match is None and fail_if_no_match:
            return {"return": 1, "error": fail_if_no_match, "string": text}
        out["match"] = match
    return out


def _load_structured(file_name: str, check_if_exists: bool, encoding: str, parse: Any) -> dict[str, Any]:
    if check_if_exists and not os.path.isfile(file_name):
        return {"return": 16, "error": f"File {file_name} not found"}
    with open(file_name, encoding=encoding) as handle:
        try:
            meta = parse(handle)
        except Exception as exc:  # noqa: BLE001 - any parse error is CM's code 4
            return {"return": 4, "error": f"detected problem in {file_name}: {exc}"}
    return {"return": 0, "meta": meta}


def load_json(file_name: str, check_if_exists: bool = False, encoding: str = "utf8") -> dict[str, Any]:
    """Load JSON → ``meta``; 16 if missing (with ``check_if_exists``), 4 on a parse error."""
    import json

    return _load_structured(file_name, check_if_exists, encoding, json.load)


def _yaml_parse(handle: Any) -> Any:
    import yaml

    from colmind.store import limits

    text = handle.read()
    name = getattr(handle, "name", "YAML file")
    limits.check_size(text, name)
    meta = yaml.load(text, Loader=yaml.FullLoader)
    if limits.may_alias(text):
        limits.check_expansion(meta, name)  # an alias bomb or a self-reference: code 4
    return {} if meta is None else meta


def load_yaml(file_name: str, check_if_exists: bool = False, encoding: str = "utf8") -> dict[str, Any]:
    """Load YAML → ``meta`` (an empty file gives ``{}``); codes as ``load_json``."""
    return _load_structured(file_name, check_if_exists, encoding, _yaml_parse)


def load_yaml_and_json(file_name_without_ext: str, check_if_exists: bool = False,
                       encoding: str = "utf8") -> dict[str, Any]:
    """Load ``<name>.yaml`` then ``<name>.json`` and merge shallowly (JSON wins); 16 if neither."""
    meta: dict[str, Any] = {}
    found = False
    for ext, loader in ((".yaml", load_yaml), (".json", load_json)):
        path = file_name_without_ext + ext
        if os.path.isfile(path):
            r = loader(path, encoding=encoding)
            if r["return"] > 0:
                return r
            meta.update(r["meta"])
            found = True
    if not found:
        return {"return": 16, "error": f"YAML and JSON file {file_name_without_ext} not found"}
    return {"return": 0, "meta": meta}


def _kind(file_name: str) -> str:
    if file_name.endswith(".json"):
        return "json"
    if file_name.endswith((".yaml", ".yml")):
        return "yaml"
    return ""


def load_json_or_yaml(file_name: str, check_if_exists: bool = False, encoding: str = "utf8") -> dict[str, Any]:
    """Load one file chosen by its extension (``.json``/``.yaml``); 1 otherwise."""
    kind = _kind(file_name)
    if kind == "json":
        return load_json(file_name, check_if_exists, encoding)
    if kind == "yaml":
        return load_yaml(file_name, check_if_exists, encoding)
    return {"return": 1, "error": f"file extension must be .json or .yaml in {file_name}"}


def is_file_json_or_yaml(file_name: str) -> dict[str, Any]:
    """``{is_file, path}`` for ``<name>.yaml`` (checked first) or ``<name>.json``."""
    for ext in (".yaml", ".json"):
        if os.path.isfile(file_name + ext):
            return {"return": 0, "is_file": True, "path": file_name + ext}
    return {"return": 0, "is_file": False}


def save_txt(file_name: str, string: str = "", encoding: str = "utf8") -> dict[str, Any]:
    """Write a string to a text file (atomically)."""
    atomic.write_bytes(file_name, string.encode(encoding))
    return {"return": 0}


def save_json(file_name: str, meta: Any = None, indent: int = 2, sort_keys: bool = True,
              encoding: str = "utf8") -> dict[str, Any]:
    """Write JSON (indent 2, sorted keys, trailing newline) atomically."""
    import json

    text = json.dumps({} if meta is None else meta, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    return save_txt(file_name, text + "\n", encoding)


def save_yaml(file_name: str, meta: Any = None, sort_keys: bool = True, encoding: str = "utf8") -> dict[str, Any]:
    """Write YAML (``yaml.dump`` style, sorted keys) atomically."""
    import yaml

    text = yaml.dump({} if meta is None else meta, sort_keys=sort_keys, allow_unicode=True)
    return save_txt(file_name, text, encoding)


def save_json_or_yaml(file_name: str, meta: Any, sort_keys: bool = False, encoding: str = "utf8") -> dict[str, Any]:
    """Save by extension (``.json``/``.yaml``); 1 ``unknown file extension`` otherwise."""
    kind = _kind(file_name)
    if kind == "json":
        return save_json(file_name, meta, sort_keys=sort_keys, encoding=encoding)
    if kind == "yaml":
        return save_yaml(file_name, meta, sort_keys=sort_keys, encoding=encoding)
    return {"return": 1, "error": "unknown file extension"}


def update_yaml(file_name: str, meta: dict[str, Any] | None = None, encoding: str = "utf8") -> dict[str, Any]:
    """Rewrite existing top-level ``key:`` lines as ``key: value`` (text edit; new keys are not added)."""
    meta = meta or {}
    with open(file_name, encoding=encoding) as handle:
        lines = handle.read().split("\n")
    for n, line in enumerate(lines):
        for key, value in meta.items():
            if line.startswith(f"{key}:"):
                lines[n] = f"{key}: {value}"
    return save_txt(file_name, "\n".join(lines), encoding)


def load_bin(file_name: str) -> dict[str, Any]:
    """Read a binary file → ``bin``."""
    with open(file_name, "rb") as handle:
        return {"return": 0, "bin": handle.read()}


def safe_load_json(path: str, file_name: str = "", encoding: str = "utf8") -> dict[str, Any]:
    """Load ``os.path.join(path, file_name)`` as JSON; ``meta={}`` on any failure."""
    import json

    try:
        with open(os.path.join(path, file_name), encoding=encoding) as handle:
            return {"return": 0, "meta": json.load(handle)}
    except (OSError, ValueError):
        return {"return": 0, "meta": {}}


def dump_safe_json(i: dict[str, Any]) -> dict[str, Any]:
    """Print the JSON-serialisable keys of ``i`` (indent 2, sorted) and return them as ``meta``."""
    import json

    meta: dict[str, Any] = {}
    for key, value in i.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        meta[key] = value
    print(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False))
    return {"return": 0, "meta": meta}


def find_api(file_name: str, func: str) -> dict[str, Any]:
    """Text of ``def func(`` up to the end of its docstring; 16 if absent, 1 without a docstring."""
    with open(file_name, encoding="utf8") as handle:
        text = handle.read()
    start = text.find(f"def {func}(")
    if start < 0:
        return {"return": 16, "error": "API not found"}
    open_doc = text.find('"""', start)
    close_doc = text.find('"""', open_doc + 3) if open_doc >= 0 else -1
    if close_doc < 0:
        return {"return": 1, "error": "API not found"}
    return {"return": 0, "api": text[start:close_doc + 3]}
