"""CM path helpers: directory walking, upward file search, temporary names, quoting."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_SPECIAL_NAMES = (".git", ".svn", ".cm", ".hg", "__pycache__")


def check_and_create_dir(path: str) -> dict[str, Any]:
    """Create ``path`` (and parents) if missing."""
    os.makedirs(path, exist_ok=True)
    return {"return": 0}


def rm_read_only(f: Callable[[str], Any], p: str, e: Any) -> None:
    """``shutil.rmtree`` onerror helper: make ``p`` writable and retry ``f(p)``."""
    os.chmod(p, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
    f(p)


def path2(path: str) -> str:
    """Quote a path that contains spaces."""
    return f'"{path}"' if " " in path else path


def gen_tmp_file(i: dict[str, Any]) -> dict[str, Any]:
    """A fresh temporary file name (the file is created, then deleted).

    ``suffix``, ``prefix``; ``remove_dir`` returns the base name only.
    """
    import tempfile

    fd, name = tempfile.mkstemp(suffix=i.get("suffix", ""), prefix=i.get("prefix", "tmp"))
    os.close(fd)
    os.remove(name)
    if i.get("remove_dir", False):
        name = os.path.basename(name)
    return {"return": 0, "file_name": name}


def _wanted(name: str, i: dict[str, Any]) -> bool:
    if i.get("file_name") and name != i["file_name"]:
        return False
    if not i.get("pattern"):
        return True
    import fnmatch

    return fnmatch.fnmatch(name, i["pattern"])


def _skip(name: str, full: str, i: dict[str, Any]) -> bool:
    if name in i.get("ignore_names", []):
        return True
    if i.get("all", "") != "yes" and name in _SPECIAL_NAMES:
        return True
    return os.path.isdir(full) and os.path.islink(full) and i.get("ignore_symb_dirs", "") == "yes"


def list_all_files(i: dict[str, Any]) -> dict[str, Any]:
    """Recursive listing → ``list`` ``{relpath: {size[, path]}}`` and ``number`` (a string, like CM).

    Options: ``path``, ``file_name``, ``pattern``, ``limit``, ``all`` ('yes': keep .git/.cm/...),
    ``ignore_names``, ``ignore_symb_dirs``, ``add_path``.
    """
    top = i.get("path", "")
    limit = int(i["limit"]) if str(i.get("limit", "")).strip() else -1
    found: dict[str, Any] = {}
    stack = [""]
    while stack:
        rel_dir = stack.pop(0)
        for name in sorted(os.listdir(os.path.join(top, rel_dir) if rel_dir else top)):
            rel = os.path.join(rel_dir, name) if rel_dir else name
            full = os.path.join(top, rel)
            if _skip(name, full, i):
                continue
            if os.path.isdir(full):
                stack.append(rel)
            elif _wanted(name, i):
                entry: dict[str, Any] = {"size": os.path.getsize(full)}
                if i.get("add_path", "") == "yes":
                    entry["path"] = top
                found[rel] = entry
                if 0 <= limit <= len(found):
                    return {"return": 0, "list": found, "number": str(len(found))}
    return {"return": 0, "list": found, "number": str(len(found))}


def find_file_in_dir_and_above(filename: str, path: str = "") -> dict[str, Any]:
    """Search ``filename`` in ``path`` (default cwd) and its parents; 16 ``path not found``."""
    current = os.path.abspath(path or os.getcwd())
    while True:
        candidate = os.path.join(current, filename)
        if os.path.isfile(candidate):
            return {"return": 0, "path": current, "path_to_file": candidate}
        parent = os.path.dirname(current)
        if parent == current:
            return {"return": 16, "error": "path not found"}
        current = parent


def _found(directory: str, name: str, start: str) -> dict[str, Any]:
    return {"return": 0, "found": True, "path_to_file": os.path.join(directory, name),
            "path": directory, "found_in_current_path": directory == start}


def find_file_in_current_directory_or_above(file_names: list[str], path_to_start: str | None = None,
                                            reverse: bool = False,
                                            path_to_stop: str | None = None) -> dict[str, Any]:
    """Search any of ``file_names`` upward (or downward with ``reverse``) from ``path_to_start``.

    The upward search stops after ``path_to_stop`` (inclusive). Returns ``found`` plus, when found,
    ``path_to_file``, ``path`` and ``found_in_current_path``.
    """
    start = os.path.abspath(path_to_start or os.getcwd())
    if reverse:
        for directory, _dirs, files in os.walk(start):
            for name in file_names:
                if name in files:
                    return _found(directory, name, start)
        return {"return": 0, "found": False}
    stop = os.path.abspath(path_to_stop) if path_to_stop else None
    current = start
    while True:
        for name in file_names:
            if os.path.isfile(os.path.join(current, name)):
                return _found(current, name, start)
        parent = os.path.dirname(current)
        if parent == current or current == stop:
            return {"return": 0, "found": False}
        current = parent
