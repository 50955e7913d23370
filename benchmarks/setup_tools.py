"""Create the reference tools the benchmarks compare colmind with (idempotent, PyPI only).

* ``benchmarks/.venvs/cmind``: ``cmind==4.2.0`` + ``cmx4mlops==1.0.1`` (the cm4mlops recipe
  repository as a wheel: ``cmx4mlops/cmr.yaml``, prefix ``repo``, 311 scripts + the CM ``script``
  and ``cache`` automations). Registered with ``cm import repo --path=...`` in a private
  ``HOME``/``CM_REPOS`` (``benchmarks/.venvs/home-cmind/CM``).
* ``benchmarks/.venvs/mlc``: ``mlcflow==1.3.8`` + ``mlc-scripts==1.2.0a8`` (installed with
  ``--no-deps``; the MLC recipe collection: ``mlc_scripts/meta.yaml`` + ``script/``). Registered
  with ``mlc add repo <path>`` in a private ``HOME`` (``benchmarks/.venvs/home-mlc/MLC``).

Why not ``cm4mlops==0.6.25`` / ``mlc-scripts==1.1.0``: both are 8-9 kB source distributions with
no recipes; their ``setup.py`` runs ``apt-get`` and ``git clone``s the recipes from GitHub at
install time (cm4mlops 0.6.25 even needs a git URL as a build dependency), so they cannot install
offline and carry nothing to register. The wheels above are the PyPI releases that do carry the
recipe files. ``PATHS.json`` records where they landed.

Usage: ``python benchmarks/setup_tools.py [--force]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toolenv import (  # noqa: E402
    CMIND_HOME,
    CMIND_VENV,
    MLC_HOME,
    MLC_VENV,
    PATHS_FILE,
    VENVS_DIR,
    CMHome,
    clean_env,
    colmind_cm,
)

CMIND_PACKAGES = ["cmind==4.2.0", "cmx4mlops==1.0.1"]
MLC_PACKAGES = ["mlcflow==1.3.8"]
MLC_NODEPS_PACKAGES = ["mlc-scripts==1.2.0a8"]  # it asks for mlcflow>=1.4.0a4; we measure 1.3.8
REQUESTED_BUT_UNUSABLE = {
    "cm4mlops==0.6.25": "sdist stub: setup.py git-clones mlcommons/mlperf-automations (no recipes inside)",
    "mlc-scripts==1.1.0": "sdist stub: setup.py pulls the recipes from GitHub (no recipes inside)",
}


def log(message: str) -> None:
    print(f"[setup] {message}", flush=True)


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None, check: bool = True) -> str:
    """Run a command, echoing it; raise with its output when it fails (``check``)."""
    log("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def ensure_venv(path: Path, packages: list[str], nodeps: list[str], force: bool) -> None:
    """Create the venv and install the pinned packages once (a stamp file remembers what)."""
    stamp = path / ".bench-installed"
    wanted = json.dumps({"deps": packages, "nodeps": nodeps})
    if not force and stamp.is_file() and stamp.read_text() == wanted:
        log(f"{path.name}: already installed ({', '.join(packages + nodeps)})")
        return
    if force or not (path / "bin" / "python").is_file():
        venv.EnvBuilder(with_pip=True, clear=force).create(str(path))
    python = str(path / "bin" / "python")
    env = clean_env(Path.home())
    run([python, "-m", "pip", "install", "--quiet", *packages], env=env)
    if nodeps:
        run([python, "-m", "pip", "install", "--quiet", "--no-deps", *nodeps], env=env)
    # Users have .pyc caches: compile everything once so the first measured run is not special.
    # (Not checked: a few upstream recipe files, e.g. cmx4mlops' gui/script.py, have syntax errors.)
    run([python, "-m", "compileall", "-q", "-j", "0", str(site_packages(path))], env=env, check=False)
    stamp.write_text(wanted)


def site_packages(path: Path) -> Path:
    return next((path / "lib").glob("python*/site-packages"))


def package_dir(venv_path: Path, module: str) -> Path:
    """Where an installed package's files landed (without importing it)."""
    found = site_packages(venv_path) / module
    if not found.is_dir():
        raise SystemExit(f"{module} is not installed in {venv_path}: run with --force")
    return found


def register_cm4mlops(repo_path: Path) -> Path:
    """``cm import repo --path=<cmx4mlops>`` into the private cmind home (once)."""
    home = CMHome(CMIND_HOME)
    env = home.env(extra={"CM_CORE_SKIP_INTERNAL_REPOS": "1"})
    repos_json = home.repos / "repos.json"
    if _registered(repos_json, repo_path):
        log(f"cmind: {repo_path} already registered in {repos_json}")
    else:
        home.home.mkdir(parents=True, exist_ok=True)
        out = run([str(CMIND_VENV / "bin" / "cm"), "import", "repo", f"--path={repo_path}"], env=env,
                  cwd=str(repo_path))
        print(out.strip())
    return repos_json


def register_mlc_scripts(repo_path: Path) -> Path:
    """``mlc add repo <mlc_scripts>`` into the private mlc home (once)."""
    MLC_HOME.mkdir(parents=True, exist_ok=True)
    repos_json = MLC_HOME / "MLC" / "repos" / "repos.json"
    if _registered(repos_json, repo_path):
        log(f"mlc: {repo_path} already registered in {repos_json}")
    else:
        out = run([str(MLC_VENV / "bin" / "mlc"), "add", "repo", str(repo_path)], env=clean_env(MLC_HOME),
                  cwd=str(MLC_HOME))
        print(out.strip())
    return repos_json


def _registered(repos_json: Path, repo_path: Path) -> bool:
    try:
        entries = json.loads(repos_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(Path(str(e)).resolve() == repo_path.resolve() for e in entries)


def write_paths(cm_repo: Path, mlc_repo: Path, cm_repos_json: Path, mlc_repos_json: Path) -> dict[str, object]:
    paths: dict[str, object] = {
        "cm4mlops_repo": str(cm_repo),
        "cm4mlops_scripts": str(cm_repo / "repo" / "script"),
        "cm4mlops_package": CMIND_PACKAGES[1],
        "mlc_scripts_repo": str(mlc_repo),
        "mlc_scripts_scripts": str(mlc_repo / "script"),
        "mlc_scripts_package": MLC_NODEPS_PACKAGES[0],
        "cmind_cm": str(CMIND_VENV / "bin" / "cm"),
        "cmind_home": str(CMIND_HOME),
        "cmind_cm_repos": str(CMIND_HOME / "CM"),
        "cmind_repos_json": str(cm_repos_json),
        "mlc": str(MLC_VENV / "bin" / "mlc"),
        "mlc_home": str(MLC_HOME),
        "mlc_repos_json": str(mlc_repos_json),
        "colmind_cm": colmind_cm(),
        "register_in_colmind": {
            "cm4mlops": f"CM_REPOS=<your CM_REPOS> cm import repo --path={cm_repo}",
            "mlc_scripts": f"CM_REPOS=<your CM_REPOS> cm import repo --path={mlc_repo}",
            "mlc_scripts_as_copy": f"CM_REPOS=<your CM_REPOS> cm pull repo {mlc_repo}",
        },
        "not_used": REQUESTED_BUT_UNUSABLE,
    }
    PATHS_FILE.write_text(json.dumps(paths, indent=2) + "\n", encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="recreate both venvs")
    args = parser.parse_args(argv)
    VENVS_DIR.mkdir(parents=True, exist_ok=True)
    ensure_venv(CMIND_VENV, CMIND_PACKAGES, [], args.force)
    ensure_venv(MLC_VENV, MLC_PACKAGES, MLC_NODEPS_PACKAGES, args.force)
    cm_repo = package_dir(CMIND_VENV, "cmx4mlops")
    mlc_repo = package_dir(MLC_VENV, "mlc_scripts")
    cm_json = register_cm4mlops(cm_repo)
    mlc_json = register_mlc_scripts(mlc_repo)
    paths = write_paths(cm_repo, mlc_repo, cm_json, mlc_json)
    log(f"wrote {PATHS_FILE}")
    for key in ("cmind_cm", "cmind_cm_repos", "cm4mlops_repo", "mlc", "mlc_home", "mlc_scripts_repo"):
        log(f"{key:16} {paths[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
