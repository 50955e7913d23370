"""detect-cpu: lscpu / cpuinfo / meminfo parsing tables and the hook on this host."""

from __future__ import annotations

import os
import sys

import pytest
from recipe_fixtures import assert_valid_meta, fake_i, load_customize, load_module

probe = load_module("detect-cpu", "cpu_probe")

LSCPU = """Architecture:            x86_64
CPU(s):                  8
On-line CPU(s) list:     0-7
Vendor ID:               GenuineIntel
Model name:              Intel(R) Xeon(R) CPU @ 2.20GHz
CPU family:              6
Thread(s) per core:      2
Core(s) per socket:      4
Socket(s):               1
CPU max MHz:             3900.0000
Flags:                   fpu vme avx2 avx512f
L1d cache:               128 KiB (4 instances)
L3 cache:                30 MiB (1 instance)
NUMA node(s):            1
"""

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model name\t: AMD EPYC 7B13
physical id\t: 0
siblings\t: 4
cpu cores\t: 2
flags\t\t: fpu sse sse2 avx2
bugs\t\t: sysret_ss_attrs
microcode\t: 0x1000065

processor\t: 1
vendor_id\t: AuthenticAMD
physical id\t: 0

processor\t: 2
physical id\t: 1

processor\t: 3
physical id\t: 1
"""


def test_meta() -> None:
    meta = assert_valid_meta("detect-cpu", ["detect", "cpu", "detect-cpu", "info"])
    assert "CM_HOST_CPU_*" in meta["new_env_keys"]
    assert meta["deps"] == [{"tags": "detect,os"}]


def test_parse_lscpu() -> None:
    env = probe.derive(probe.parse_lscpu(LSCPU))
    assert env["CM_HOST_CPU_TOTAL_CORES"] == "8"
    assert env["CM_HOST_CPU_TOTAL_LOGICAL_CORES"] == "8"
    assert env["CM_HOST_CPU_TOTAL_PHYSICAL_CORES"] == "4"
    assert env["CM_HOST_CPU_THREADS_PER_CORE"] == "2"
    assert env["CM_HOST_CPU_MODEL_NAME"] == "Intel(R) Xeon(R) CPU @ 2.20GHz"
    assert env["CM_HOST_CPU_FLAGS"].split() == ["fpu", "vme", "avx2", "avx512f"]
    assert env["CM_HOST_CPU_L1D_CACHE_SIZE"] == "128 KiB (4 instances)"
    assert env["CM_HOST_CPU_L3_CACHE_SIZE"] == "30 MiB (1 instance)"
    assert env["CM_HOST_CPU_MAX_MHZ"] == "3900.0000"
    assert env["CM_HOST_CPU_ON_LINE_CPUS_LIST"] == "0-7"


def test_sockets_dash_means_one() -> None:
    assert probe.parse_lscpu("Socket(s): -\n")["CM_HOST_CPU_SOCKETS"] == "1"


def test_parse_cpuinfo() -> None:
    env = probe.derive(probe.parse_cpuinfo(CPUINFO))
    assert env["CM_HOST_CPU_TOTAL_CORES"] == "4"
    assert env["CM_HOST_CPU_SOCKETS"] == "2"
    assert env["CM_HOST_CPU_PHYSICAL_CORES_PER_SOCKET"] == "2"
    assert env["CM_HOST_CPU_THREADS_PER_CORE"] == "2"
    assert env["CM_HOST_CPU_TOTAL_PHYSICAL_CORES"] == "4"
    assert env["CM_HOST_CPU_MODEL_NAME"] == "AMD EPYC 7B13"
    assert env["CM_HOST_CPU_FLAGS"] == "fpu sse sse2 avx2"
    assert env["CM_HOST_CPU_MICROCODE"] == "0x1000065"


@pytest.mark.parametrize("num,text", [(999, "999B"), (1500, "1.5K"), (24683656 * 1024, "25G"),
                                      (2_000_000_000_000, "2.0T")])
def test_human_si(num: int, text: str) -> None:
    assert probe.human_si(num) == text


def test_parse_meminfo_total() -> None:
    assert probe.parse_meminfo_total("MemFree: 1 kB\nMemTotal:  2048 kB\n") == 2048 * 1024
    assert probe.parse_meminfo_total("nothing\n") == 0


@pytest.mark.skipif(sys.platform != "linux", reason="linux host values")
def test_preprocess_on_this_host(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    i = fake_i("detect-cpu")
    assert load_customize("detect-cpu").preprocess(i) == {"return": 0}
    env = i["env"]
    assert int(env["CM_HOST_CPU_TOTAL_CORES"]) == os.cpu_count()
    assert env["CM_HOST_CPU_MODEL_NAME"]
    assert int(env["CM_HOST_MEMORY_CAPACITY_BYTES"]) > 0
    assert env["CM_HOST_DISK_CAPACITY"][-1] in "KMGTP"
