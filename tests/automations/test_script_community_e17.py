"""Issue 17 on the real community recipes (cm4mlops for cmind 4.2.0, mlc-scripts for mlcflow
1.3.8), with local sources only: tarballs and ``file://`` URLs made in the test's folder and, for
the install-from-index case, a small package from PyPI into a fresh venv. What the reference tool
did with the same invocation is noted at each test (benchmarks/parity_sweep.py compares them
key by key). Skipped when the collections are not installed (benchmarks/setup_tools.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from colmind.testing import run_cli
from tests.automations.community import NEEDS_COLLECTIONS, collection, result_of

COLLECTIONS = [("cm4mlops_repo", "CM_"), ("mlc_scripts_repo", "MLC_")]

pytestmark = NEEDS_COLLECTIONS


@pytest.fixture
def work(cm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    w = tmp_path / "work"
    w.mkdir()
    monkeypatch.chdir(w)
    return w


def use(name: str) -> None:
    assert run_cli("import", "repo", f"--path={collection(name)}").code == 0


def make_tarball(folder: Path) -> Path:
    src = folder / "payload"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("hello\n")
    (src / "sub" / "b.txt").write_text("deep\n")
    archive = folder / "payload.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src, arcname="payload")
    return archive


@pytest.mark.parametrize(("coll", "p"), COLLECTIONS)
def test_extract_file_unpacks_into_its_target(work, tmp_path, coll, p):
    # cmind/mlcflow: preprocess chdirs to --extract_path, tar runs there, rc 0
    use(coll)
    archive = make_tarball(tmp_path / "src")
    target = tmp_path / "out"
    r = run_cli("run", "script", "extract file", f"--input={archive}", f"--extract_path={target}", "-j", "--quiet")
    assert r.code == 0, r.stderr
    env = result_of(r)["new_env"]
    assert env[p + "EXTRACT_EXTRACTED_PATH"] == str(target)
    assert (target / "payload" / "sub" / "b.txt").read_text() == "deep\n"
    assert not (work / "payload").exists()  # never into the caller's folder


@pytest.mark.parametrize(("coll", "p"), COLLECTIONS)
def test_download_file_lands_where_asked(work, tmp_path, coll, p):
    # cmind/mlcflow: curl downloads into --download_path (preprocess chdirs there), rc 0
    use(coll)
    archive = make_tarball(tmp_path / "src")
    target = tmp_path / "dl"
    r = run_cli("run", "script", "--tags=download,file,_curl", f"--url=file://{archive}", f"--download_path={target}",
                "-j", "--quiet")
    assert r.code == 0, r.stderr
    env = result_of(r)["new_env"]
    assert env[p + "DOWNLOAD_DOWNLOADED_PATH"] == str(target / "payload.tar.gz")
    assert (target / "payload.tar.gz").read_bytes() == archive.read_bytes()
    assert not (work / "payload.tar.gz").exists()


@pytest.mark.parametrize(("coll", "p"), COLLECTIONS)
def test_benchmark_program_that_exits_3_fails(work, tmp_path, coll, p):
    # cmind: return 2 (return code = 768); mlcflow: exit 1 (E10); both show exitstatus 3
    use(coll)
    r = run_cli("run", "script", "--tags=benchmark-program", f"--env.{p}RUN_DIR={tmp_path}",
                f"--env.{p}RUN_CMD=sh -c 'exit 3'", "--quiet")
    assert r.code == 2, r.stderr
    assert "exit status 3" in r.stderr
    assert (tmp_path / "exitstatus").read_text().strip() == "3"


@pytest.mark.parametrize(("coll", "p"), COLLECTIONS)
def test_benchmark_program_that_succeeds(work, tmp_path, coll, p):
    use(coll)
    r = run_cli("run", "script", "--tags=benchmark-program", f"--env.{p}RUN_DIR={tmp_path}",
                f"--env.{p}RUN_CMD=echo benchmarked", "--quiet")
    assert r.code == 0, r.stderr
    assert (tmp_path / "console.out").read_text() == "benchmarked\n"


@pytest.mark.parametrize(("coll", "p"), COLLECTIONS)
def test_install_python_venv_gets_its_own_python(work, cm_home, coll, p):
    # cmind: 3 entries (venv; get-python3 virtual,name-e17 -> the venv's python; non-virtual)
    use(coll)
    r = run_cli("run", "script", "--tags=install,python-venv", "--name=e17", "-j", "--quiet")
    assert r.code == 0, r.stderr
    env = result_of(r)["new_env"]
    venv = env[p + "VIRTUAL_ENV_PATH"]
    assert env[p + "PYTHON_BIN_WITH_PATH"].startswith(venv + "/"), env
    entries = [json.loads(f.read_text())["tags"] for f in (cm_home / "repos" / "local" / "cache").glob("*/_cm.json")]
    virtual = [t for t in entries if "get-python3" in t and "virtual" in t]
    assert len(virtual) == 1 and "name-e17" in virtual[0]


def pypi_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.fixture
def fresh_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new venv first on PATH: get,python3 finds it, and nothing is installed in it."""
    if not pypi_reachable():
        pytest.skip("the package index (pypi.org) is not reachable")
    venv = tmp_path / "pyv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
    monkeypatch.setenv("PATH", f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    for name in ("VIRTUAL_ENV", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)
    return venv


@pytest.mark.parametrize(("coll", "p"), COLLECTIONS)
def test_python_package_not_installed_yet_is_installed(work, fresh_python, coll, p):
    # cmind/mlcflow: the "installed already?" probe returns 16, install.sh runs pip, rc 0
    use(coll)
    r = run_cli("run", "script", "get generic-python-lib _package.tabulate", "-j", "--quiet")
    assert r.code == 0, r.stderr
    assert ": !" not in r.stderr
    env = result_of(r)["new_env"]
    version = subprocess.run([str(fresh_python / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('tabulate'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert env[p + "PYTHONLIB_TABULATE_CACHE_TAGS"] == "version-" + version


@pytest.mark.parametrize(("coll", "p"), COLLECTIONS)
def test_hook_returning_os_system_512_exits_1(work, tmp_path, cm_home, coll, p):
    # tar-my-folder returns {'return': os.system(tar ...)}: tar exits 2 -> 512. cmind exits 1
    # (KeyError on the missing 'error'), mlcflow exits 1 (ScriptExecutionError); never 0
    use(coll)
    r = run_cli("run", "script", "--tags=run,tar", f"--input_dir={tmp_path / 'missing'}", f"--output_dir={tmp_path}",
                "--quiet")
    assert r.code == 512 and "returned 512 without an error message!" in r.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CM_", "MLC_"))}
    env.update({"CM_REPOS": str(cm_home), "CM_INDEX_MONITOR": "no",
                "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")})
    proc = subprocess.run([sys.executable, "-m", "colmind", "run", "script", "--tags=run,tar",
                           f"--input_dir={tmp_path / 'missing'}", f"--output_dir={tmp_path}", "--quiet"],
                          env=env, cwd=work, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
