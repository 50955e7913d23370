"""REST API, token uploads, and the database as an incremental, rebuildable cache of the files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from tests.playground.conftest import POWER_EXP


def test_openapi_lists_the_api(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/scripts", "/api/v1/experiments", "/api/v1/results", "/api/v1/results/{uid}", "/healthz"):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/v1/results"]


def test_reads(client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    scripts = client.get("/api/v1/scripts", params={"tags": "detect,os"}).json()["scripts"]
    assert [s["alias"] for s in scripts] == ["detect-os"]
    exps = client.get("/api/v1/experiments", params={"tags": "closed-power,edge"}).json()["experiments"]
    assert POWER_EXP in {e["alias"] for e in exps} and all("edge" in e["tags"] for e in exps)
    body = client.get("/api/v1/results", params={"experiment": POWER_EXP, "limit": 5, "offset": 2}).json()
    assert body["total"] == 32 and len(body["results"]) == 5 and body["offset"] == 2
    uid = body["results"][0]["uid"]
    one = client.get(f"/api/v1/results/{uid}").json()
    assert one["result"]["uid"] == uid
    assert client.get("/api/v1/results", params={"experiment": "nope"}).status_code == 400


def _token(settings: Any) -> str:
    from colmind.playground import db

    return db.create_token(db.open_engine(settings.db), "test")


def test_upload_needs_a_valid_token_and_is_stored_hashed(client: Any, settings: Any) -> None:
    body = {"experiment": "my-runs", "tags": ["mine", "test"], "records": [{"Result": 10, "Accuracy": 0.9}]}
    assert client.post("/api/v1/results", json=body).status_code == 401
    assert client.post("/api/v1/results", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    token = _token(settings)
    from colmind.playground import db

    with db.open_engine(settings.db).connect() as conn:
        stored = [r[0] for r in conn.execute(db.tokens.select().with_only_columns(db.tokens.c.hash))]
    assert token not in stored and db.hash_token(token) in stored
    r = client.post("/api/v1/results", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    uid = r.json()["uids"][0]
    assert os.path.isfile(os.path.join(r.json()["path"], "cm-result.json"))
    got = client.get("/api/v1/results", params={"experiment": "my-runs"}).json()
    assert got["total"] == 1 and got["results"][0]["uid"] == uid
    assert client.get("/api/v1/experiments", params={"tags": "mine"}).json()["experiments"][0]["alias"] == "my-runs"


def test_upload_validates(client: Any, settings: Any) -> None:
    h = {"Authorization": f"Bearer {_token(settings)}"}
    for bad in ({"experiment": "../etc", "records": []}, {"experiment": "x", "records": [{"a": {"nested": 1}}]},
                {"experiment": "x", "records": "no"}, {"records": []}):
        r = client.post("/api/v1/results", json=bad, headers=h)
        assert r.status_code == 400, (bad, r.text)


def test_private_mode_needs_a_token_for_reads(sample_repo: Path, settings: Any) -> None:
    from fastapi.testclient import TestClient

    from colmind.playground.artifacts import release_core
    from colmind.playground.web import create_app

    settings.private = True
    token = _token(settings)
    with TestClient(create_app(settings)) as c:
        assert c.get("/?action=scripts").status_code == 401
        assert c.get("/api/v1/experiments").status_code == 401
        assert c.get("/healthz").status_code == 200
        assert c.get("/api/v1/experiments", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert c.get(f"/login?token={token}", follow_redirects=False).status_code == 303
        assert c.get("/?action=scripts").status_code == 200  # the login cookie
    release_core()


def _result_file(repo: Path) -> Path:
    return next((repo / "experiment" / POWER_EXP).glob("*/cm-result.json"))


def test_edits_are_picked_up_without_restart(client: Any, sample_repo: Path) -> None:
    def total() -> int:
        return int(client.get("/api/v1/results", params={"experiment": POWER_EXP}).json()["total"])
    assert total() == 32
    f = _result_file(sample_repo)
    records = json.loads(f.read_text())
    records.append({"uid": "00000000000000aa", "Result": 1, "Result_Power": 1})
    f.write_text(json.dumps(records))
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10 ** 9))
    assert total() == 33
    new_run = f.parent.parent / "2030-01-01.00-00-00.000001"
    new_run.mkdir()
    (new_run / "cm-result.json").write_text(json.dumps([{"uid": "00000000000000bb", "Result": 2}]))
    assert total() == 34
    (new_run / "cm-result.json").unlink()
    assert total() == 33
    meta = json.loads((f.parent.parent / "_cm.json").read_text())
    meta["tags"].append("edited")
    (f.parent.parent / "_cm.json").write_text(json.dumps(meta))
    assert client.get("/api/v1/experiments", params={"tags": "edited"}).json()["experiments"]


def test_database_is_a_rebuildable_cache(client: Any, settings: Any, tmp_path: Path) -> None:
    before = client.get("/api/v1/results", params={"tags": "closed-power", "limit": 0}).json()["total"]
    from colmind.playground import db, indexer

    engine = db.open_engine(settings.db)
    stats = indexer.sync(engine)
    assert stats.files_read == 0  # incremental: nothing changed
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)
    stats = indexer.sync(engine)
    assert stats.records_written > 0
    assert client.get("/api/v1/results", params={"tags": "closed-power", "limit": 0}).json()["total"] == before


def test_broken_result_files_are_skipped(client: Any, sample_repo: Path) -> None:
    f = _result_file(sample_repo)
    f.write_text("{not json")
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 2 * 10 ** 9))
    r = client.get("/api/v1/results", params={"experiment": POWER_EXP})
    assert r.status_code == 200 and r.json()["total"] < 32


def test_pareto_marks_from_cm_pareto_json(client: Any, sample_repo: Path) -> None:
    f = _result_file(sample_repo)
    uid = json.loads(f.read_text())[0]["uid"]
    (f.parent / "cm-pareto.json").write_text(json.dumps({"front": [{"uid": uid}]}))
    recs = client.get("/api/v1/results", params={"experiment": POWER_EXP, "limit": 100}).json()["results"]
    assert {r["uid"] for r in recs if r.get("pareto_marked")} == {uid}


def test_loopback_server_refuses_foreign_host_headers(sample_repo: Path, settings: Any) -> None:
    from fastapi.testclient import TestClient

    from colmind.playground.artifacts import release_core
    from colmind.playground.web import create_app

    settings.allowed_hosts = ("127.0.0.1", "localhost")
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/healthz", headers={"host": "evil.example"}).status_code == 400
    release_core()
