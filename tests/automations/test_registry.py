"""Loading ``module.py`` of repository automations: without the compat shim when the module only
needs ``cmind.automation``, under the full shim as soon as it imports more of ``cmind``/``mlc``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from colmind.automations import registry
from colmind.automations.base import Automation
from colmind.errors import CMError

HEADER = "from cmind.automation import Automation\n"
CLASS = '''

class CAutomation(Automation):
    def __init__(self, cmind, automation_file):
        super().__init__(cmind, __file__)
'''

NEEDS_SHIM = [
    ("from cmind import utils\nVALUE = len(utils.gen_uid()['uid'])\n", 16),
    ("import cmind\nVALUE = cmind.__version__\n", "4.2.0"),
    ("import cmind.utils\nVALUE = callable(cmind.utils.gen_uid)\n", True),
    ("try:\n    from cmind import utils\nexcept Exception:\n    utils = None\nVALUE = utils is not None\n", True),
    ("from mlc import utils\nVALUE = utils.compare_versions('1.2', '1.10')\n", -1),
]


@contextmanager
def _counting_shim(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count entries into the full shim (``colmind.compat_loader.cm_imports``)."""
    from colmind import compat_loader

    calls: list[int] = []
    real = compat_loader.cm_imports

    @contextmanager
    def counted() -> Iterator[None]:
        calls.append(1)
        with real():
            yield

    monkeypatch.setattr(compat_loader, "cm_imports", counted)
    yield calls


def _load(tmp_path: Path, source: str) -> object:
    path = tmp_path / "module.py"
    path.write_text(source)
    return registry.load_module_file(str(path), f"colmind_test_automation_{tmp_path.name}")


def _no_leftovers() -> None:
    for name in ("cmind", "cmind.utils", "cmind.automation", "mlc", "mlc.utils", "mlc.automation"):
        assert name not in sys.modules, name
    assert not any(type(f).__name__ == "_AutomationImports" for f in sys.meta_path)


@pytest.mark.parametrize("header", [HEADER, "from mlc.automation import Automation\n"])
def test_module_needing_only_the_base_class_skips_the_shim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           header: str) -> None:
    with _counting_shim(monkeypatch) as calls:
        module = _load(tmp_path, header + "import os\n" + CLASS)
    assert calls == []
    assert issubclass(module.CAutomation, Automation)  # type: ignore[attr-defined]
    _no_leftovers()


@pytest.mark.parametrize(("body", "value"), NEEDS_SHIM, ids=[b.splitlines()[0] for b, _ in NEEDS_SHIM])
def test_module_importing_more_of_cmind_gets_the_full_shim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           body: str, value: object) -> None:
    with _counting_shim(monkeypatch) as calls:
        module = _load(tmp_path, HEADER + body + CLASS)
    assert calls == [1]
    assert module.VALUE == value  # type: ignore[attr-defined]
    assert issubclass(module.CAutomation, Automation)  # type: ignore[attr-defined]
    _no_leftovers()


def test_errors_name_the_file_and_line_on_both_paths(tmp_path: Path) -> None:
    with pytest.raises(CMError, match=r"module\.py, line 2\): ZeroDivisionError"):
        _load(tmp_path, HEADER + "1 / 0\n")
    with pytest.raises(CMError, match=r"module\.py, line 3\): ZeroDivisionError"):
        _load(tmp_path, HEADER + "from cmind import utils\n1 / 0\n")
    _no_leftovers()


def test_a_stand_in_already_installed_uses_the_full_shim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from colmind.compat.shim import recipe_imports

    with _counting_shim(monkeypatch) as calls, recipe_imports():
        module = _load(tmp_path, HEADER + CLASS)
    assert calls == [1] and issubclass(module.CAutomation, Automation)  # type: ignore[attr-defined]
    _no_leftovers()


@pytest.mark.parametrize("source, light", [
    ("from cmind.automation import Automation\n", True),
    ("from mlc.automation import Automation\nimport os\n", True),
    ("from cmind.automation import Automation\nfrom cmind import utils\n", False),
    ("import cmind\n", False),
    ("    from utils import x\n", False),
    ("import os, cmind.utils as u\n", False),
    ("import importlib\nm = importlib.import_module('cmind')\n", False),
    ("x = 1\n", True),
])
def test_light_load_is_decided_from_the_import_lines(tmp_path: Path, source: str, light: bool) -> None:
    from colmind.automations.registry import _imports_only_automation

    module = tmp_path / "module.py"
    module.write_text(source)
    assert _imports_only_automation(str(module)) is light
