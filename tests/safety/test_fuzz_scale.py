"""Fuzzing at scale, in-process and seeded: 10,000 ``cm`` command lines and 10,000 ``access()`` dicts.

Never a traceback or an "internal error", only CM's documented return codes, and nothing written
outside the test's ``$CM_REPOS`` and working folder (a snapshot of the sandbox around them, and of
the places hostile names aim at, before and after). ``COLMIND_FUZZ_CASES`` and
``COLMIND_FUZZ_SEED`` change the size and the seed (docs/safety.md has the figures).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from colmind.testing import run_cli
from tests.safety import fuzzgen

CASES = int(os.environ.get("COLMIND_FUZZ_CASES", "10000"))
SEED = int(os.environ.get("COLMIND_FUZZ_SEED", "15"))


def snapshot(root: Path, skip: set[Path]) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` (but not under ``skip``): size, mtime and mode."""
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) not in skip]
        for name in dirs + files:
            st = Path(folder, name).lstat()
            out[str(Path(folder, name))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def escapes() -> list[str]:
    """Files the hostile names would create at the root or in /tmp."""
    found = []
    for parent in ("/", "/tmp", os.getcwd()):
        with contextlib.suppress(OSError):
            found += [os.path.join(parent, n) for n in os.listdir(parent) if fuzzgen.MARKER in n]
    return found


@pytest.fixture
def sandbox(tmp_path: Path, cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``<tmp>/CM`` is ``$CM_REPOS`` (the conftest's), ``<tmp>/work`` the working folder,
    ``<tmp>/outside`` holds files that must never change."""
    work = tmp_path / "work"
    work.mkdir()
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "keep.txt").write_text("keep")
    (outside / "deep" / "_cm.json").write_text("{}")
    monkeypatch.chdir(work)
    for argv in (["add", "automation", "notes"], ["add", "notes", "ok", "--tags=t"], ["add", "notes", "ok2"]):
        assert run_cli(*argv).code == 0
    assert cm_home.parent == tmp_path
    return tmp_path


def _guarded(sandbox: Path) -> dict[str, tuple[int, int, int]]:
    return snapshot(sandbox, {sandbox / "CM", sandbox / "work"})


def _check_cli(case: int, argv: list[str], res: Any) -> None:
    where = f"seed {SEED} case {case}: cm {argv!r:.400}"
    assert res.code in fuzzgen.EXIT_CODES, f"{where} -> exit {res.code}\n{res.stderr[-2000:]}"
    for stream in (res.stdout, res.stderr):
        assert "Traceback" not in stream, f"{where}\n{stream[-3000:]}"
        assert "internal error" not in stream, f"{where}\n{stream[-3000:]}"


@pytest.mark.slow
def test_ten_thousand_command_lines(sandbox: Path) -> None:
    rng = random.Random(SEED)
    before = _guarded(sandbox)
    start = time.monotonic()
    codes: dict[int, int] = {}
    for case in range(CASES):
        argv = fuzzgen.argv(rng, sandbox / "work", case)
        res = run_cli(*argv)
        _check_cli(case, argv, res)
        codes[res.code] = codes.get(res.code, 0) + 1
    took = time.monotonic() - start
    assert _guarded(sandbox) == before
    assert not escapes()
    assert len(codes) >= 4, codes  # the generator reaches successes and several kinds of errors
    print(f"\n{CASES} command lines in {took:.1f} s; exit codes {dict(sorted(codes.items()))}")


def _check_result(case: int, i: Any, r: Any) -> None:
    where = f"seed {SEED} case {case}: access({i!r:.400})"
    assert isinstance(r, dict), f"{where} -> {r!r}"
    assert r.get("return") in fuzzgen.EXIT_CODES, f"{where} -> {r!r:.1000}"
    if r["return"]:
        assert isinstance(r.get("error"), str), f"{where} -> {r!r:.1000}"
        assert "internal error" not in r["error"], f"{where} -> {r['error']}"


@pytest.mark.slow
def test_ten_thousand_access_dicts(sandbox: Path) -> None:
    from colmind import access

    rng = random.Random(SEED + 1)
    before = _guarded(sandbox)
    start = time.monotonic()
    codes: dict[int, int] = {}
    sink = io.StringIO()
    for case in range(CASES):
        i = fuzzgen.access_dict(rng, sandbox)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            r = access(dict(i))
        _check_result(case, i, r)
        codes[r["return"]] = codes.get(r["return"], 0) + 1
        sink.seek(0)
        sink.truncate()
    took = time.monotonic() - start
    assert _guarded(sandbox) == before
    assert not escapes()
    assert len(codes) >= 3, codes
    print(f"\n{CASES} access() dicts in {took:.1f} s; return codes {dict(sorted(codes.items()))}")
