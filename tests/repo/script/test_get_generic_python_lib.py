"""get-generic-python-lib: naming/spec tables, detection without installing, refusal for a
system interpreter, and a real offline install of a locally built wheel into a fresh venv."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from recipe_fixtures import PY, assert_valid_meta, fake_i, load_customize, load_module

lib = load_module("get-generic-python-lib", "pylib")
venv_tool = load_module("install-python-venv", "venv_tool")


def test_meta() -> None:
    meta = assert_valid_meta("get-generic-python-lib", ["get", "generic-python-lib", "generic", "python-lib"])
    assert meta["cache"] is True
    variations = meta["variations"]
    for name, key in [("numpy", "CM_NUMPY_VERSION"), ("onnx", "CM_ONNX_VERSION"),
                      ("onnxruntime", "CM_ONNXRUNTIME_VERSION"), ("onnxruntime_gpu", "CM_ONNXRUNTIME_GPU_VERSION"),
                      ("scikit-learn", "CM_SCIKIT_LEARN_VERSION"), ("skl2onnx", "CM_SKL2ONNX_VERSION"),
                      ("pip", "CM_PIP_VERSION")]:
        assert key in variations[name]["new_env_keys"]
        pkg = variations[name]["env"]["CM_GENERIC_PYTHON_PACKAGE_NAME"]
        assert f"CM_{lib.env_key_name(pkg, variations[name]['env'].get('CM_GENERIC_PYTHON_PACKAGE_ENV_NAME', ''))}" \
               f"_VERSION" == key
    assert variations["package.#"]["env"]["CM_GENERIC_PYTHON_PACKAGE_NAME"] == "#"
    assert "<<<CM_GENERIC_PYTHON_VERSION_ENV_KEY>>>" in meta["new_env_keys"]
    assert meta["extra_cache_tags_from_env"] == [{"env": "CM_PYTHON_CACHE_TAGS", "prefix": "python-"}]


@pytest.mark.parametrize("pkg,override,key", [
    ("numpy", "", "NUMPY"), ("scikit-learn", "", "SCIKIT_LEARN"), ("onnxruntime_gpu", "", "ONNXRUNTIME_GPU"),
    ("ray[default]", "", "RAY"), ("Pillow", "", "PILLOW"), ("mlcommons-loadgen", "MLPERF_LOADGEN", "MLPERF_LOADGEN"),
])
def test_env_key_name(pkg: str, override: str, key: str) -> None:
    assert lib.env_key_name(pkg, override) == key


@pytest.mark.parametrize("kw,spec", [
    ({}, "numpy"), ({"version": "2.4.6"}, "numpy==2.4.6"), ({"version": "2.4"}, "numpy==2.4.*"),
    ({"version_min": "1.26"}, "numpy>=1.26"), ({"version_max": "2.0"}, "numpy<=2.0"),
    ({"version_min": "1", "version_max": "2"}, "numpy>=1,<=2"), ({"pip_url": "/w/numpy.whl"}, "/w/numpy.whl"),
])
def test_pip_spec(kw: dict[str, str], spec: str) -> None:
    assert lib.pip_spec(lib.Request("numpy", **kw)) == spec


@pytest.mark.parametrize("kw,found,ok", [
    ({}, "1.0", True), ({"version": "2.4"}, "2.4.6", True), ({"version": "2.4"}, "2.40.1", False),
    ({"version_min": "2.0"}, "1.26.4", False), ({"version_max": "2.0"}, "2.4.6", False),
    ({"version_min": "1.20", "version_max": "2.9"}, "2.4.6", True),
])
def test_version_problem(kw: dict[str, str], found: str, ok: bool) -> None:
    assert (lib.version_problem(found, lib.Request("x", **kw)) == "") is ok


def test_request_from_env() -> None:
    req = lib.request_from_env({
        "CM_GENERIC_PYTHON_PACKAGE_NAME": "numpy", "CM_VERSION_MIN": "1.2", "CM_GENERIC_PYTHON_PIP_EXTRA": "--no-index",
        "CM_GENERIC_PYTHON_PIP_EXTRA_FIND_LINKS_URL": "/wheels", "CM_GENERIC_PYTHON_PIP_UNINSTALL_DEPS": "a, b",
        "CM_TMP_PYTHON_PACKAGE_FORCE_INSTALL": "yes", "CM_GENERIC_PYTHON_ALLOW_SYSTEM": "no"})
    assert req.package == "numpy" and req.version_min == "1.2" and req.force and not req.allow_system
    assert req.pip_args == ["--no-index", "--find-links", "/wheels"]
    assert req.uninstall_first == ["a", "b"]
    assert lib.install_command(req)[:5] == ["install", "numpy>=1.2", "--upgrade", "--no-deps", "--force-reinstall"]


def test_no_package_lists_variations() -> None:
    r = load_customize("get-generic-python-lib").preprocess(fake_i("get-generic-python-lib", env={}))
    assert r["return"] == 1 and "_package.<pip name>" in r["error"] and "_numpy" in r["error"]


@pytest.mark.slow
def test_detects_installed_package_without_pip() -> None:
    yaml = pytest.importorskip("yaml")
    env = {"CM_GENERIC_PYTHON_PACKAGE_NAME": "PyYAML", "CM_PYTHON_BIN_WITH_PATH": PY,
           "CM_GENERIC_PYTHON_PIP_EXTRA": "--this-flag-would-make-pip-fail"}
    i = fake_i("get-generic-python-lib", env=env)
    r = load_customize("get-generic-python-lib").preprocess(i)
    assert r == {"return": 0, "version": yaml.__version__}
    assert i["env"]["CM_PYYAML_VERSION"] == yaml.__version__
    assert i["env"]["CM_PYTHONLIB_PYYAML_CACHE_TAGS"] == "version-" + yaml.__version__
    assert i["env"]["CM_GENERIC_PYTHON_VERSION_ENV_KEY"] == "CM_PYYAML_VERSION"
    assert Path(i["env"]["CM_GET_DEPENDENT_CACHED_PATH"]).is_file()
    post = load_customize("get-generic-python-lib").postprocess(i)
    assert post == {"return": 0, "version": yaml.__version__}


@pytest.mark.slow
def test_refuses_system_interpreter() -> None:
    base = Path(sys.base_prefix) / "bin" / "python3"
    if not base.is_file() or sys.base_prefix == sys.prefix:
        pytest.skip("needs a non-venv base interpreter")
    env = {"CM_GENERIC_PYTHON_PACKAGE_NAME": "colmind-surely-not-installed", "CM_PYTHON_BIN_WITH_PATH": str(base)}
    r = load_customize("get-generic-python-lib").preprocess(fake_i("get-generic-python-lib", env=env))
    assert r["return"] == 1
    assert "not a virtual environment" in r["error"] and "--allow_system=yes" in r["error"]


def _wheel(directory: Path, name: str, version: str) -> Path:
    """A minimal valid pure-Python wheel built by hand (no build backend, no network)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = '{version}'\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: colmind-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    whl = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
    return whl


@pytest.mark.slow
def test_installs_into_venv_offline(tmp_path: Path) -> None:
    venv = venv_tool.ensure_venv(PY, str(tmp_path / "venv"), False)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel(wheels, "colmind_probe_pkg", "1.2.0")
    custom = load_customize("get-generic-python-lib")
    base_env = {"CM_GENERIC_PYTHON_PACKAGE_NAME": "colmind_probe_pkg", "CM_PYTHON_BIN_WITH_PATH": venv.python,
                "CM_GENERIC_PYTHON_PIP_EXTRA": "--no-index", "CM_GENERIC_PYTHON_PIP_EXTRA_FIND_LINKS_URL": str(wheels)}
    i = fake_i("get-generic-python-lib", env=dict(base_env, CM_VERSION_MIN="1.0"))
    r = custom.preprocess(i)
    assert r == {"return": 0, "version": "1.2.0"}, r
    assert i["env"]["CM_COLMIND_PROBE_PKG_VERSION"] == "1.2.0"
    out = subprocess.run([venv.python, "-c", "import colmind_probe_pkg as m; print(m.VERSION)"],
                         capture_output=True, text=True)
    assert out.stdout.strip() == "1.2.0"
    r = custom.preprocess(fake_i("get-generic-python-lib", env=dict(base_env, CM_VERSION_MIN="2.0")))
    assert r["return"] == 1 and "colmind_probe_pkg" in r["error"]
