"""Host paths -> container paths (pure: the caller gives the current directory and which host
paths are files).

Rules (upstream's, with its path bugs of spec section 5 fixed):

* a relative host path is made absolute against the user's current directory (never the recipe's);
* a file is reached by mounting its parent directory; the input is rewritten to the file inside;
* the container path is ``/cm-mount`` + the absolute host path; no guessing from ``local`` or
  ``cache`` path components (upstream crashed on ``/data/cache/x`` and misread ``/usr/local/cache``);
* a Windows path ``C:\\a\\b`` keeps its drive as ``/cm-mount/c/a/b``;
* mounts are deduplicated and sorted, so the run command is stable.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

MOUNT_ROOT = "/cm-mount"
STATE_DIR = "/colmind-state"


@dataclass(frozen=True, order=True)
class Mount:
    host: str
    container: str
    read_only: bool = False

    def volume(self) -> str:
        """The ``-v`` value (docker/podman) or ``--bind`` value (apptainer)."""
        return f"{self.host}:{self.container}" + (":ro" if self.read_only else "")


def absolute(path: str, cwd: str) -> str:
    """A normalised absolute POSIX-style host path (a Windows drive becomes ``C:/...``)."""
    text = path.replace("\\", "/")
    if len(text) >= 2 and text[1] == ":":
        return text[0].upper() + ":" + posixpath.normpath("/" + text[2:].lstrip("/"))
    if not text.startswith("/"):
        text = posixpath.join(cwd.replace("\\", "/"), text)
    return posixpath.normpath(text)


def container_path(host_abs: str) -> str:
    if len(host_abs) >= 2 and host_abs[1] == ":":
        return f"{MOUNT_ROOT}/{host_abs[0].lower()}{host_abs[2:]}"
    return MOUNT_ROOT + host_abs


def split_spec(spec: str) -> tuple[str, str, bool]:
    """``host:container[:ro]`` split on the last colons (a Windows drive keeps its colon)."""
    read_only = False
    text = spec
    if text.endswith(":ro") or text.endswith(":rw"):
        read_only = text.endswith(":ro")
        text = text[:-3]
    head, sep, tail = text.rpartition(":")
    if not sep or not head or not tail or (len(head) == 1 and head.isalpha()):
        raise CMError(f"mount '{spec}' is not host:container[:ro]")
    if not tail.startswith("/"):
        raise CMError(f"mount '{spec}': the container path must be absolute")
    return head, tail, read_only


def explicit_mounts(specs: Iterable[str], cwd: str) -> list[Mount]:
    found = []
    for spec in specs:
        if "${{" in spec:
            raise CMError(f"mount '{spec}' uses a placeholder; give the path itself (placeholders are not filled in)")
        host, target, read_only = split_spec(spec)
        found.append(Mount(absolute(host, cwd), target, read_only))
    return found


def get_dotted(inputs: Mapping[str, Any], key: str) -> Any:
    node: Any = inputs
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def set_dotted(inputs: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = inputs
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def map_input_paths(inputs: dict[str, Any], keys: Iterable[str], cwd: str,
                    is_file: Callable[[str], bool]) -> list[Mount]:
    """Rewrite each input named in ``keys`` (when given) to its container path; the mounts needed."""
    found = []
    for key in keys:
        value = get_dotted(inputs, key)
        if not isinstance(value, str) or not value:
            continue
        host = absolute(value, cwd)
        folder = posixpath.dirname(host) if is_file(host) else host
        found.append(Mount(folder, container_path(folder)))
        set_dotted(inputs, key, container_path(host))
    return found


def unique(mounts: Iterable[Mount]) -> list[Mount]:
    """Sorted, one per container path (a read-write mount wins over a read-only one)."""
    best: dict[str, Mount] = {}
    for mount in mounts:
        old = best.get(mount.container)
        if old is not None and old.host != mount.host:
            raise CMError(f"two host paths for {mount.container}: {old.host} and {mount.host}")
        if old is None or (old.read_only and not mount.read_only):
            best[mount.container] = mount
    return sorted(best.values())
