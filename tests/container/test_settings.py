"""The --docker_* flag table: precedence, merging of variation meta, warnings, no meta mutation."""

from __future__ import annotations

import copy

import pytest

from colmind.container import settings

META = {"docker": {"os_version": "24.04", "mounts": ["/a:/a"], "run": True, "build_env": {"A": "1"}},
        "variations": {"gpu": {"docker": {"all_gpus": "yes", "mounts": ["/a:/a", "/b:/b"], "build_env": {"B": "2"}}},
                       "size.#": {"docker": {"shm_size": "1g"}}}}


@pytest.mark.parametrize("flags, variations, key, expected", [
    ({}, [], "os_version", "24.04"),                                  # meta beats default
    ({"docker_os_version": "22.04"}, [], "os_version", "22.04"),        # CLI beats meta
    ({"docker": {"os_version": "20.04"}}, [], "os_version", "20.04"),   # --docker.os_version=...
    ({}, [], "os", "ubuntu"),                                         # default
    ({}, ["gpu"], "mounts", ["/a:/a", "/b:/b"]),                      # lists appended, unique
    ({}, ["gpu"], "all_gpus", True),                                  # "yes" -> True
    ({}, ["gpu"], "build_env", {"A": "1", "B": "2"}),                  # dicts merged
    ({}, ["size.8"], "shm_size", "1g"),                               # dynamic variation
    ({"docker_mounts": "/c:/c,/d:/d"}, [], "mounts", ["/c:/c", "/d:/d"]),
    ({"docker_rebuild": "no"}, [], "rebuild", False),
    ({"docker_split_mlc_run_cmd": "no"}, [], "split_run", False),     # upstream alias
    ({"docker_interactive": True}, [], "it", True),
    ({"docker_keep": True}, [], "keep", True),
])
def test_precedence(flags: dict, variations: list, key: str, expected: object) -> None:
    assert settings.resolve(flags, META, variations).values[key] == expected


def test_meta_is_never_mutated() -> None:
    before = copy.deepcopy(META)
    settings.resolve({"docker_mounts": ["/x:/x"]}, META, ["gpu", "size.8"])
    assert META == before


def test_unknown_and_ignored_flags_warn() -> None:
    warnings = settings.resolve({"docker_frobnicate": "1", "docker_cfg": "x", "docker_os": "debian"}, META, []).warnings
    assert any("unknown flag --docker_frobnicate" in w for w in warnings)
    assert any("--docker_cfg is ignored" in w for w in warnings)
    assert len(warnings) == 2


def test_help_lists_every_flag() -> None:
    text = settings.help_text()
    assert all(f"--docker_{f.key}:" in text for f in settings.FLAGS)
