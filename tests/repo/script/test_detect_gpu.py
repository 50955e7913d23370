"""detect-gpu: nvidia-smi output parsing and fake nvidia-smi executables (success, failure,
old driver, hang, absent)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from recipe_fixtures import assert_valid_meta, fake_i, load_customize, load_module

probe = load_module("detect-gpu", "gpu_probe")

BANNER = """+-----------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |
"""
QUERY = ("0, NVIDIA H200, 143771, 550.54.15, GPU-aaaa, 00000000:18:00.0, 9.0\n"
         "1, NVIDIA H200, 143771, 550.54.15, GPU-bbbb, 00000000:2A:00.0, 9.0\n")


def fake_smi(tmp_path: Path, body: str) -> str:
    path = tmp_path / "nvidia-smi"
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_meta() -> None:
    meta = assert_valid_meta("detect-gpu", ["detect", "gpu", "detect-gpu"])
    assert "CM_GPU_*" in meta["new_env_keys"]


def test_parse_query_and_banner() -> None:
    gpus = probe.parse_query_csv(QUERY + "garbage line\n", probe.QUERY_FIELDS)
    assert [g["uuid"] for g in gpus] == ["GPU-aaaa", "GPU-bbbb"]
    assert gpus[0]["memory.total"] == "143771"
    assert probe.parse_cuda_version(BANNER) == "12.4"
    assert probe.parse_cuda_version("no banner") == ""


@pytest.mark.slow
def test_two_gpus(tmp_path: Path) -> None:
    body = f"""if [[ "$1" == --query-gpu=* ]]; then printf '{QUERY}'; else printf '{BANNER}'; fi\n"""
    smi = fake_smi(tmp_path, body)
    i = fake_i("detect-gpu", env={"CM_NVIDIA_SMI_BIN_WITH_PATH": smi})
    assert load_customize("detect-gpu").preprocess(i) == {"return": 0}
    env = i["env"]
    assert env["CM_GPU_COUNT"] == "2" and env["CM_CUDA_NUM_DEVICES"] == "2"
    assert env["CM_GPU_NAME"] == "NVIDIA H200"
    assert env["CM_GPU_MEMORY_MB"] == "143771"
    assert env["CM_GPU_DRIVER_VERSION"] == "550.54.15"
    assert env["CM_GPU_CUDA_VERSION"] == "12.4"
    assert env["CM_GPU_COMPUTE_CAPABILITY"] == "9.0"
    assert env["CM_CUDA_DEVICE_PROP_GPU_COMPUTE_CAPABILITY"] == "90"
    assert env["CM_GPU_DETECT_STATUS"] == "ok"
    assert len(i["state"]["cm_gpu_info"]) == 2


@pytest.mark.slow
def test_old_driver_without_compute_cap(tmp_path: Path) -> None:
    body = """case "$1" in
  *compute_cap*) echo 'Field "compute_cap" is not a valid field to query.' >&2; exit 2;;
  --query-gpu=*) echo '0, Tesla K80, 11441, 470.1, GPU-x, 0:1:0';;
  *) echo 'CUDA Version: 11.4';;
esac
"""
    result = probe.detect(fake_smi(tmp_path, body), timeout=10)
    assert result.env["CM_GPU_COUNT"] == "1"
    assert result.env["CM_GPU_NAME"] == "Tesla K80"
    assert "CM_GPU_COMPUTE_CAPABILITY" not in result.env


@pytest.mark.slow
@pytest.mark.parametrize("body,reason", [
    ("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9\n",
     "could not communicate"),
    ("exit 0\n", "lists no GPU"),
    ("sleep 30\n", "timed out"),
])
def test_no_usable_gpu_is_not_an_error(tmp_path: Path, body: str, reason: str) -> None:
    smi = fake_smi(tmp_path, body)
    i = fake_i("detect-gpu", env={"CM_NVIDIA_SMI_BIN_WITH_PATH": smi, "CM_DETECT_GPU_TIMEOUT": "1"})
    assert load_customize("detect-gpu").preprocess(i) == {"return": 0}
    assert i["env"]["CM_GPU_COUNT"] == "0"
    assert reason in i["env"]["CM_GPU_DETECT_STATUS"]
    assert i["state"]["cm_gpu_info"] == []


def test_no_nvidia_smi_on_path(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = probe.detect("", timeout=5)
    assert result.env == {"CM_GPU_COUNT": "0", "CM_CUDA_NUM_DEVICES": "0",
                          "CM_GPU_DETECT_STATUS": "nvidia-smi not found"}


def test_bad_timeout_is_a_clear_error() -> None:
    i = fake_i("detect-gpu", env={"CM_DETECT_GPU_TIMEOUT": "soon"})
    r = load_customize("detect-gpu").preprocess(i)
    assert r["return"] == 1 and "--timeout" in r["error"]
    assert os.environ.get("CM_GPU_COUNT") is None
