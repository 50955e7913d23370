"""``cm run script "gui _playground"``: starts the server (127.0.0.1, prints the URL), stops on Ctrl-C;
``--create_token`` prints a token once; ``cm`` itself never imports the web stack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.playground.conftest import free_port, server_env


def test_create_token_through_the_recipe(cli: Any, tmp_path: Path) -> None:
    r = cli("run", "script", "gui _playground", "--create_token", "--quiet")
    assert r.code == 0, r.stderr


def test_start_and_ctrl_c(sample_repo: Path, cm_home: Path) -> None:
    port = free_port()
    env = server_env()
    env["CM_REPOS"] = str(cm_home)
    proc = subprocess.Popen([sys.executable, "-m", "colmind", "run", "script", "gui _playground", f"--port={port}"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    assert resp.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.2)
        html = urllib.request.urlopen(f"http://127.0.0.1:{port}/?action=experiments&tags=closed-power").read()
        assert b"records loaded" in html
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert f"http://127.0.0.1:{port}/" in out
    assert "stopped" in out and "Traceback" not in out


def test_cm_startup_does_not_import_the_web_stack() -> None:
    code = ("import sys, colmind.cli.main; "
            "bad = [m for m in ('fastapi', 'uvicorn', 'sqlalchemy', 'jinja2', 'colmind.playground') if m in sys.modules]; "
            "print(bad)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=server_env())
    assert r.stdout.strip() == "[]", r.stdout + r.stderr
