"""colmind's implementation of ``mlc.utils`` (mlcflow 1.3.8 signatures and results).

Recipes written for MLC do ``from mlc import utils``. Names mlcflow defines follow its behaviour
(different from cmind's where noted); CM helpers that MLC recipes still call (``load_yaml``,
``get_current_date_time``, ``gen_uid``...) come from ``cmind_utils``; ``is_true``/``is_false``
mirror the MLC engine's ``from utils import is_true``.
"""

from __future__ import annotations

import os

from colmind.compat import cm_dicts, cm_files, cm_modules
from colmind.compat.cm_dicts import convert_dictionary, flatten_dict, get_value_from_dict_with_flat_key
from colmind.compat.cm_files import load_bin, load_json_or_yaml, load_yaml, load_yaml_and_json, update_yaml
from colmind.compat.cm_names import gen_uid, get_list_from_cli, parse_cm_object, tags_matched
from colmind.compat.cm_paths import check_and_create_dir, find_file_in_dir_and_above
from colmind.compat.cm_system import get_current_date_time, get_disk_use, get_memory_use
from colmind.compat.mlc_versions import compare_versions
from colmind.store import atomic

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


_OK: dict[str, Any] = {"return": 0, "error": ""}


def __getattr__(name: str) -> Any:
    """``logger`` (the ``mlc`` logger) is created on first use: ``logging`` is slow to import."""
    if name == "logger":
        import logging

        return logging.getLogger("mlc")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_true(val: Any) -> bool:
    """MLC engine ``is_true``: true/yes/on/1 (case-insensitive) or boolean True."""
    return str(val).lower() in ("true", "yes", "on", "1")


def is_false(val: Any) -> bool:
    """MLC engine ``is_false``: false/no/off/0 (case-insensitive) or boolean False."""
    return str(val).lower() in ("false", "no", "off", "0")


def _merge(a: dict[str, Any], b: dict[str, Any], append_lists: bool, append_unique: bool,
           ignore_keys: list[str]) -> None:
    import copy

    for key, value in b.items():
        if key in ignore_keys:
            continue
        old = a.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            _merge(old, value, append_lists, append_unique, ignore_keys)
        elif isinstance(value, list) and isinstance(old, list) and append_lists:
            old.extend(copy.deepcopy(v) for v in value if not (append_unique and v in old))
        else:
            a[key] = copy.deepcopy(value)


def merge_dicts(params: dict[str, Any], in_place: bool = True) -> dict[str, Any]:
    """Merge ``dict2`` into ``dict1`` → ``merged`` and ``dict1`` (``append_unique`` applies at every level)."""
    import copy

    target = params["dict1"] if in_place else copy.deepcopy(params["dict1"])
    _merge(target, params.get("dict2", {}), bool(params.get("append_lists")),
           bool(params.get("append_unique")), list(params.get("ignore_keys", [])))
    return {"return": 0, "merged": target, "dict1": target}


def load_json(file_name: str, encoding: str | None = None, check_if_exists: bool = True) -> dict[str, Any]:
    """Load JSON → ``meta``; a missing or broken file gives return 1 (MLC never raises)."""
    if not os.path.isfile(file_name):
        return {"return": 1, "error": f"File '{file_name}' not found."}
    import json

    try:
        with open(file_name, encoding=encoding or "utf-8") as handle:
            return {"return": 0, "meta": json.load(handle)}
    except ValueError:
        return {"return": 1, "error": f"Error decoding JSON in file '{file_name}'."}


def read_json(filepath: str) -> Any:
    """The parsed JSON, or None when the file is missing or broken."""
    r = load_json(filepath)
    return r.get("meta")


def read_yaml(filepath: str) -> Any:
    """The parsed YAML, or None when the file is missing or broken."""
    if not os.path.isfile(filepath):
        return None
    r = cm_files.load_yaml(filepath)
    return r.get("meta")


def load_txt(file_name: str, check_if_exists: bool = False, split: bool = False, match_text: str | None = None,
             fail_if_no_match: str | None = None, remove_after_read: bool = False) -> dict[str, Any]:
    """Read text → ``string`` (+ ``list`` of lines without the trailing empty one, + ``match``)."""
    if check_if_exists and not os.path.isfile(file_name):
        return {"return": 1, "error": f"File '{file_name}' does not exist."}
    try:
        r = cm_files.load_txt(file_name, remove_after_read=remove_after_read, match_text=match_text or "",
                              fail_if_no_match=fail_if_no_match or "")
    except OSError as exc:
        return {"return": 1, "error": str(exc)}
    if r["return"] > 0:
        return {"return": 1, "error": r["error"]}
    if r.get("match", True) is None:
        del r["match"]
    if split:
        r["list"] = r["string"].splitlines()
    return r


def save_json(file_name: str, meta: Any) -> dict[str, Any]:
    """Write JSON with indent 4, keys in insertion order, no trailing newline (MLC style), atomically."""
    import json

    atomic.write_text(file_name, json.dumps(meta, indent=4))
    return dict(_OK)


def save_yaml(file_name: str, meta: Any, sort_keys: bool = True) -> dict[str, Any]:
    """Write YAML atomically."""
    cm_files.save_yaml(file_name, meta, sort_keys=sort_keys)
    return dict(_OK)


def save_txt(file_name: str, string: str) -> dict[str, Any]:
    """Write text atomically."""
    cm_files.save_txt(file_name, string)
    return dict(_OK)


def convert_tags_to_list(tags_string: Any) -> dict[str, Any]:
    """Comma string → ``tags`` (stripped, empty items dropped, duplicates kept).

    A CM-style dict argument (``{'tags': ...}``) is accepted too.
    """
    if isinstance(tags_string, dict):
        tags_string = tags_string.get("tags", "")
    tags = [t.strip() for t in str(tags_string or "").split(",") if t.strip()]
    return {"return": 0, "tags": tags}


def assemble_object(alias: str, uid: str) -> str:
    """``'alias, uid'`` (comma and space, MLC style), ``alias`` or ``uid``."""
    if alias and uid:
        return f"{alias}, {uid}"
    return alias or uid or ""


def is_uid(name: str) -> bool:
    """16 hexadecimal digits (no ``.``, unlike cmind's ``is_cm_uid``)."""
    return isinstance(name, str) and len(name) == 16 and all(c in "0123456789abcdef" for c in name.lower())


def get_new_uid() -> dict[str, Any]:
    """``{'return': 0, 'uid': <16 hex>}``."""
    import uuid

    return {"return": 0, "uid": uuid.uuid4().hex[:16]}


def convert_env_to_dict(env_text: str) -> dict[str, Any]:
    """``K=V`` lines → ``dict``; split at the first ``=``; lines without ``=`` are skipped."""
    env: dict[str, str] = {}
    for line in env_text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            env[key.strip()] = value.strip()
    return {"return": 0, "dict": env}


def sub_input(i: dict[str, Any], keys: list[str], reverse: bool = False) -> dict[str, Any]:
    """``{'return': 0, 'result': <i restricted to keys (or without them)>}``."""
    return {"return": 0, "result": cm_dicts.sub_input(i, keys, reverse)}


def generate_temp_file(i: dict[str, Any]) -> dict[str, Any]:
    """A fresh temporary file base name: ``<prefix><uuid hex><suffix>`` (nothing is created)."""
    import uuid

    return {"return": 0, "file_name": f"{i.get('prefix', '')}{uuid.uuid4().hex}{i.get('suffix', '')}"}


def load_python_module(params: dict[str, Any]) -> dict[str, Any]:
    """Import ``<path>/<name>.py`` → ``code``, ``path``."""
    path = os.path.join(params["path"], params["name"] + ".py")
    if not os.path.isfile(path):
        return {"return": 1, "error": f"Error: The file at '{path}' does not exist."}
    r = cm_modules.load_python_module(params)
    if r["return"] > 0:
        return r
    return {"return": 0, "code": r["code"], "path": path}


def _set_arg(out: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def convert_args_to_dictionary(inp: list[str]) -> dict[str, Any]:
    """``['--a=1', '--b', '--c.d=2', '--t,=x,y']`` → ``args_dict`` (non-flag items ignored)."""
    out: dict[str, Any] = {}
    for arg in inp:
        if not arg.startswith("-"):
            continue
        key, sep, value = arg.lstrip("-").partition("=")
        if not sep:
            _set_arg(out, key, True)
        elif key.endswith(","):
            _set_arg(out, key[:-1], [v.strip() for v in value.split(",") if v.strip()])
        else:
            _set_arg(out, key, value)
    return {"return": 0, "args_dict": out}


def is_valid_url(url: str) -> bool:
    """True when ``url`` has a scheme and a network location."""
    from urllib.parse import urlparse

    try:
        parsed = urlparse(url)
    except ValueError:
        return False
    return bool(parsed.scheme and parsed.netloc)


def run_system_cmd(i: dict[str, Any]) -> dict[str, Any]:
    """Run ``i['cmd']`` in a shell in ``i['path']`` → ``output`` / ``error_output`` (stripped)."""
    import subprocess

    proc = subprocess.run(i["cmd"], shell=True, cwd=i.get("path") or None, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"return": 1, "error": f"Command execution failed with error code {proc.returncode}.",
                "error_output": proc.stderr.strip()}
    return {"return": 0, "output": proc.stdout.strip(), "error_output": proc.stderr.strip()}


def _indent(text: str, begin_spaces: int | None) -> str:
    pad = " " * (begin_spaces or 0)
    return "\n".join(pad + line for line in text.splitlines())


def print_formatted_json(data: Any, sort_keys: bool = True, begin_spaces: int | None = None) -> None:
    """Print ``data`` as indented JSON."""
    import json

    print(_indent(json.dumps(data, indent=2, sort_keys=sort_keys, default=str), begin_spaces))


def print_formatted_yaml(data: Any, sort_keys: bool = True, begin_spaces: int | None = None) -> None:
    """Print ``data`` as YAML."""
    import yaml

    print(_indent(yaml.dump(data, sort_keys=sort_keys, default_flow_style=False), begin_spaces))


def printd(mydict: Any, yaml: bool = True, sort_keys: bool = True, begin_spaces: int | None = None) -> None:
    """Print a dict as YAML (default) or JSON."""
    printer = print_formatted_yaml if yaml else print_formatted_json
    printer(mydict, sort_keys=sort_keys, begin_spaces=begin_spaces)


def print_env(env: Any, yaml: bool = True, sort_keys: bool = True, begin_spaces: int | None = None) -> None:
    """Print an env dict (same as ``printd``)."""
    printd(env, yaml=yaml, sort_keys=sort_keys, begin_spaces=begin_spaces)


def download_file(i: dict[str, Any]) -> dict[str, Any]:
    """Download ``url`` (MLC's ``utils.download_file``): see :mod:`colmind.compat.recipe_files`."""
    from colmind.compat import recipe_files

    return recipe_files.download_file(i)


def unzip_file(i: dict[str, Any]) -> dict[str, Any]:
    """Extract an archive (MLC's ``utils.unzip_file``): see :mod:`colmind.compat.recipe_files`."""
    from colmind.compat import recipe_files

    return recipe_files.unzip_file(i)


__all__ = [
    "assemble_object", "check_and_create_dir", "compare_versions", "convert_args_to_dictionary",
    "convert_dictionary", "convert_env_to_dict", "convert_tags_to_list", "download_file", "find_file_in_dir_and_above",
    "flatten_dict", "gen_uid", "generate_temp_file", "get_current_date_time", "get_disk_use",
    "get_list_from_cli", "get_memory_use", "get_new_uid", "get_value_from_dict_with_flat_key",
    "is_false", "is_true", "is_uid", "is_valid_url", "load_bin", "load_json", "load_json_or_yaml",
    "load_python_module", "load_txt", "load_yaml", "load_yaml_and_json", "logger", "merge_dicts",  # noqa: F822
    "parse_cm_object", "print_env", "print_formatted_json", "print_formatted_yaml", "printd",
    "read_json", "read_yaml", "run_system_cmd", "save_json", "save_txt", "save_yaml", "sub_input",
    "tags_matched", "unzip_file", "update_yaml",
]

