"""Fixtures of the playground tests: the real MLPerf sample registered as a repository, an app."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the playground extra (colmind[playground]) is not installed")

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "playground" / "cm4mlperf-results-v3.1-sample"
POWER_EXP = "mlperf-inference--v3.1--edge--closed-power--image-classification--offline"
EDGE_EXP = "mlperf-inference--v3.1--edge--closed--image-classification--offline"
S28_UID = "e472410ee67c41f9"
S29_NAME = "mlperf-inference-v3.0--edge--closed--image-classification--offline"
S29_RESULT = "3751b230c800434a"


def register(path: Path) -> None:
    """``cm import repo --path=...`` in this thread, then a fresh core for the server's thread."""
    from colmind.api import access
    from colmind.core import reset_core

    r = access({"action": "import", "automation": "repo", "path": str(path)})
    assert r["return"] == 0, r
    reset_core()


def make_white_paper_experiments(root: Path) -> None:
    """The experiments the white paper's URLs name (S28: uid e472410ee67c41f9, S29: the v3.0 edge
    experiment holding result 3751b230c800434a), made from real v3.1 records of the sample."""
    exp = root / "experiment"
    s28 = exp / "s28-power-efficiency"
    shutil.copytree(exp / POWER_EXP, s28)
    meta = json.loads((s28 / "_cm.json").read_text())
    meta.update(alias="s28-power-efficiency", uid=S28_UID, tags=meta["tags"] + ["s28"])
    (s28 / "_cm.json").write_text(json.dumps(meta))
    s29 = exp / S29_NAME
    shutil.copytree(exp / EDGE_EXP, s29)
    meta = json.loads((s29 / "_cm.json").read_text())
    meta.update(alias=S29_NAME, uid="5d2f1e3b9c7a4e01", tags=["mlperf", "mlperf-inference", "v3.0", "edge",
                                                               "closed", "image-classification", "offline"])
    (s29 / "_cm.json").write_text(json.dumps(meta))
    for result in s29.glob("*/cm-result.json"):
        records = json.loads(result.read_text())
        records[0]["uid"] = S29_RESULT
        for r in records:
            r["version"] = "v3.0"
        result.write_text(json.dumps(records))
    for result in s28.glob("*/cm-result.json"):  # fresh uids: a uid names one record
        records = json.loads(result.read_text())
        for i, r in enumerate(records):
            r["uid"] = f"5280{i:012x}"
        result.write_text(json.dumps(records))


def write_community(root: Path) -> None:
    """Challenges, contributors and reports in upstream's formats (a few hostile values too)."""
    def art(kind: str, name: str, meta: dict[str, Any], readme: str = "") -> None:
        folder = root / kind / name
        folder.mkdir(parents=True)
        (folder / "_cm.json").write_text(json.dumps(meta))
        if readme:
            (folder / "README.md").write_text(readme)
    art("challenge", "optimize-mlperf-power", {
        "alias": "optimize-mlperf-power", "uid": "c0ffee0000000001", "title": "Optimize MLPerf power efficiency",
        "date_open": "20200101", "date_close_extension": True, "hot": True, "trophies": True,
        "prize_short": "co-authoring a white paper", "tags": ["mlperf", "power"],
        "experiments": [{"tags": "mlperf-inference,v3.1,closed-power"}],
        "url": "javascript:alert(1)"}, "# Power\n\n<script>alert('readme')</script>\n\n[bad](javascript:alert(2))")
    art("challenge", "future-challenge", {"alias": "future-challenge", "uid": "c0ffee0000000002",
                                          "title": "Future one", "date_open": "20990101", "tags": ["future"]})
    art("challenge", "past-challenge", {"alias": "past-challenge", "uid": "c0ffee0000000003",
                                        "title": "Past one", "date_open": "20200101", "date_close": "20200301",
                                        "tags": ["past"]})
    art("contributor", "Grigori Fursin", {"uid": "ab00000000000001", "name": "Grigori Fursin",
                                          "organization": "cTuning", "points": [{"point": 5}, {"point": 3}],
                                          "challenges": ["a", "b"], "ongoing": ["optimize-mlperf-power"],
                                          "trophies": [{"url": "https://cTuning.org/award.pdf"},
                                                       {"url": "javascript:alert(3)"}]})
    art("contributor", "OrgOnly", {"uid": "ab00000000000002", "organization": "Some Org", "points": [{"point": 20}]})
    art("contributor", "Hidden", {"uid": "ab00000000000003", "name": "Hidden Person", "skip": True})
    art("report", "power-report", {"alias": "power-report", "uid": "7e00000000000001", "title": "Power report",
                                   "date": "20240102", "tags": ["report", f"result-{S29_RESULT}"]},
        "Measured <b>carefully</b>.\n\n<img src=x onerror=alert(4)>")
    art("report", "external", {"alias": "external", "uid": "7e00000000000002", "title": "External",
                               "date": "20240101", "redirect": "javascript:alert(5)"})
    repro = root / "experiment" / "repro-detect-os"
    (repro / "2024-05-01.10-00-00.000001" / "a1b2c3d4e5f60718").mkdir(parents=True)
    (repro / "_cm.json").write_text(json.dumps({"alias": "repro-detect-os", "uid": "4e90000000000001",
                                                "automation_alias": "experiment", "automation_uid": "a0a2d123ef064bcb",
                                                "tags": ["repro", "detect", "os"]}))
    (repro / "2024-05-01.10-00-00.000001" / "cm-input.json").write_text(json.dumps(
        {"action": "run", "automation": "experiment", "tags": "repro,detect,os",
         "unparsed_cmd": ["cm", "run", "script", "detect,os", "--repro"]}))
    (repro / "2024-05-01.10-00-00.000001" / "cm-result.json").write_text(json.dumps([
        {"uid": "a1b2c3d4e5f60718", "iso_datetime": "2024-05-01T10:00:00", "output.return": 0,
         "acm_ctuning_repro_badge_functional": True, "info.host_system": "Linux"}]))
    art("report", "private-report", {"alias": "private-report", "uid": "7e00000000000003", "title": "Secret",
                                     "date": "20240103", "private": True})


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A writable copy of the real MLPerf sample plus the white-paper experiments and community data."""
    root = tmp_path / "cm4mlperf-results"
    shutil.copytree(SAMPLE, root)
    make_white_paper_experiments(root)
    write_community(root)
    register(root)
    return root


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    from colmind.playground.settings import Settings

    return Settings(db="sqlite:///" + str(tmp_path / "results.db"), refresh_seconds=0.0)


@pytest.fixture
def client(sample_repo: Path, settings: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from colmind.playground.web import create_app

    app = create_app(settings)
    with TestClient(app) as c:
        yield c
    app.state.ctx.engine.dispose()
    from colmind.playground.artifacts import release_core

    release_core()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env
