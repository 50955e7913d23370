"""The build context: what goes into an image besides the Dockerfile (I/O lives here).

* ``wheels/colmind-<version>-py3-none-any.whl``: the *running* colmind (a checkout or an
  installed copy), zipped by :func:`write_wheel` straight from its package folder: no network,
  no build backend, fixed timestamps (the same sources give the same bytes). ``--docker_colmind_wheel``
  replaces it with a given wheel.
* ``wheels/filelock-*.whl``: the host's pure-Python ``filelock`` repacked the same way (PyYAML
  comes from the distro: it is compiled).
* ``repos/<alias>``: each non-built-in repository holding the recipe or one of its resolved
  dependencies, copied without ``.git``, caches and byte code (the local repository contributes
  only its ``script/`` folder, as ``host-local``).

:func:`describe` digests all of it without writing anything (so an unchanged recipe whose image
exists costs a few milliseconds of hashing, no wheel and no copy); :func:`materialize` writes the
folder atomically when an image must be built.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from colmind.container.planner import ContextItem
from colmind.errors import CMError

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_SKIP_DIRS = {"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
_EPOCH = (1980, 1, 1, 0, 0, 0)
LOCAL_REPO_UID = "9a3280b14a4285c9"
_REPO_SKIP = ("cache", ".locks")
HOST_LOCAL_META = "alias: host-local\nuid: 5c0c1a11d0c4e7b1\nname: the host's local recipes\n"


@dataclass(frozen=True)
class Source:
    """Where one context item comes from on the host."""

    item: ContextItem
    kind: str  # package | dist | wheelfile | repo | local-scripts | file
    path: str
    extra: str = ""  # package: the version; dist: the distribution name


def tree_files(root: str, skip_top: tuple[str, ...] = ()) -> list[str]:
    """Files under ``root`` (relative, sorted), skipping VCS folders, tool caches, byte code and
    the top-level folders ``skip_top`` (a repository's ``cache``)."""
    found = []
    for folder, dirs, files in os.walk(root):
        top = folder == root
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not (top and d in skip_top))
        for name in files:
            if not name.endswith(_SKIP_SUFFIXES):
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(root: str, extra: str = "", skip_top: tuple[str, ...] = ()) -> str:
    h = hashlib.sha256(extra.encode())
    for rel in tree_files(root, skip_top):
        h.update(f"\0{rel}\0{_file_digest(os.path.join(root, rel))}".encode())
    return h.hexdigest()


# -- wheels ------------------------------------------------------------------------------------
def colmind_source() -> tuple[str, str]:
    """(package folder of the running colmind, its version)."""
    import colmind
    from colmind.version import __version__

    return os.path.dirname(os.path.abspath(colmind.__file__)), __version__


def _entry_points() -> str:
    """The console scripts of colmind (from its installed metadata, else the documented ones)."""
    lines = []
    try:
        from importlib.metadata import entry_points

        lines = sorted(f"{e.name} = {e.value}" for e in entry_points(group="console_scripts")
                       if e.value.startswith("colmind."))
    except Exception:  # metadata missing or unreadable: fall back to the core commands
        lines = []
    if not any(line.startswith("cm ") for line in lines):
        lines = ["cm = colmind.cli.main:run", "cmr = colmind.cli.main:run_script",
                 "cmrd = colmind.cli.main:run_docker", "colmind = colmind.cli.main:run"]
    return "[console_scripts]\n" + "\n".join(lines) + "\n"


def write_wheel(target: str, package_dir: str, name: str, version: str, metadata_extra: str = "",
                entry_points: str = "") -> None:
    """A pure-Python wheel of ``package_dir`` (importable as ``basename(package_dir)``)."""
    top = os.path.basename(package_dir.rstrip(os.sep))
    info = f"{name}-{version}.dist-info"
    records: list[str] = []
    tmp = f"{target}.tmp-{os.getpid()}"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        def add(arc: str, data: bytes) -> None:
            entry = zipfile.ZipInfo(arc, _EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, data)
            digest = hashlib.sha256(data).digest()
            import base64

            records.append(f"{arc},sha256={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()},{len(data)}")

        for rel in tree_files(package_dir):
            with open(os.path.join(package_dir, rel), "rb") as handle:
                add(f"{top}/{rel}".replace(os.sep, "/"), handle.read())
        add(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{metadata_extra}".encode())
        add(f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: colmind\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        if entry_points:
            add(f"{info}/entry_points.txt", entry_points.encode())
        records.append(f"{info}/RECORD,,")
        entry = zipfile.ZipInfo(f"{info}/RECORD", _EPOCH)
        entry.external_attr = 0o644 << 16
        zf.writestr(entry, "\n".join(records) + "\n")
    os.replace(tmp, target)


def _pure_dist(name: str) -> tuple[str, str]:
    """(package folder, version) of an installed pure-Python distribution."""
    from importlib import import_module
    from importlib.metadata import version

    module = import_module(name)
    folder = os.path.dirname(os.path.abspath(str(module.__file__)))
    if any(f.endswith((".so", ".pyd")) for f in tree_files(folder)):
        raise CMError(f"{name} on this host is not pure Python; it cannot be copied into an image")
    return folder, version(name)


# -- describing and writing the context --------------------------------------------------------
def describe(settings: dict[str, Any], repo_paths: Iterable[tuple[str, str, str]],
             cwd: str) -> list[Source]:
    """The context items (with digests) for ``settings`` and the repositories
    ``(alias, uid, path)`` the recipe needs; nothing is written."""
    sources = [_colmind_source(str(settings["colmind_wheel"]), cwd)]
    folder, version = _pure_dist("filelock")
    dest = f"wheels/filelock-{version}-py3-none-any.whl"
    sources.append(Source(ContextItem(dest, tree_digest(folder, extra=version), "wheel"), "dist", folder, version))
    for alias, uid, path in sorted(set(repo_paths)):
        sources.append(_repo_source(alias, uid, path))
    for n, spec in enumerate(settings["copy_files"]):
        host, _, target = str(spec).rpartition(":")
        host = os.path.abspath(os.path.join(cwd, host))
        if not host or not target.startswith("/") or not os.path.exists(host):
            raise CMError(f"--docker_copy_files entry '{spec}' must be EXISTING_HOST_PATH:/image/path")
        digest = tree_digest(host) if os.path.isdir(host) else _file_digest(host)
        sources.append(Source(ContextItem(f"files/{n}-{os.path.basename(host)}", digest, "file", target), "file", host))
    return sources


def _colmind_source(wheel: str, cwd: str) -> Source:
    if wheel:
        path = os.path.abspath(os.path.join(cwd, wheel))
        if not os.path.isfile(path) or not path.endswith(".whl"):
            raise CMError(f"--docker_colmind_wheel={wheel}: no such wheel file")
        return Source(ContextItem(f"wheels/{os.path.basename(path)}", _file_digest(path), "wheel"), "wheelfile", path)
    folder, version = colmind_source()
    dest = f"wheels/colmind-{version}-py3-none-any.whl"
    return Source(ContextItem(dest, tree_digest(folder, extra=version + _entry_points()), "wheel"),
                  "package", folder, version)


def _repo_source(alias: str, uid: str, path: str) -> Source:
    if uid == LOCAL_REPO_UID:
        scripts = os.path.join(path, "script")
        digest = tree_digest(scripts, extra=HOST_LOCAL_META) if os.path.isdir(scripts) else HOST_LOCAL_META
        return Source(ContextItem("repos/host-local", digest, "repo"), "local-scripts", path)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in alias or uid)
    return Source(ContextItem(f"repos/{safe}", tree_digest(path, skip_top=_REPO_SKIP), "repo"), "repo", path)


def materialize(sources: list[Source], context_dir: str, recipe_file: str, recipe_text: str) -> None:
    """Write the context folder (atomically: a temporary folder renamed into place)."""
    if os.path.isfile(os.path.join(context_dir, recipe_file)):
        return  # complete already (the folder only appears once written whole)
    parent = os.path.dirname(context_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = f"{context_dir}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "wheels"))
    for source in sources:
        _write_source(source, tmp)
    with open(os.path.join(tmp, recipe_file), "w", encoding="utf-8", newline="\n") as handle:
        handle.write(recipe_text)
    with open(os.path.join(tmp, ".dockerignore"), "w", encoding="utf-8") as handle:
        handle.write(".git\n**/__pycache__\n")
    shutil.rmtree(context_dir, ignore_errors=True)
    os.replace(tmp, context_dir)


def _write_source(source: Source, root: str) -> None:
    target = os.path.join(root, source.item.dest)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if source.kind == "package":
        write_wheel(target, source.path, "colmind", source.extra, "Requires-Python: >=3.9\n", _entry_points())
    elif source.kind == "dist":
        write_wheel(target, source.path, os.path.basename(source.path), source.extra)
    elif source.kind == "wheelfile":
        shutil.copyfile(source.path, target)
    elif source.kind == "local-scripts":
        os.makedirs(target)
        with open(os.path.join(target, "cmr.yaml"), "w", encoding="utf-8") as handle:
            handle.write(HOST_LOCAL_META)
        if os.path.isdir(os.path.join(source.path, "script")):
            _copy_tree(os.path.join(source.path, "script"), os.path.join(target, "script"))
    elif source.kind == "repo":
        _copy_tree(source.path, target, _REPO_SKIP)
    elif os.path.isdir(source.path):
        _copy_tree(source.path, target)
    else:
        shutil.copyfile(source.path, target)


def _copy_tree(src: str, dst: str, skip_top: tuple[str, ...] = ()) -> None:
    for rel in tree_files(src, skip_top):
        out = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copyfile(os.path.join(src, rel), out)
