"""The results database on a real PostgreSQL server (started by the fixture), shared by two apps."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.playground.conftest import POWER_EXP, free_port


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


def _as_user() -> list[str]:
    """Commands run as the ``postgres`` user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-c"]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
    data = tempfile.mkdtemp(prefix="cm-pg-")
    os.chmod(data, 0o777)
    port = free_port()
    user = _as_user()
    run = lambda *cmd: subprocess.run([*user, *cmd], capture_output=True, text=True, timeout=120)  # noqa: E731
    r = run(f"{bindir}/initdb", "-D", f"{data}/db", "-A", "trust", "-U", "cm", "--no-sync")
    assert r.returncode == 0, r.stderr
    r = run(f"{bindir}/pg_ctl", "-D", f"{data}/db", "-l", f"{data}/log", "-w", "-t", "60",
            "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    assert r.returncode == 0, r.stderr + open(f"{data}/log").read()
    try:
        run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "cm", "results")
        yield f"postgresql+psycopg://cm@127.0.0.1:{port}/results"
    finally:
        run(f"{bindir}/pg_ctl", "-D", f"{data}/db", "-m", "fast", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_shared_server_on_postgresql(sample_repo: Path, postgres_url: str) -> None:
    from fastapi.testclient import TestClient

    from colmind.playground import db
    from colmind.playground.artifacts import release_core
    from colmind.playground.settings import Settings
    from colmind.playground.web import create_app

    token = db.create_token(db.open_engine(postgres_url), "pg")
    apps = [create_app(Settings(db=postgres_url, refresh_seconds=0.0)) for _ in range(2)]
    with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
        body = one.get("/api/v1/results", params={"experiment": POWER_EXP, "filter": "result['Result_Power'] < 35",
                                                   "derived_metrics": "result['e'] = 1000/result['Result_Power']"}).json()
        assert body["total"] == 18 and all(r["e"] > 28 for r in body["results"])
        up = two.post("/api/v1/results", json={"experiment": "pg-runs", "records": [{"Result": 5}]},
                      headers={"Authorization": f"Bearer {token}"})
        assert up.status_code == 201, up.text
        uid = up.json()["uids"][0]
        time.sleep(0.01)
        assert one.get(f"/api/v1/results/{uid}").json()["result"]["Result"] == 5  # the other server sees it
        assert "Results explorer" in one.get("/?action=experiments&name=pg-runs").text
    with db.open_engine(postgres_url).connect() as conn:
        assert conn.exec_driver_sql("select count(*) from cm_records").scalar() > 600
    for app in apps:
        app.state.ctx.engine.dispose()
    release_core()


def test_postgres_url_in_the_cli(postgres_url: str, sample_repo: Path) -> None:
    import sys

    from tests.playground.conftest import server_env

    env = server_env()
    r = subprocess.run([sys.executable, "-m", "colmind.playground", "--db", postgres_url, "--reindex"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "records" in r.stdout


