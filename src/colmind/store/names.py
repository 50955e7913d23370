"""User-supplied names that become folder names: checked before anything is read or written.

``check_name`` is the one validator for every name a user gives that colmind turns into a path
component: artifact aliases and UIDs, automation names, repository aliases, the new names of
``mv``/``cp``, and the names other parts of colmind create folders from (experiment run folders,
container names). A name that passes is one plain folder name: it cannot leave the folder it is
joined to. Lookups of existing artifacts never go through it, so folders with odd names already on
disk are still found.

``check_relative_path`` is the same for a relative path of several such names (``a/b``), and
``check_inside`` the final guard that a path built from them stayed under its root.
"""

from __future__ import annotations

import os

from colmind.errors import CMError

MAX_NAME_BYTES = 255  # NAME_MAX of Linux, macOS and Windows file systems (in UTF-8 bytes)
MAX_PATH_BYTES = 1024
_SEPARATORS = frozenset("/\\")


class BadName(CMError):
    """A name that cannot be used as a folder name (return code 1); the message names it."""


def name_problem(value: object, *, extra_forbidden: str = "") -> str:
    """Why ``value`` is not a safe single folder name ("" when it is)."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value:
        return "is empty"
    if value in (".", ".."):
        return "is a relative folder reference"
    if any(c in _SEPARATORS for c in value):
        return "contains a path separator"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "contains a NUL or control character"
    if value != value.strip():
        return "starts or ends with white space"
    if any(c in extra_forbidden for c in value):
        return "contains one of " + " ".join(repr(c) for c in extra_forbidden)
    if os.path.isabs(value) or (len(value) > 1 and value[1] == ":"):  # also C: on Windows
        return "is an absolute path"
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    if size > MAX_NAME_BYTES:
        return f"is {size} bytes long (at most {MAX_NAME_BYTES})"
    return ""


def check_name(value: object, what: str = "name", *, extra_forbidden: str = "") -> str:
    """``value`` when it is a safe single folder name, else ``BadName`` naming it.

    ``what`` says what the name is for ("artifact name", "repository alias"...);
    ``extra_forbidden`` adds characters the caller's grammar reserves (``":,"`` for CM names)."""
    problem = name_problem(value, extra_forbidden=extra_forbidden)
    if problem:
        shown = repr(value) if len(repr(value)) <= 120 else repr(value)[:100] + "..."
        raise BadName(f"invalid {what} {shown}: it {problem}; a name must be one plain folder name "
                      "(no / \\ .. or control characters, at most 255 bytes)")
    return value  # type: ignore[return-value]


def check_relative_path(value: object, what: str = "path") -> str:
    """``value`` when it is a relative path of safe names (``a/b``), else ``BadName`` naming it."""
    if not isinstance(value, str) or not value:
        return check_name(value, what)
    if len(value.encode("utf-8", "replace")) > MAX_PATH_BYTES or os.path.isabs(value):
        raise BadName(f"invalid {what} {value[:100]!r}: it must be a relative path under its folder")
    for part in value.replace("\\", "/").split("/"):
        if part:
            check_name(part, what)
    return value


def check_inside(path: str, root: str, what: str = "path") -> str:
    """``path`` when it is ``root`` or below it once normalised (no symlinks resolved), else ``BadName``."""
    norm_root = os.path.normpath(os.path.abspath(root))
    norm = os.path.normpath(os.path.abspath(path))
    if norm != norm_root and not norm.startswith(norm_root.rstrip(os.sep) + os.sep):
        raise BadName(f"invalid {what} {path!r}: it is outside {root}")
    return path


def check_cm_name(value: str, what: str) -> str:
    """A CM alias or UID (artifact, automation or repository): a safe name without ``:`` or ``,``."""
    return check_name(value, what, extra_forbidden=":,")


def check_artifact_path(path: str, content_root: str) -> str:
    """``path`` when it is ``<content_root>/<automation folder>/<artifact folder>`` exactly: the guard
    that keeps every artifact colmind writes or indexes inside its automation folder."""
    norm = os.path.normpath(os.path.abspath(path))
    auto_dir, name = os.path.split(norm)
    if os.path.normpath(os.path.abspath(content_root)) != os.path.dirname(auto_dir) \
            or name in ("", ".", "..") or os.path.basename(auto_dir) in ("", ".", ".."):
        raise BadName(f"invalid artifact path {path!r}: it is not a folder of an automation folder of {content_root}")
    return path
