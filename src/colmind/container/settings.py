"""The ``--docker_*`` flags and ``docker:`` meta keys: one table drives parsing, precedence and help.

Precedence for every key (upstream's): CLI ``--docker_<key>`` (or ``--docker.<key>``) > the
recipe's ``docker:`` meta with each selected variation's ``docker:`` merged over it (scalars
overwrite, lists are appended without duplicates, dicts are merged) > the table's default.
The meta is deep-copied first: resolving settings never changes a loaded meta. Pure: no I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class Flag:
    key: str
    default: Any
    kind: str  # bool | str | list | dict
    help: str
    aliases: tuple[str, ...] = ()


FLAGS: tuple[Flag, ...] = (
    Flag("tool", "auto", "str", "docker | podman | apptainer | auto (docker, then podman, then apptainer)"),
    Flag("dry_run", False, "bool", "print the Dockerfile, build and run commands, tag and mounts; run nothing"),
    Flag("base_image", "", "str", "FROM image (default: from --docker_os/--docker_os_version)"),
    Flag("os", "ubuntu", "str", "ubuntu | debian | rhel"),
    Flag("os_version", "", "str", "distro version (ubuntu 22.04, debian 12, rhel 9 by default)"),
    Flag("image_repo", "", "str", "image repository (docker: local, podman: localhost/local)"),
    Flag("image_name", "", "str", "image name (default colmind-script-<alias>)"),
    Flag("cache", True, "bool", "no: build without the engine's layer cache"),
    Flag("rebuild", False, "bool", "build even when an image with the content tag exists"),
    Flag("skip_build", False, "bool", "never build; the image must exist"),
    Flag("keep", False, "bool", "keep the container after the run (default: removed)"),
    Flag("it", False, "bool", "interactive session with a terminal", ("interactive",)),
    Flag("user", "", "str", "image user: root, or a name (default: cmuser matching the host UID/GID; "
                            "root when the host user is root)"),
    Flag("use_host_user_id", True, "bool", "image user gets the host UID"),
    Flag("use_host_group_id", True, "bool", "image user gets the host GID"),
    Flag("mounts", [], "list", "extra host:container[:ro] mounts"),
    Flag("input_paths", [], "list", "inputs (dotted keys allowed: env.K) holding host paths to mount"),
    Flag("skip_input_for_fake_run", [], "list", "inputs left out of the image-build RUN line"),
    Flag("mount_current_dir", False, "bool", "mount the current directory at /cm-mount/current and work there"),
    Flag("extra_sys_deps", "", "str", "a shell command run as root after the system packages"),
    Flag("os_packages", [], "list", "extra OS packages installed with the system packages"),
    Flag("pre_run_cmds", [], "list", "shell commands run in the container before the recipe"),
    Flag("run_cmd_prefix", "", "str", "a shell command run before the recipe (after pre_run_cmds)"),
    Flag("real_run", False, "bool", "run the recipe itself at build time (default: --fake_run, deps only)"),
    Flag("fake_run_deps", False, "bool", "do not install dependencies at build time (--fake_deps)"),
    Flag("split_run", True, "bool", "one RUN per resolved dependency (a failure re-runs only from there)",
         ("split_cm_run_cmd", "split_mlc_run_cmd")),
    Flag("build_env", {}, "dict", "ENV K=V lines in the image"),
    Flag("env", {}, "dict", "--env.K=V added to the image-build RUN line", ("dockerfile_env",)),
    Flag("all_gpus", False, "bool", "all GPUs (docker --gpus=all; podman CDI nvidia.com/gpu=all)"),
    Flag("num_gpus", "", "str", "N GPUs (docker --gpus=N)"),
    Flag("device", "", "str", "--device=DEV"),
    Flag("shm_size", "", "str", "--shm-size"),
    Flag("port_maps", [], "list", "-p host:container each"),
    Flag("extra_run_args", "", "str", "extra engine run arguments (split like a shell would, never run by one)"),
    Flag("privileged", False, "bool", "--privileged"),
    Flag("use_google_dns", False, "bool", "--dns 8.8.8.8 --dns 8.8.4.4"),
    Flag("network", "", "str", "--network (e.g. host) for build and run"),
    Flag("runtime", "", "str", "podman: global --runtime (e.g. runc); docker: run --runtime"),
    Flag("ulimit", [], "list", "--ulimit each, for build and run (e.g. nofile=1024:1024)"),
    Flag("run", True, "bool", "meta: false = this recipe is not meant to run in a container"),
    Flag("run_override", False, "bool", "run even when the recipe's docker.run is false"),
    Flag("cm_repos", [], "list", "extra repositories pulled in the image (cm pull repo ARG each)"),
    Flag("copy_files", [], "list", "host_path:image_path copied into the image"),
    Flag("colmind_wheel", "", "str", "a colmind wheel to install instead of building one from the checkout"),
    Flag("path", "", "str", "folder for the Dockerfile and build context (default: a folder per image)"),
)

# upstream flags colmind accepts but ignores (with a warning saying why)
IGNORED = {
    "cfg": "presets are not shipped; give --docker_base_image/--docker_os",
    "cfg_uid": "presets are not shipped",
    "noregenerate": "the Dockerfile is regenerated in memory every time; the tag decides reuse",
    "norecreate": "images are reused by content tag; use --docker_rebuild to force a build",
    "dt": "detached containers are not supported; the run is attached and returns its results",
    "detached": "detached containers are not supported; the run is attached and returns its results",
    "reuse_existing": "containers are removed after each run (--docker_keep keeps them)",
    "keep_detached": "detached containers are not supported",
    "push_image": "no registry is assumed; push the image with the engine yourself",
    "gh_token": "secrets are never put in image layers; mount or pass them at run time",
    "cm_repo": "recipe repositories are copied from this host (offline); use --docker_cm_repos to pull others",
    "cm_repo_branch": "see cm_repo", "cm_repo_flags": "see cm_repo", "mlc_repo": "see cm_repo",
    "mlc_repo_branch": "see cm_repo", "skip_cm_sys_upgrade": "no sys-utils step is added",
    "skip_mlc_sys_upgrade": "no sys-utils step is added", "save_script": "the commands are printed by --docker_dry_run",
    "skip_run_cmd": "use --docker_it with --docker_pre_run_cmds", "deps": "host-side docker deps are not run",
    "build_deps": "host-side docker build deps are not run", "image_tag_extra": "the tag is a content hash",
    "docker_input_mapping": "use input_paths", "input_mapping": "use input_paths",
    "pass_docker_to_script": "recipes that map --docker get it as an ordinary input",
    "print_deps": "the Dockerfile always names each dependency", "os_packages_extra": "use os_packages",
}

_BY_NAME: dict[str, Flag] = {}
for _flag in FLAGS:
    _BY_NAME[_flag.key] = _flag
    for _alias in _flag.aliases:
        _BY_NAME[_alias] = _flag


@dataclass(frozen=True)
class Resolved:
    values: dict[str, Any]
    warnings: tuple[str, ...]


def merged_meta(meta: Mapping[str, Any], variations: Iterable[str]) -> dict[str, Any]:
    """The recipe's ``docker:`` dict with each selected variation's ``docker:`` merged in (a copy)."""
    merged = copy.deepcopy(dict(meta.get("docker") or {}))
    all_variations = meta.get("variations") or {}
    for name in variations:
        vmeta = all_variations.get(name) or _dynamic(all_variations, name)
        if isinstance(vmeta, dict) and isinstance(vmeta.get("docker"), dict):
            _merge(merged, copy.deepcopy(vmeta["docker"]))
    return merged


def _dynamic(variations: Mapping[str, Any], name: str) -> Any:
    head, dot, _ = name.partition(".")
    return variations.get(head + ".#") if dot else None


def _merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        old = target.get(key)
        if isinstance(old, list) and isinstance(value, list):
            target[key] = old + [v for v in value if v not in old]
        elif isinstance(old, dict) and isinstance(value, dict):
            _merge(old, value)
        else:
            target[key] = value


def cli_flags(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """``--docker_<key>=V`` and ``--docker.<key>=V`` (parsed to ``{'docker': {...}}``) of the input."""
    found: dict[str, Any] = {}
    nested = inputs.get("docker")
    if isinstance(nested, dict):
        found.update(nested)
    for key, value in inputs.items():
        if key.startswith("docker_"):
            found[key[len("docker_"):]] = value
    return found


def resolve(inputs: Mapping[str, Any], meta: Mapping[str, Any], variations: Iterable[str]) -> Resolved:
    """Every flag's value with upstream precedence, and warnings for unknown or ignored flags."""
    warnings: list[str] = []
    meta_values = merged_meta(meta, variations)
    cli = cli_flags(inputs)
    values = {flag.key: copy.deepcopy(flag.default) for flag in FLAGS}
    for source, layer in (("meta", meta_values), ("flag", cli)):
        for key, value in layer.items():
            flag = _BY_NAME.get(key)
            if flag is None:
                if source == "flag":
                    warnings.append(_unknown(key))
                continue
            values[flag.key] = _coerce(flag, value)
    return Resolved(values, tuple(warnings))


def _unknown(key: str) -> str:
    if key in IGNORED:
        return f"--docker_{key} is ignored by colmind: {IGNORED[key]}"
    return f"unknown flag --docker_{key} ignored (see cm docker script --help)"


def _coerce(flag: Flag, value: Any) -> Any:
    if flag.kind == "bool":
        return value is True or str(value).strip().lower() in ("yes", "on", "true", "1")
    if flag.kind == "list":
        if value in (None, "", False):
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return list(value) if isinstance(value, (list, tuple)) else [value]
    if flag.kind == "dict":
        return dict(value) if isinstance(value, dict) else {}
    return "" if value in (None, False) else str(value)


def help_text() -> str:
    """The flag table as text (``cm docker script --help``)."""
    lines = ["cm docker script NAME|--tags=... [recipe flags] [--docker_<key>=VALUE ...]", "", "Flags:"]
    for flag in FLAGS:
        default = "" if flag.default in ("", [], {}) else f" (default {flag.default})"
        also = f" [also --docker_{', --docker_'.join(flag.aliases)}]" if flag.aliases else ""
        lines.append(f"  --docker_{flag.key}: {flag.help}{default}{also}")
    return "\n".join(lines) + "\n"
