"""Automation helpers recipes call through ``i['automation']`` (spec 2.9): ``find_artifact``,
``parse_version``, ``run_native_script``, ``detect_version_using_script``, ``update_deps``,
``get_default_path_list``, ``find_file_deep``, ``find_file_back``, ``clean_some_tmp_files``,
``download_file``, ``unzip_file``. All return CM result dicts and never raise on expected misses.
"""

from __future__ import annotations

import os

from colmind.engine.dialect import dialect_for_path
from colmind.lazylog import LazyLogger

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from colmind.engine import versions

# The engine modules these helpers call are imported inside them: the class is a base of the
# ``script`` automation, and ``cm find script`` must not pay for the engine (re, glob, json...).


class RecipeHelpers:
    """Mixed into :class:`colmind.automations.script.ScriptAutomation`."""

    logger = LazyLogger("colmind.recipe")

    @property
    def cache_action(self) -> Any:
        return getattr(self, "cmind", None)

    # ------------------------------------------------------------------ paths and files
    def get_default_path_list(self, i: dict[str, Any]) -> list[str]:
        """The process env's ``default_path_env_key`` (``PATH``) split on the path separator (as CM/MLC:
        dirs a dep added to ``+PATH`` are not "default" paths)."""
        key = str(i.get("default_path_env_key") or "")
        return os.environ.get(key, "").split(os.pathsep) if key else []

    def find_artifact(self, i: dict[str, Any]) -> dict[str, Any]:
        """Find ``file_name`` in ``<P>TMP_PATH``, ``<P>INPUT`` or the default path list; set
        ``env_path_key``; a dir outside the default paths is prepended to ``+<default_path_env_key>``
        (and ``extra_paths`` dirs next to it appended to their keys)."""
        env = i.get("env") if isinstance(i.get("env"), dict) else {}
        assert isinstance(env, dict)
        rsi = i.get("run_script_input") or {}
        prefix = dialect_for_path(str(rsi.get("path", ""))).prefix if rsi.get("path") else "CM_"
        located = _search_paths(env, prefix, str(i.get("file_name", "")))
        if "error" in located:
            return {"return": 1, "error": located["error"]}
        file_name, paths = str(located["file_name"]), list(located["paths"] or self.get_default_path_list(i))
        found = _candidates(paths, file_name)
        if i.get("detect_version") and rsi and found:
            kept = _filter_by_version(self, found, i, prefix)
            if isinstance(kept, dict):
                return kept
            found = kept
        if not found:
            return {"return": 16, "error": f"{file_name} not found"}
        chosen = found[0]
        folder = os.path.dirname(chosen)
        default = self.get_default_path_list(i)
        if folder not in default:
            _add_found_path(env, "+" + str(i.get("default_path_env_key") or ""), folder, i.get("extra_paths") or {})
        if i.get("env_path_key"):
            env[str(i["env_path_key"])] = chosen
        return {"return": 0, "found_path": folder, "found_file_path": chosen,
                "found_file_name": os.path.basename(chosen), "default_path_list": default}

    def find_file_deep(self, i: dict[str, Any]) -> dict[str, Any]:
        """Files named ``file_name`` under each of ``paths`` (recursive)."""
        name = str(i.get("file_name", ""))
        found: list[str] = []
        for root in i.get("paths") or []:
            for dirpath, _dirs, files in os.walk(str(root)):
                if name in files:
                    found.append(os.path.join(dirpath, name))
        return {"return": 0, "found_paths": found}

    def find_file_back(self, i: dict[str, Any]) -> dict[str, Any]:
        """Walk up from ``path`` until a folder holds ``file_name``; ``found_path`` is ``""`` if none."""
        path = os.path.abspath(str(i.get("path") or os.getcwd()))
        name = str(i.get("file_name", ""))
        while True:
            if os.path.isfile(os.path.join(path, name)):
                return {"return": 0, "found_path": path}
            parent = os.path.dirname(path)
            if parent == path:
                return {"return": 0, "found_path": ""}
            path = parent

    def clean_some_tmp_files(self, i: dict[str, Any]) -> dict[str, Any]:
        from colmind.engine import shell

        shell.clean(os.getcwd(), [])
        return {"return": 0}

    # ------------------------------------------------------------------ versions
    def parse_version(self, i: dict[str, Any]) -> dict[str, Any]:
        """Regex ``match_text`` over ``file_name`` (``tmp-ver.out``) -> ``env_key`` and ``*_DETECTED_VERSION``."""
        file_name = str(i.get("file_name") or "tmp-ver.out")
        try:
            with open(file_name, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            return {"return": 16, "error": f"file {file_name} not found"}
        import re

        m = re.search(str(i.get("match_text", "")), text)
        if m is None:
            seen = text.strip()[:200]
            return {"return": 1, "error": f"version was not detected in {file_name}" + (f" ({seen})" if seen else "")}
        version = m.group(int(i.get("group_number", 1)))
        env = i.get("which_env") if isinstance(i.get("which_env"), dict) else i.get("env")
        if isinstance(env, dict):
            if i.get("env_key"):
                env[str(i["env_key"])] = version
            prefix = "MLC_" if any(k.startswith("MLC_") for k in env) and not any(k.startswith("CM_") for k in env) \
                else "CM_"
            env[prefix + "DETECTED_VERSION"] = version
        return {"return": 0, "version": version, "string": m.group(0)}

    def run_native_script(self, i: dict[str, Any]) -> dict[str, Any]:
        """Run another native script of the recipe (``script_name``) with the current env in cwd."""
        from colmind.engine import hostinfo, shell

        rsi = i.get("run_script_input") or {}
        path = str(rsi.get("path", ""))
        env = i.get("env") or {}
        name = str(i.get("script_name") or "run")
        dialect = dialect_for_path(path)
        native = shell.choose(path, name, env, dialect, hostinfo.is_windows())
        if not native:
            return {"return": 16, "error": f"native script {name} not found in {path}"}
        result = shell.run(os.getcwd(), env, native, windows=hostinfo.is_windows(), tmp_name="tmp-run-native.sh")
        if not result.ok:
            return {"return": 2, "error": f"native script {native} failed ({shell.describe_status(result.returncode)})"}
        new_env, _ = shell.read_back(os.getcwd())
        env.update(new_env)
        if i.get("detect_version"):
            return self._detect_version_hook(path, i)
        return {"return": 0}

    def detect_version_using_script(self, i: dict[str, Any]) -> dict[str, Any]:
        """Run the recipe's version-detection script, then its ``detect_version`` hook. Anything
        short of a version within ``<P>VERSION``/``_MIN``/``_MAX`` (the script or the hook failed,
        no version, another version) is return 16 "not detected", as in CM and MLC: the normal
        outcome of an "is it installed already?" probe, after which the recipe installs."""
        from colmind.engine import versions

        rsi = i.get("run_script_input") or {}
        r = self.run_native_script({**i, "script_name": i.get("script_name") or rsi.get("script_name") or "run",
                                    "detect_version": True})
        detected = str(r.get("version") or "") if r.get("return", 0) == 0 else ""
        env = i.get("env") if isinstance(i.get("env"), dict) else {}
        assert isinstance(env, dict)
        prefix = dialect_for_path(str(rsi.get("path", ""))).prefix if rsi.get("path") else "CM_"
        wanted = versions.Constraints(version=str(env.get(prefix + "VERSION") or ""),
                                      version_min=str(env.get(prefix + "VERSION_MIN") or ""),
                                      version_max=str(env.get(prefix + "VERSION_MAX") or ""))
        if not detected or not _exact_allows(wanted, detected):
            return {"return": 16, "error": "version was not detected"}
        return {**r, "return": 0, "detected_version": detected, "version": detected}

    def _detect_version_hook(self, path: str, i: dict[str, Any]) -> dict[str, Any]:
        from colmind.engine import hooks

        module = hooks.load(path)
        if module is None or not hooks.has_hook(module, "detect_version"):
            return {"return": 0}
        return hooks.call_for_result(module, "detect_version", self._hook_input(i), path)

    def _hook_input(self, i: dict[str, Any]) -> dict[str, Any]:
        """A ``detect_version`` input like the engine's own hooks get (CM builds it from
        ``run_script_input['customize_common_input']``), with the caller's live ``env``."""
        rsi = i.get("run_script_input") or {}
        hook_i: dict[str, Any] = dict(rsi.get("customize_common_input") or {})
        hook_i.update({k: v for k, v in i.items() if k not in hook_i})
        hook_i["env"] = i.get("env") if isinstance(i.get("env"), dict) else hook_i.get("env", {})
        hook_i.setdefault("state", rsi.get("state", {}))
        hook_i.setdefault("meta", rsi.get("meta", {}))
        hook_i.setdefault("run_script_input", rsi)
        hook_i.setdefault("automation", self)
        hook_i.setdefault("os_info", rsi.get("os_info", {}))
        hook_i.setdefault("recursion_spaces", rsi.get("recursion_spaces", ""))
        return hook_i

    # ------------------------------------------------------------------ deps
    def update_deps(self, i: dict[str, Any]) -> dict[str, Any]:
        """Patch ``deps`` (a dep list) with ``update_deps`` (name -> partial dep dict)."""
        from colmind.engine import conditions, envvars
        from colmind.engine import deps as deps_mod

        dep_list = i.get("deps") or []
        env = i.get("env") if isinstance(i.get("env"), dict) else {}
        assert isinstance(env, dict)
        patches: dict[str, Any] = {}
        for name, patch in (i.get("update_deps") or {}).items():
            if not isinstance(patch, dict) or not conditions.evaluate(patch, env).active:
                continue  # CM: a patch whose enable_if_env/skip_if_env fails is not applied
            patches[name] = {k: envvars.substitute(v, env) for k, v in patch.items()}
        deps_mod.apply_patches({"deps": dep_list}, patches, strict=False)
        return {"return": 0}

    # ------------------------------------------------------------------ files
    def download_file(self, i: dict[str, Any]) -> dict[str, Any]:
        """Download ``url`` to ``path``/``filename`` (CM's automation ``download_file``)."""
        from colmind.compat import recipe_files

        return recipe_files.download_file(i)

    def unzip_file(self, i: dict[str, Any]) -> dict[str, Any]:
        """Extract ``filename`` (zip or tar) into ``path`` (default cwd)."""
        from colmind.compat import recipe_files

        return recipe_files.unzip_file(i)


# Suffixes CM and MLC glob after the file name, in this order (``python3`` -> ``python3.11``...).
_SUFFIXES = ("", ".[0-9]", ".[0-9][0-9]", "-[0-9]", "-[0-9][0-9]", "[0-9]", "[0-9][0-9]", "[0-9].[0-9]",
             "[0-9][0-9].[0-9]", "[0-9][0-9].[0-9][0-9]")


def _candidates(paths: list[str], file_name: str) -> list[str]:
    """Files named ``file_name`` (+ a version suffix) in ``paths``, in directory order as CM/MLC
    list them; a file that is the same as an earlier one (a link, ``/bin`` = ``/usr/bin``) is
    listed once."""
    import glob

    out: list[str] = []
    for folder in paths:
        if not os.path.isdir(folder):
            continue
        for suffix in _SUFFIXES:
            for match in glob.glob(os.path.join(glob.escape(folder), glob.escape(file_name)) + suffix):
                if os.path.isfile(match) and not any(_same_file(match, seen) for seen in out):
                    out.append(match)
    return out


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a == b


def _search_paths(env: dict[str, Any], prefix: str, file_name: str) -> dict[str, Any]:
    """``<P>TMP_PATH`` (each dir must exist unless ``<P>TMP_PATH_IGNORE_NON_EXISTANT=yes``) and a
    forced ``<P>INPUT`` file; an empty ``paths`` means "the default path list"."""
    paths: list[str] = []
    tmp_path = str(env.get(prefix + "TMP_PATH") or "")
    if tmp_path:
        paths = [p for p in tmp_path.split(os.pathsep) if p.strip()]
        if env.get(prefix + "TMP_PATH_IGNORE_NON_EXISTANT", "") != "yes":
            for p in paths:
                if not os.path.isdir(p):
                    return {"error": f"path {p} doesn't exist"}
    forced = str(env.get(prefix + "INPUT") or "").strip()
    if forced:
        if not os.path.isfile(forced):
            return {"error": f"file {forced} doesn't exist"}
        file_name, paths = os.path.basename(forced), [os.path.dirname(forced)]
    return {"file_name": file_name, "paths": paths}


def _add_found_path(env: dict[str, Any], plus_key: str, folder: str, extra_paths: dict[str, Any]) -> None:
    if plus_key == "+":
        return
    paths = env.get(plus_key)
    if not isinstance(paths, list):
        paths = []
    if folder not in paths:
        paths.insert(0, folder)
        env[plus_key] = paths
    for sub, key in extra_paths.items():
        extra = os.path.normpath(os.path.join(folder, "..", str(sub)))
        if os.path.exists(extra):
            current = env.get(str(key))
            env[str(key)] = (current if isinstance(current, list) else []) + [extra]


def _filter_by_version(helper: RecipeHelpers, found: list[str], i: dict[str, Any],
                       prefix: str) -> list[str] | dict[str, Any]:
    """Candidates whose ``detect_version`` gives a version within ``<P>VERSION``/``_MIN``/``_MAX``
    (CM/MLC ``find_file_in_paths``): each is tried on a copy of env, so a rejected candidate
    leaves nothing behind; a failing native script (return 2) skips it, another error is returned."""
    import copy

    from colmind.engine import versions

    env = i.get("env") if isinstance(i.get("env"), dict) else {}
    assert isinstance(env, dict)
    wanted = versions.Constraints(version=str(env.get(prefix + "VERSION") or ""),
                                  version_min=str(env.get(prefix + "VERSION_MIN") or ""),
                                  version_max=str(env.get(prefix + "VERSION_MAX") or ""))
    keep = []
    for path in found:
        trial_env = copy.deepcopy(env)
        if i.get("env_path_key"):
            trial_env[str(i["env_path_key"])] = path
        r = helper.run_native_script({**i, "env": trial_env, "script_name": i.get("script_name") or "run",
                                      "detect_version": True})
        if r.get("return", 0) == 2:
            continue
        if r.get("return", 0) > 0:
            return r
        detected = str(r.get("version") or "")
        if detected and detected != "-1" and _exact_allows(wanted, detected):
            keep.append(path)
    return keep


def _exact_allows(c: versions.Constraints, detected: str) -> bool:
    """CM/MLC ``check_version_constraints``: ``==`` version, ``>=`` min, ``<=`` max."""
    from colmind.engine import versions

    if c.version and versions.compare(detected, c.version) != 0:
        return False
    if c.version_min and versions.compare(detected, c.version_min) < 0:
        return False
    return not (c.version_max and versions.compare(detected, c.version_max) > 0)
