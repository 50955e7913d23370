"""Generate a synthetic CM repository of N artifacts for the core benchmarks.

Layout (CM): ``<repo>/cmr.yaml``, ``<repo>/automation/benchart/{_cm.json,module.py}`` (the automation
itself, so that cmind can load it) and ``<repo>/benchart/art-000123/_cm.json`` for every artifact,
with ``alias``, ``uid``, ``automation_alias``, ``automation_uid`` and ``tags`` drawn from a fixed
vocabulary. Everything is deterministic, so the expected result count of every query is known and
both tools can be checked against it.

Tags of artifact ``i``: ``bench``, ``grp<i % 1000>``, ``VOCAB[i % 64]`` and two more words picked by a
seeded RNG from ``EXTRA`` (realistic noise for the tag tables).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

AUTOMATION = "benchart"
AUTOMATION_UID = "b3c4a1e2d5f60718"
VOCAB = [f"{w}" for w in (
    "get detect install python lib model dataset run app mlperf inference loadgen onnx torch numpy "
    "cuda cpu gpu compiler gcc llvm cmake git download extract preprocess benchmark accuracy "
    "performance harness sut docker image build test report submission power tiny edge "
    "datacenter resnet bert retinanet rnnt gptj llama sdxl dlrm 3d-unet mobilenet efficientnet "
    "tflite tensorrt openvino tvm armnn rocm oneapi sycl triton vllm").split()][:64]
EXTRA = [f"x{n:03d}" for n in range(200)]
REPO_UID_PREFIX = "5e1ec7ed"
MODULE_PY = '''"""Minimal automation module for the colmind benchmark (generic actions only)."""
from cmind.automation import Automation


class CAutomation(Automation):
    def __init__(self, cmind, automation_file):
        super().__init__(cmind, __file__)
'''


@dataclass(frozen=True)
class SynthRepo:
    path: Path
    size: int
    alias: str

    @property
    def stamp(self) -> Path:
        return self.path / ".bench-complete"


def uid_for(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()[:16]


def artifact_tags(i: int, rng: random.Random) -> list[str]:
    extra = rng.sample(EXTRA, 2)
    return ["bench", f"grp{i % 1000}", VOCAB[i % len(VOCAB)], *extra]


def alias_of(i: int) -> str:
    return f"art-{i:06d}"


def selective_query(size: int) -> tuple[str, int]:
    """A selective tag query (``grp7`` and ``VOCAB[7]``) and how many artifacts it matches."""
    tags = f"grp7,{VOCAB[7]}"
    expected = sum(1 for i in range(size) if i % 1000 == 7 and i % len(VOCAB) == 7)
    return tags, expected


def generate(root: Path, size: int) -> SynthRepo:
    """Create (once) the repository ``root/repo-<size>``; an existing complete one is reused."""
    alias = f"bench-synth-{size}"
    repo = SynthRepo(root / f"repo-{size}", size, alias)
    if repo.stamp.is_file() and repo.stamp.read_text() == str(size):
        return repo
    repo.path.mkdir(parents=True, exist_ok=True)
    (repo.path / "cmr.yaml").write_text(
        f"alias: {alias}\nuid: {REPO_UID_PREFIX}{size:08d}\ngit: false\ndesc: colmind benchmark repo\n")
    _write_automation(repo.path)
    rng = random.Random(size)
    art_root = repo.path / AUTOMATION
    art_root.mkdir(exist_ok=True)
    for i in range(size):
        _write_artifact(art_root, i, artifact_tags(i, rng), size)
    repo.stamp.write_text(str(size))
    return repo


def _write_automation(repo_path: Path) -> None:
    auto = repo_path / "automation" / AUTOMATION
    auto.mkdir(parents=True, exist_ok=True)
    meta = {"alias": AUTOMATION, "uid": AUTOMATION_UID, "automation_alias": "automation",
            "automation_uid": "bbeb15d8f0a944a4", "tags": ["automation"], "desc": "benchmark artifacts"}
    (auto / "_cm.json").write_text(json.dumps(meta, indent=2))
    (auto / "module.py").write_text(MODULE_PY)


def _write_artifact(art_root: Path, i: int, tags: list[str], size: int) -> None:
    alias = alias_of(i)
    meta = {"alias": alias, "uid": uid_for(f"{size}:{i}"), "automation_alias": AUTOMATION,
            "automation_uid": AUTOMATION_UID, "tags": tags, "desc": f"synthetic artifact {i}"}
    path = art_root / alias
    os.makedirs(path, exist_ok=True)
    with open(path / "_cm.json", "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2)
