"""Community recipes assume the Python packages that cmind and mlcflow install with themselves.

cm4mlops' ``utils`` automation imports ``requests`` in ``download_file`` (the ``download-file``
recipe's default tool calls it), and some ``customize.py`` files import ``tabulate``,
``giturlparse`` or ``yaml``. colmind runs those files in its own interpreter, so these packages
are colmind dependencies (docs/compatibility.md, E30). colmind's own code never imports them on
the command path (``BUDGET`` in ``tests/engine/test_run_freshness.py``).
"""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

import colmind


@pytest.mark.parametrize("module", ["yaml", "requests", "tabulate", "giturlparse"])
def test_what_cmind_and_mlcflow_bring_along_is_importable(module: str) -> None:
    importlib.import_module(module)


def test_a_recipe_whose_customize_imports_them_runs(tmp_path: Path) -> None:
    repo = tmp_path / "env-repo"
    folder = repo / "script" / "uses-deps"
    folder.mkdir(parents=True)
    (repo / "cmr.yaml").write_text("alias: env-repo\nuid: 'e0e0e0e0e0e0e0e1'\ngit: false\n")
    (folder / "_cm.yaml").write_text("alias: uses-deps\nuid: 'e0e0e0e0e0e0e0e2'\nautomation_alias: script\n"
                                     "automation_uid: 5b4e0237da074764\ntags: [uses, deps]\n"
                                     "new_env_keys: [ENV_TABLE]\n")
    (folder / "customize.py").write_text(textwrap.dedent("""\
        import requests
        from giturlparse import parse
        from tabulate import tabulate

        def preprocess(i):
            repo = parse("https://github.com/mlcommons/ck.git")
            i["env"]["ENV_TABLE"] = tabulate([[repo.owner, repo.repo]], tablefmt="plain") + \\
                " " + requests.__name__
            return {"return": 0}
        """))
    assert colmind.access(f"import repo --path={repo}")["return"] == 0
    r = colmind.access({"action": "run", "automation": "script", "tags": "uses,deps", "quiet": True})
    assert r["return"] == 0, r
    assert r["new_env"]["ENV_TABLE"].split() == ["mlcommons", "ck", "requests"]
