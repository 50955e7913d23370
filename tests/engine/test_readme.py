"""Table tests for colmind.engine.readme.render_script_readme (CM _cm.yaml and MLC meta.yaml dicts)."""

from __future__ import annotations

import pytest

from colmind.engine.readme import render_script_readme

CM_META = {
    "alias": "get-python3", "uid": "d0b5dd74373f4a62", "automation_alias": "script", "category": "Python",
    "name": "Detect or install Python", "cache": True, "tags": ["get", "python", "python3"],
    "default_version": "3.11.7", "versions": {"3.10.0": {}, "3.11.7": {"env": {"X": "1"}}},
    "input_mapping": {"path": "CM_PYTHON_PATH", "quiet": "CM_QUIET"},
    "input_description": {"path": {"desc": "Path | to python", "default": "/usr/bin"}, "extra": "free text"},
    "new_env_keys": ["CM_PYTHON_*", "+PATH"], "new_state_keys": ["python_info"],
    "deps": [{"tags": "detect,os"},
             {"tags": "get,sys-utils-cm", "names": ["sys-utils"], "skip_if_env": {"CM_SKIP": ["yes"]},
              "version_min": "1.0"}],
    "post_deps": [{"tags": "get,pip", "enable_if_any_env": {"CM_PIP": ["on"]}, "dynamic": True,
                   "skip_if_fake_run": True}],
    "variations": {"conda.#": {"env": {"CM_CONDA": "#"}, "group": "source"},
                   "shared": {"group": "kind", "default": True, "env": {"CM_SHARED": "yes"}},
                   "static": {"group": "kind", "base": ["shared"]},
                   "lto": {"alias": "static"}},
}

MLC_META = {
    "alias": "detect-os", "uid": "863735b7db8c44fc", "tags": "detect-os,detect,os,info",
    "cache": False, "can_force_cache": True,
    "new_env_keys": ["MLC_HOST_OS_*"], "cache_expiration": "1h",
}


@pytest.mark.parametrize("meta, path, expected", [
    (CM_META, "/r/script/get-python3", [
        "# get-python3\n\nDetect or install Python\n",
        "* UID: `d0b5dd74373f4a62`", "* Tags: `get,python,python3`", "* Path: `/r/script/get-python3`",
        "cm run script --tags=get,python,python3\n",
        "# variation group kind\ncm run script --tags=get,python,python3,_shared\n"
        "cm run script --tags=get,python,python3,_static\n",
        "cm run script --tags=get,python,python3,_conda.<value>",
        "| variation | group | default | base | env |",
        "| `_shared` | kind | yes |  | `CM_SHARED=yes` |",
        "| `_static` | kind |  | shared |  |",
        "| `_lto` |  |  | alias of static |  |",
        "| `_conda.#` | source |  |  | `CM_CONDA=#` |",
        "| `--path` | `CM_PYTHON_PATH` | Path \\| to python | /usr/bin |  |",
        "| `--quiet` | `CM_QUIET` |  |  |  |",
        "| `--extra` |  | free text |  |  |",
        "* `CM_PYTHON_*`", "* `+PATH`", "* `python_info`",
        "### `deps` (before preprocess)\n\n* `detect,os`\n"
        "* `get,sys-utils-cm` (names: `sys-utils`) — version_min=1.0; skip_if_env: `CM_SKIP` in [yes]",
        "### `post_deps` (after postprocess)\n\n* `get,pip` — enable_if_any_env: `CM_PIP` in [on]; "
        "skipped on a fake run; dynamic (re-run on a cache hit)",
        "are cached", "`--new`", "`--renew`",
        "Default version: `3.11.7`", "Known versions: `3.10.0`, `3.11.7`.",
    ]),
    (MLC_META, "/m/script/detect-os", [
        "# detect-os\n", "* Tags: `detect-os,detect,os,info`",
        "```bash\ncm run script --tags=detect-os,detect,os,info\n",
        "* `MLC_HOST_OS_*`", "## Dependencies\n\nNone.", "Not cached: the script runs every time.",
        "force_cache: true",
    ]),
    ({"tags": ["t"]}, "/x/script/bare", [
        "# bare\n", "cm run script --tags=t\n", "This script exports no env or state keys.", "Not cached",
    ]),
])
def test_render_contains(meta: dict, path: str, expected: list[str]) -> None:
    text = render_script_readme(meta, path)
    missing = [e for e in expected if e not in text]
    assert missing == []


@pytest.mark.parametrize("meta, absent", [
    (MLC_META, ["## Variations", "## Inputs", "## Versions", "--new"]),
    ({"tags": ["t"]}, ["## Variations", "## Inputs", "## Versions", "variation group"]),
    (CM_META, ["Not cached"]),
])
def test_render_omits_empty_sections(meta: dict, absent: list[str]) -> None:
    text = render_script_readme(meta, "/p")
    assert [a for a in absent if a in text] == []


def test_render_is_pure_and_ends_with_newline() -> None:
    import copy

    before = copy.deepcopy(CM_META)
    first = render_script_readme(CM_META, "/p")
    assert render_script_readme(CM_META, "/p") == first
    assert CM_META == before
    assert first.endswith("\n") and not first.endswith("\n\n")
