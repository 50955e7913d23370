"""Parity sweep: community recipes run by cmind / mlcflow and by colmind, compared key by key.

Every case is one ``run script`` invocation of an unmodified recipe of cm4mlops (``cmx4mlops``,
run by cmind 4.2.0) or mlc-scripts (run by mlcflow 1.3.8). The same invocation is run by colmind
with the same collection registered (``cm import repo --path=<collection>``). For each pair the
sweep compares: exit code, selected script, ``new_env``, ``new_state``, ``deps`` (CM only), the
cache entries created (tags) and the recipe's own stdout, after normalising machine-dependent
values (homes, working dirs, cache dirs, the tools' own interpreters).

Every tool gets a private home that is reset to a warm template before each case, so a case only
sees its own cache entries. Only offline recipes that need no sudo, GPU or download are listed.

    .venv/bin/python benchmarks/parity_sweep.py --out /tmp/parity.json [--only detect] [--collections cm]

Exit status 0 (also when the reference tools are missing: the sweep is then skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import monitorctl  # noqa: E402
from toolenv import PROJECT_ROOT, clean_env, cmind_cm, colmind_cm, have_cmind, have_mlc, load_paths, mlc_exe  # noqa: E402


@dataclass(frozen=True)
class Case:
    """One invocation: ``run script <args>`` in collection ``coll`` (``cm`` or ``mlc``)."""

    coll: str
    name: str
    args: tuple[str, ...]
    runs: int = 1  # >1: the same command again (cache hit); the last run is compared
    # local sources (issue 17): "tar" = a fresh payload.tar.gz in <SRC> for the case (``{src}`` in
    # args); "venv" = also a fresh venv first on PATH (nothing installed in it); index = the
    # package index is allowed (PIP_NO_INDEX unset) for install-from-index cases
    sources: str = ""
    index: bool = False


def _cases(coll: str, rows: list[tuple[str, str] | tuple[str, str, int]]) -> list[Case]:
    out = []
    for row in rows:
        runs = row[2] if len(row) == 3 else 1  # type: ignore[misc]
        out.append(Case(coll, row[0], tuple(row[1].split()), runs))
    return out


# invocations that both collections support with the same flags
COMMON_ROWS: list[tuple[Any, ...]] = [
    ("detect-os", "--tags=detect,os"),
    ("detect-os-cached", "--tags=detect,os", 2),
    ("detect-os-alias", "detect-os"),
    ("detect-cpu", "--tags=detect,cpu"),
    ("detect-sudo", "--tags=detect,sudo"),
    ("get-python3", "--tags=get,python3"),
    ("get-python3-cached", "--tags=get,python3", 2),
    ("get-python3-version_min", "--tags=get,python3 --version_min=3.8"),
    ("get-python3-version", "--tags=get,python3 --version=3.11.7"),
    ("get-python3-version-system", "--tags=get,python3 --version=3.11.2"),
    ("python-lib-pip", "--tags=get,generic-python-lib,_pip"),
    ("python-lib-numpy", "--tags=get,generic-python-lib,_numpy"),
    ("python-lib-package-pyyaml", "--tags=get,generic-python-lib,_package.pyyaml"),
    ("python-lib-numpy-adr", "--tags=get,generic-python-lib,_numpy --adr.python.version_min=3.8"),
]

# more invocations both collections share (utility recipes and tool detection)
SHARED_TAIL: list[tuple[Any, ...]] = [
    ("fail", "--tags=fail"),
    ("get-cache-dir", "--tags=get,cache,dir,_name.sweep"),
    ("create-custom-cache-entry", "--tags=create,custom,cache,entry --env_key=SWEEP --path=/tmp"),
    ("run-python", "--tags=run,python --command=--version"),
    ("get-cmake", "--tags=get,cmake"),
    ("get-gcc", "--tags=get,gcc"),
    ("get-java", "--tags=get,java"),
    ("get-javac", "--tags=get,javac"),
    ("get-openssl", "--tags=get,openssl"),
    ("get-terraform", "--tags=get,terraform"),
    # added in session 4: tools present here (CUDA toolkit without a GPU, docker), and recipes
    # that fail offline or without a GPU (the failure itself is compared: exit code, selection)
    ("get-cuda", "--tags=get,cuda"),
    ("get-cuda-toolkit", "--tags=get,cuda,_toolkit"),
    ("get-docker", "--tags=get,docker"),
    ("get-sys-utils-min", "--tags=get,sys-utils-min"),
    ("get-cuda-devices", "--tags=get,cuda-devices"),
    ("get-llvm", "--tags=get,llvm"),
    ("get-aria2", "--tags=get,aria2"),
    ("get-platform-details", "--tags=get,platform,details"),
    ("runtime-system-infos", "--tags=runtime,system,infos"),
    # packages already in the system Python (detected, nothing installed) and the run flags
    ("python-lib-package-jinja2", "--tags=get,generic-python-lib,_package.jinja2"),
    ("python-lib-package-click-min", "--tags=get,generic-python-lib,_package.click --version_min=8.0"),
    ("get-python3-renew", "--tags=get,python3 --renew", 2),
    ("get-python3-new", "--tags=get,python3 --new", 2),
    ("get-python3-skip-cache", "--tags=get,python3 --skip_cache", 2),
    ("get-python3-fake-run", "--tags=get,python3 --fake_run"),
]

CM_CASES = _cases("cm", COMMON_ROWS + SHARED_TAIL + [
    ("print-hello-world", "--tags=print,hello-world"),
    ("print-hello-world-alias", "print-hello-world"),
    ("print-hello-world-vars", "--tags=print,hello-world,_text.HELLO_CM,_skip_print_env --test1=FROM_INPUT "
                               "--env.CM_ENV_TEST2=FROM_CLI_ENV"),
    ("print-hello-world-env3", "--tags=print,hello-world --env.CM_ENV_TEST3=X3"),
    ("print-hello-world-py", "--tags=print,hello-world,python"),
    ("print-python-version", "--tags=print,python-version"),
    ("print-any-text", "--tags=print,any-text --text=hello_text"),
    ("print-any-text-var", "--tags=print,any-text,_text.VAR_TEXT"),
    ("print-any-text-cm-env", "--tags=print,any-text,_cm_env.CM_PRINT_ANY_TEXT --text=SHOWN"),
    ("test-deps-conditions", "--tags=test,deps,conditions"),
    ("test-deps-conditions-test1", "--tags=test,deps,conditions --test1"),
    ("test-deps-conditions-test2", "--tags=test,deps,conditions --test1 --test2"),
    ("test-deps-conditions2", "--tags=test,deps,conditions2"),
    ("test-deps-conditions2-test", "--tags=test,deps,conditions2 --test"),
    ("test-dummy", "--tags=test,dummy"),
    ("get-compiler-flags-adr", "--tags=get,compiler-flags --adr.compiler.tags=gcc"),
    ("sys-util-wget", "--tags=get,generic-sys-util,_wget"),
    ("sys-util-unzip", "--tags=get,generic-sys-util,_unzip"),
    ("dump-pip-freeze", "--tags=dump,pip,freeze"),
])

MLC_CASES = _cases("mlc", COMMON_ROWS + SHARED_TAIL + [
    ("template-script", "--tags=generic,template"),
    ("get-tool-perf", "--tags=get,tool,perf"),
    ("get-compiler-flags-adr", "--tags=get,compiler-flags --adr.compiler.tags=gcc"),
    ("sys-util-wget", "--tags=get,generic-sys-util,_wget"),
    ("sys-util-unzip", "--tags=get,generic-sys-util,_unzip"),
    ("sys-util-xz", "--tags=get,generic-sys-util,_xz"),
    ("dump-pip-freeze", "--tags=dump,pip,freeze"),
    ("detect-host-system-details", "--tags=detect,host,system"),
])

# Issue 17: recipes that install from the package index, download, extract, benchmark, make venvs,
# and hooks that return 512, fed from local sources only (a tarball made per case, ``file://`` URLs,
# a fresh venv for installs). ``{p}`` is the collection's env prefix, ``{src}`` the case's source dir.
LOCAL_ROWS: list[tuple[str, tuple[str, ...], str, bool]] = [
    ("local-extract-tar-to", ("--tags=extract,file", "--input={src}/payload.tar.gz", "--extract_path={src}/out"), "tar", False),
    ("local-extract-tar-cached", ("--tags=extract,file", "--input={src}/payload.tar.gz"), "tar", False),
    ("local-download-curl", ("--tags=download,file,_curl", "--url=file://{src}/payload.tar.gz",
                             "--download_path={src}/dl"), "tar", False),
    ("local-download-curl-cached", ("--tags=download,file,_curl", "--url=file://{src}/payload.tar.gz"), "tar", False),
    ("local-benchmark-exit3", ("--tags=benchmark-program", "--env.{p}RUN_DIR={src}",
                               "--env.{p}RUN_CMD=sh -c 'exit 3'"), "tar", False),
    ("local-benchmark-ok", ("--tags=benchmark-program", "--env.{p}RUN_DIR={src}", "--env.{p}RUN_CMD=echo benchmarked"),
     "tar", False),
    ("local-venv-name", ("--tags=install,python-venv", "--name=sweep"), "venv", True),  # MLC pip-installs virtualenv
    ("local-index-package-tabulate", ("--tags=get,generic-python-lib,_package.tabulate",), "venv", True),
    ("local-index-package-tabulate-cached", ("--tags=get,generic-python-lib,_package.tabulate",), "venv", True),
    # tar-my-folder returns {'return': os.system(tar ...)}: a missing folder makes it 512
    ("local-tar-my-folder-512", ("--tags=run,tar", "--input_dir={src}/missing", "--output_dir={src}"), "tar", False),
    # probe recipes (tests/fixtures/probes-e17, registered next to the collection)
    ("local-probe-ret512", ("--tags=probe,probe-ret512",), "", False),
    ("local-probe-chdir", ("--tags=probe,probe-chdir",), "", False),
    ("local-probe-dollar-fail", ("--tags=probe,probe-dollar",), "", False),
    ("local-probe-dollar-ok", ("--tags=probe,probe-dollar,_ok",), "", False),
    ("local-probe-detect16", ("--tags=probe,probe-detect16",), "", False),
    ("local-probe-vparent", ("--tags=probe,probe-vparent,_b", "--name=Foo", "--extra=x"), "", False),
]
PROBE_REPOS = {"cm": PROJECT_ROOT / "tests" / "fixtures" / "probes-e17" / "repo-cm",
               "mlc": PROJECT_ROOT / "tests" / "fixtures" / "probes-e17" / "repo-mlc"}


def _local_cases(coll: str) -> list[Case]:
    p = "CM_" if coll == "cm" else "MLC_"
    out = []
    for name, args, sources, index in LOCAL_ROWS:
        runs = 2 if name.endswith("-cached") else 1
        out.append(Case(coll, name, tuple(a.replace("{p}", p) for a in args), runs, sources, index))
    return out


CM_CASES += _local_cases("cm")
MLC_CASES += _local_cases("mlc")

# Package managers a recipe could call to install something: blocked for all tools alike (a
# recipe that would install is not offline; the sweep must never change the machine).
BLOCKED_COMMANDS = ("apt-get", "apt", "yum", "dnf", "zypper", "pacman", "brew", "snap")


@dataclass
class Outcome:
    """What one tool did for one case (normalised)."""

    rc: int | str = ""
    script: str = ""
    new_env: dict[str, Any] = field(default_factory=dict)
    new_state: dict[str, Any] = field(default_factory=dict)
    deps: list[Any] = field(default_factory=list)
    cache: list[list[str]] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class Tool:
    """One tool lane: its executable, private home, template and working dir."""

    name: str  # cmind | mlcflow | colmind
    coll: str  # cm | mlc
    exe: str
    root: Path
    collection: str
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def repos(self) -> Path:
        return self.home / ("MLC/repos" if self.name == "mlcflow" else "CM")

    @property
    def cache_dir(self) -> Path:
        return self.repos / ("local/cache" if self.name == "mlcflow" else "repos/local/cache")

    @property
    def src(self) -> Path:
        """Local sources of the case in progress (tarballs; ``{src}`` in a case's args)."""
        return self.root / "src"

    @property
    def venv(self) -> Path:
        """A fresh venv of the case in progress (``sources="venv"``), first on PATH."""
        return self.root / "pyv"

    def env(self, case: Case | None = None) -> dict[str, str]:
        key = "MLC_REPOS" if self.name == "mlcflow" else "CM_REPOS"
        extra = {key: str(self.repos)}
        if case is None or not case.index:
            extra["PIP_NO_INDEX"] = "1"
        env = clean_env(self.home, extra=extra)
        path = str(self.root.parent.parent / "guard") + os.pathsep + env.get("PATH", "")
        if case is not None and case.sources == "venv":
            path = str(self.venv / "bin") + os.pathsep + path
        env["PATH"] = path
        return env

    def call(self, args: list[str], timeout: int, case: Case | None = None) -> subprocess.CompletedProcess[str]:
        self.work.mkdir(parents=True, exist_ok=True)
        try:
            return subprocess.run([self.exe, *args], cwd=self.work, env=self.env(case), text=True,
                                  capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout if isinstance(exc.stdout, str) else ""
            return subprocess.CompletedProcess(args, 124, out, "timeout")

    def prepare(self, timeout: int) -> None:
        """Create the home once, warm the tool's index, keep a copy as the template."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.repos.mkdir(parents=True)
        probes = str(PROBE_REPOS[self.coll])
        if self.name == "cmind":
            (self.repos / "repos.json").write_text(json.dumps([self.collection, probes]))
        elif self.name == "mlcflow":
            (self.repos / "repos.json").write_text(json.dumps([str(self.repos / "local"), self.collection, probes]))
        else:
            self.call(["import", "repo", f"--path={self.collection}"], timeout)
            self.call(["import", "repo", f"--path={probes}"], timeout)
        self.call(["find", "script", "--tags=detect,os"], timeout)
        shutil.copytree(self.home, self.root / "template", symlinks=True)

    def reset(self) -> None:
        if self.name == "colmind":  # its index monitor (if a case started one) goes with the home
            monitorctl.stop(self.repos, self.env(), str(self.root))
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(self.src, ignore_errors=True)
        shutil.rmtree(self.venv, ignore_errors=True)
        shutil.copytree(self.root / "template", self.home, symlinks=True)

    def make_sources(self, case: Case) -> None:
        """The case's local sources: ``<SRC>/payload.tar.gz`` (payload/a.txt, payload/sub/b.txt)
        and, for ``venv`` cases, a new venv of the base interpreter (only pip in it)."""
        import tarfile

        if not case.sources:
            return
        payload = self.src / "payload"
        (payload / "sub").mkdir(parents=True)
        (payload / "a.txt").write_text("hello\n")
        (payload / "sub" / "b.txt").write_text("deep\n")
        with tarfile.open(self.src / "payload.tar.gz", "w:gz") as tar:
            tar.add(payload, arcname="payload")
        shutil.rmtree(payload)
        if case.sources == "venv":
            base = getattr(sys, "_base_executable", sys.executable)
            subprocess.run([base, "-m", "venv", str(self.venv)], check=True, capture_output=True)


# ---------------------------------------------------------------------------------------- parsing

_LOG_LINE = re.compile(r"^(\[\d{4}-\d\d-\d\d [^\]]*\]|(INFO|DEBUG|WARNING|ERROR):root:)")
_FOUND = re.compile(r"Found script::\s*([^,\s]+),\s*([0-9a-f]{16})")


def result_json(text: str) -> dict[str, Any]:
    """The ``-j`` result dict printed by any of the tools (after a log prefix or not)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.endswith("{") and i + 1 < len(lines) and lines[i + 1].startswith('  "return"'):
            end = lines.index("}", i + 1)
            body = "\n".join(["{", *lines[i + 1:end], "}"])
            try:
                data = json.loads(body)
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def selected_script(tool: Tool, proc: subprocess.CompletedProcess[str]) -> str:
    if tool.name == "colmind":
        try:
            plan = json.loads((tool.work / "cm-run-record.json").read_text())["plan"]
        except (OSError, ValueError, KeyError, TypeError):
            return ""
        return f"{plan['alias']},{plan.get('uid', '')}" if plan.get("alias") else ""
    found = _FOUND.search(proc.stdout + "\n" + proc.stderr)
    return f"{found.group(1)},{found.group(2)}" if found else ""


def cache_entries(tool: Tool) -> list[list[str]]:
    entries = []
    for meta_file in sorted(tool.cache_dir.glob("*/_cm.json")) + sorted(tool.cache_dir.glob("*/meta.json")):
        try:
            tags = json.loads(meta_file.read_text()).get("tags", [])
        except (OSError, ValueError):
            continue
        entries.append(sorted(t.replace("script-item-", "script-artifact-") for t in tags))
    return sorted(entries)


class Normaliser:
    """Replaces machine-dependent strings (homes, dirs, interpreters) by placeholders."""

    def __init__(self, tool: Tool) -> None:
        pairs = [(str(tool.cache_dir) + "/", "<CACHE>/"), (str(tool.work), "<CWD>"), (str(tool.home), "<HOME>"),
                 (str(Path(tool.exe).parent), "<TOOLBIN>"), (str(tool.src), "<SRC>"), (str(tool.venv), "<PYV>")]
        if tool.name == "colmind":  # the checkout's launcher (see colmind_launcher) next to the venv's bin
            pairs.append((str(Path(sys.executable).parent), "<TOOLBIN>"))
        self.pairs = sorted(pairs, key=lambda p: -len(p[0]))

    def text(self, value: str) -> str:
        for old, new in self.pairs:
            value = value.replace(old, new)
        value = re.sub(r"<CACHE>/[^/\s:\"']+", "<CACHE>/<ENTRY>", value)
        return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?", "<TIME>", value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        return value


def recipe_stdout(tool: Tool, text: str) -> list[str]:
    """The recipe's own stdout: no log lines of the tool, no ``-j`` JSON, no blank lines."""
    out, in_json = [], False
    norm = Normaliser(tool)
    for line in text.splitlines():
        if _LOG_LINE.match(line) or line.startswith(("* cm run script", "  * cm run script")):
            in_json = line.endswith("{")
            continue
        if in_json or line == "{":
            in_json = line != "}"
            continue
        if line.strip():
            out.append(norm.text(line.rstrip()))
    return out


# ---------------------------------------------------------------------------------------- running

def run_case(tool: Tool, case: Case, timeout: int) -> Outcome:
    with tool.lock:
        tool.reset()
        tool.make_sources(case)
        args = ["run", "script", *(a.replace("{src}", str(tool.src)) for a in case.args), "-j", "--quiet"]
        if tool.name != "colmind":
            args.append("-v")  # logs "Found script::alias,uid" (the selected script)
        proc = None
        for _ in range(case.runs):
            proc = tool.call(args, timeout, case)
        assert proc is not None
        norm = Normaliser(tool)
        res = result_json(proc.stderr) or result_json(proc.stdout)
        return Outcome(
            rc=proc.returncode, script=selected_script(tool, proc),
            new_env=norm.value(res.get("new_env", {})), new_state=norm.value(res.get("new_state", {})),
            deps=norm.value(res.get("deps", [])) if case.coll == "cm" else [],
            cache=norm.value(cache_entries(tool)), stdout=recipe_stdout(tool, proc.stdout),
            error=norm.text(str(res.get("error", "")))[:300] if res else _error_text(norm, proc.stderr))


def _error_text(norm: Normaliser, stderr: str) -> str:
    """The ``CM error:`` line (what went wrong) and the end of stderr (where)."""
    head = next((line for line in stderr.splitlines() if line.startswith("CM error")), "")
    return norm.text(head[:300] + "\n" + stderr[-300:])


_PIP_NOISE = re.compile(r"\s*[━╸╺\-]+ [\d.]+/[\d.]+ [kKMG]?B [\d.]+ [kKMG]?B/s eta [\d:]+$|"
                        r"\s*━+.*$| \([\d.]+ [kKMG]?B\)$")


def stable_stdout(lines: list[str]) -> list[str]:
    """pip's progress bars and download sizes/rates vary from run to run: dropped / cut."""
    out = []
    for line in lines:
        cut = _PIP_NOISE.sub("", line)
        if cut.strip():
            out.append(cut)
    return out


def differing_keys(ref: Outcome, col: Outcome) -> list[str]:
    keys = [k for k in ("rc", "script", "deps", "cache") if getattr(ref, k) != getattr(col, k)]
    if stable_stdout(ref.stdout) != stable_stdout(col.stdout):
        keys.append("stdout")
    for part in ("new_env", "new_state"):
        a, b = getattr(ref, part), getattr(col, part)
        keys += [f"{part}.{k}" for k in sorted(set(a) | set(b)) if a.get(k, "<unset>") != b.get(k, "<unset>")]
    return keys


def explain(case: Case, key: str, ref: Outcome, col: Outcome) -> str:
    """Why a difference is deliberate (a row of docs/compatibility.md), or ``""``."""
    if case.coll == "mlc" and key == "rc" and (ref.rc, col.rc) == (1, 2) and "failed" in col.error:
        return "E10: a native script failure is return 2 (mlcflow: 1)"
    if case.coll == "mlc" and key == "cache" and _without_non_virtual(col.cache) == _without_non_virtual(ref.cache):
        return "E25: mlcflow drops add_extra_cache_tags (non-virtual) of get-python3 entries"
    if (case.coll == "mlc" and key == "stdout" and ref.rc == col.rc != 0 and not col.stdout
            and ref.stdout[:1] == [f"Installing missing packages: {_missing_module(col.error)}"]):
        return "E30: mlcflow pip-installs a customize.py's missing import into its own interpreter"
    if key == "deps" and [d.rstrip(",") for d in ref.deps] == col.deps:
        return "cmind appends ',' to a dep's tags when inherit_variation_tags has no variation to add"
    if key == "stdout" and [x.strip() for x in stable_stdout(ref.stdout)] == [x.strip() for x in stable_stdout(col.stdout)]:
        return "E20: indentation only (hooks print i['recursion_spaces']; CM gives post_deps other depths)"
    if key.endswith("PROBE_SEEN_QUOTES"):
        return "E17-1: a recipe value's unescaped \" is escaped (CM breaks the export, MLC escapes \\\" too)"
    if key.endswith("CHILD_RUN") and case.name == "local-probe-vparent":
        return "probe-vchild writes a new random run id at every real run (compared in the property test)"
    return ""


def _missing_module(error: str) -> str:
    found = re.search(r"No module named '([^']+)'", error)
    return found.group(1) if found else "?"


def _without_non_virtual(entries: list[list[str]]) -> list[list[str]]:
    """get-python3 entries without ``non-virtual`` (mlcflow drops it) and ``-virtual`` (mlcflow
    records the request's ``-virtual`` as an entry tag instead)."""
    return sorted([t for t in tags if t not in ("non-virtual", "-virtual")] if "get-python3" in tags else tags
                  for tags in entries)


def verdict(case: Case, keys: list[str], ref: Outcome, col: Outcome) -> tuple[str, dict[str, str]]:
    why = {k: explain(case, k, ref, col) for k in keys}
    if not keys:
        return "same", why
    return ("known" if all(why.values()) else "DIFF"), why


def make_guard(root: Path) -> None:
    guard = root / "guard"
    guard.mkdir(parents=True, exist_ok=True)
    for name in BLOCKED_COMMANDS:
        path = guard / name
        path.write_text(f"#!/bin/sh\necho 'parity sweep: {name} is blocked (offline sweep)' >&2\nexit 100\n")
        path.chmod(0o755)


# ---------------------------------------------------------------------------------------- main

def colmind_launcher(root: Path) -> str:
    """A ``cm`` that runs THIS checkout's ``src`` on the project's interpreter (the venv's ``cm``
    may be an install of another checkout), without PYTHONPATH leaking into recipes."""
    exe = Path(colmind_cm())
    python = exe.parent / "python"
    launcher = root / "colmind-bin" / "cm"
    launcher.parent.mkdir(parents=True, exist_ok=True)
    launcher.write_text(f"#!{python}\nimport sys\nsys.path.insert(0, {str(PROJECT_ROOT / 'src')!r})\n"
                        "from colmind.cli.main import run\nrun()\n")
    launcher.chmod(0o755)
    return str(launcher)


def make_tools(root: Path, colls: list[str]) -> dict[str, tuple[Tool, Tool]] | str:
    paths = load_paths()
    lanes: dict[str, tuple[Tool, Tool]] = {}
    for coll in colls:
        key, have, ref_name, exe = (("cm4mlops_repo", have_cmind, "cmind", cmind_cm) if coll == "cm"
                                    else ("mlc_scripts_repo", have_mlc, "mlcflow", mlc_exe))
        collection = paths.get(key, "")
        if not have() or not collection or not Path(collection).is_dir():
            return f"{ref_name} or its collection is missing (run benchmarks/setup_tools.py)"
        lanes[coll] = (Tool(ref_name, coll, exe(), root / coll / ref_name, collection),
                       Tool("colmind", coll, colmind_launcher(root), root / coll / "colmind", collection))
    return lanes


def stored_references(path: Path | None) -> dict[tuple[str, str, tuple[str, ...]], Outcome]:
    """Reference outcomes of an earlier ``--out`` file (``--reference-from``): cmind and mlcflow
    are slow (mlcflow re-reads every meta at each start), colmind is what changes."""
    if path is None:
        return {}
    rows = json.loads(path.read_text()).get("rows", [])
    return {(r["coll"], r["case"], tuple(r["args"])): Outcome(**r["reference"]) for r in rows}


def sweep(lanes: dict[str, tuple[Tool, Tool]], cases: list[Case], timeout: int, jobs: int,
          stored: dict[tuple[str, str, tuple[str, ...]], Outcome]) -> list[dict[str, Any]]:
    from concurrent.futures import Future, ThreadPoolExecutor

    def reference(case: Case) -> Future[Outcome]:
        known = stored.get((case.coll, case.name, case.args))
        if known is None:
            return pool.submit(run_case, lanes[case.coll][0], case, timeout)
        done: Future[Outcome] = Future()
        done.set_result(known)
        return done

    needed = {case.coll for case in cases if (case.coll, case.name, case.args) not in stored}
    tools = [t for coll, pair in lanes.items() for t in pair if t.name == "colmind" or coll in needed]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(lambda t: t.prepare(timeout), tools))
        futures = [(case, reference(case), pool.submit(run_case, lanes[case.coll][1], case, timeout))
                   for case in cases]
        rows = []
        for case, ref_f, col_f in futures:
            ref, col = ref_f.result(), col_f.result()
            keys = differing_keys(ref, col)
            status, why = verdict(case, keys, ref, col)
            rows.append({"case": case.name, "coll": case.coll, "args": list(case.args), "runs": case.runs,
                         "pair": f"{lanes[case.coll][0].name}/colmind", "verdict": status, "keys": keys,
                         "why": why, "reference": asdict(ref), "colmind": asdict(col)})
            print(f"{case.coll:3} {case.name:32} {rows[-1]['pair']:16} {status:5} "
                  f"{', '.join(keys)[:110]}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="write the full results as JSON here")
    ap.add_argument("--only", default="", help="substrings of the case names to run (comma list)")
    ap.add_argument("--collections", default="cm,mlc", help="cm, mlc or cm,mlc")
    ap.add_argument("--timeout", type=int, default=240, help="seconds per tool invocation")
    ap.add_argument("--jobs", type=int, default=2, help="tool lanes run at once")
    ap.add_argument("--workdir", type=Path, help="where the private homes go (default: a temp dir)")
    ap.add_argument("--reference-from", type=Path,
                    help="take cmind/mlcflow outcomes from an earlier --out file (cases not in it are run)")
    args = ap.parse_args(argv)
    colls = [c for c in args.collections.split(",") if c]
    root = args.workdir or Path(tempfile.mkdtemp(prefix="colmind-parity-"))
    lanes = make_tools(root, colls)
    make_guard(root)
    if isinstance(lanes, str):
        print(f"parity sweep skipped: {lanes}")
        if args.out:
            args.out.write_text(json.dumps({"skipped": lanes, "rows": []}, indent=2))
        return 0
    wanted = args.only.split(",")
    cases = [c for c in CM_CASES + MLC_CASES if c.coll in colls and any(w in c.name for w in wanted)]
    print(f"{'col':3} {'case':32} {'pair':16} {'verdict':5} differing keys  (homes under {root})")
    rows = sweep(lanes, cases, args.timeout, args.jobs, stored_references(args.reference_from))
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("same", "known", "DIFF")}
    print(f"{len(rows)} invocations: {counts['same']} identical, {counts['known']} known differences, "
          f"{counts['DIFF']} unexplained differences")
    if args.out:
        args.out.write_text(json.dumps({"root": str(root), "project": str(PROJECT_ROOT), "counts": counts,
                                        "rows": rows}, indent=2))
    if not args.workdir:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
