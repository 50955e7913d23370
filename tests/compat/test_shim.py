"""Tests for colmind.compat.shim.recipe_imports: stand-ins inside, sys.modules restored exactly after."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading

import pytest

from colmind.compat import cmind_utils, mlc_utils
from colmind.compat.shim import recipe_imports

NAMES = ("cmind", "cmind.utils", "mlc", "mlc.utils", "utils")

CM_RECIPE = """
from cmind import utils
import cmind
import cmind.utils
import cmind as cm

def preprocess(i):
    return {'return': 0, 'utils': utils, 'version': cmind.__version__, 'same': cmind.utils is utils,
            'access': cm.access}
"""

MLC_RECIPE = """
from mlc import utils
import mlc
from mlc.utils import *
from utils import is_true

def preprocess(i):
    return {'return': 0, 'utils': utils, 'merge': merge_dicts, 'is_true': is_true, 'mlc': mlc}
"""


@pytest.fixture()
def clean_modules(monkeypatch):
    """Hide any real cmind/mlc/utils for the test and restore them afterwards."""
    for name in NAMES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield


def _load(tmp_path, text: str, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _real_importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("text, key, expected", [(CM_RECIPE, "utils", cmind_utils), (MLC_RECIPE, "utils", mlc_utils)])
def test_recipe_gets_compat_utils(tmp_path, clean_modules, text: str, key: str, expected) -> None:
    before = {n: sys.modules.get(n) for n in NAMES}
    with recipe_imports():
        recipe = _load(tmp_path, text, "customize_" + expected.__name__.rsplit(".", 1)[-1])
        r = recipe.preprocess({})
    assert r[key] is expected
    assert {n: sys.modules.get(n) for n in NAMES} == before
    if expected is cmind_utils:
        assert r["version"] == "4.2.0" and r["same"] is True
    else:
        assert r["merge"] is mlc_utils.merge_dicts and r["is_true"]("yes") is True


def test_outside_block_import_fails_without_real_package(clean_modules) -> None:
    if _real_importable("cmind") or _real_importable("mlc"):
        pytest.skip("a real cmind/mlcflow is installed in this environment")
    with recipe_imports():
        import cmind  # noqa: F401
    with pytest.raises(ImportError):
        importlib.import_module("cmind")
    with pytest.raises(ImportError):
        importlib.import_module("mlc.utils")


def test_real_package_is_never_shadowed(tmp_path, clean_modules, monkeypatch) -> None:
    real = tmp_path / "site" / "cmind"
    real.mkdir(parents=True)
    (real / "__init__.py").write_text("__version__ = 'real'\n")
    (real / "utils.py").write_text("REAL = True\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    importlib.invalidate_caches()
    with recipe_imports():
        import cmind
        assert cmind.__version__ == "4.2.0"
    import cmind as after
    assert after.__version__ == "real"
    import cmind.utils as real_utils
    assert real_utils.REAL is True
    with recipe_imports():
        from cmind import utils
        assert utils is cmind_utils
    assert sys.modules["cmind"] is after and sys.modules["cmind.utils"] is real_utils


def test_own_utils_module_wins(tmp_path, clean_modules, monkeypatch) -> None:
    (tmp_path / "utils.py").write_text("OWN = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    with recipe_imports():
        import utils
        assert utils.OWN == 1
    sys.modules.pop("utils", None)


def test_a_utils_module_appearing_later_is_still_never_shadowed(tmp_path, clean_modules, monkeypatch) -> None:
    """Whether a real ``utils`` is importable is remembered per search path state: a ``utils.py``
    created after a first lookup changes its folder's mtime, and the next block sees it."""
    from colmind.compat.shim import _real_utils_importable

    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("utils", None)
    importlib.invalidate_caches()
    assert _real_utils_importable() is False
    assert _real_utils_importable() is False  # remembered
    (tmp_path / "utils.py").write_text("LATE = 1\n")
    importlib.invalidate_caches()
    assert _real_utils_importable() is True
    with recipe_imports():
        import utils
        assert utils.LATE == 1
    sys.modules.pop("utils", None)


def test_nested_blocks_restore_only_at_outermost(clean_modules) -> None:
    with recipe_imports():
        import cmind
        with recipe_imports():
            import cmind as inner
            assert inner is cmind
        assert sys.modules["cmind"] is cmind
    assert "cmind" not in sys.modules


def test_access_forwards_or_reports(clean_modules, monkeypatch) -> None:
    import types

    fake_api = types.ModuleType("colmind.api")
    fake_api.access = lambda i: {"return": 0, "echo": i}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "colmind.api", fake_api)
    import colmind

    monkeypatch.setattr(colmind, "api", fake_api, raising=False)
    with recipe_imports():
        import cmind
        import mlc
        assert cmind.access({"action": "x"}) == {"return": 0, "echo": {"action": "x"}}
        assert mlc.access("y") == {"return": 0, "echo": "y"}


def test_threads_share_one_install(clean_modules) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(50):
                with recipe_imports():
                    from cmind import utils
                    assert utils is cmind_utils
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and "cmind" not in sys.modules


def test_overlapping_threads_keep_stand_ins_until_last_leaves(clean_modules) -> None:
    a_inside, b_inside, a_left = threading.Event(), threading.Event(), threading.Event()
    seen: list[object] = []

    def thread_b() -> None:
        a_inside.wait()
        with recipe_imports():
            b_inside.set()
            a_left.wait()
            seen.append(sys.modules.get("cmind.utils"))

    t = threading.Thread(target=thread_b)
    t.start()
    with recipe_imports():
        a_inside.set()
        assert b_inside.wait(5)
    a_left.set()
    t.join(5)
    assert seen == [cmind_utils] and "cmind" not in sys.modules
