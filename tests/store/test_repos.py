"""The repository registry: ``repos.json`` and the cache of parsed repository metas."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from colmind.errors import BadFile
from colmind.store import repos
from colmind.store.repos import Registry


def _age(*paths: Path, seconds: float = 60) -> None:
    """Make files look edited long ago (the cache ignores files modified in the last 2 s)."""
    old = time.time() - seconds
    for path in paths:
        os.utime(path, (old, old))


@pytest.fixture
def registry(cm_home: Path) -> Registry:
    reg = Registry(cm_home)
    reg.ensure_layout()
    _age(cm_home / "repos" / "local" / "cmr.yaml")
    return reg


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = repos.load_repo

    def counting(path: str) -> object:
        parsed.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(repos, "load_repo", counting)
    return parsed


def test_paths_are_strings_spelled_like_pathlib(cm_home: Path) -> None:
    for given in (cm_home, str(cm_home) + "/", str(cm_home).replace("/CM", "//./CM")):
        reg = Registry(given)
        assert reg.repos_path == str(cm_home) and reg.file == str(cm_home / "repos.json")
        assert reg.local_path == str(cm_home / "repos" / "local")


def test_warm_load_reads_metas_from_the_cache(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    first = registry.load()
    parsed = _count_parses(monkeypatch)
    again = Registry(registry.repos_path).load()
    assert parsed == [] and again == first and [r.meta for r in again] == [r.meta for r in first]


def test_edited_meta_is_read_again(registry: Registry, cm_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry.load()
    meta = cm_home / "repos" / "local" / "cmr.yaml"
    meta.write_text(meta.read_text() + "desc: edited\n")
    _age(meta, seconds=30)
    parsed = _count_parses(monkeypatch)
    local = Registry(cm_home).load()[0]
    assert parsed == ["local"] and local.meta["desc"] == "edited"


def test_recently_modified_meta_is_not_cached(registry: Registry, cm_home: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    os.utime(cm_home / "repos" / "local" / "cmr.yaml")  # now: it could change again in the same tick
    registry.load()
    parsed = _count_parses(monkeypatch)
    Registry(cm_home).load()
    Registry(cm_home).load()
    assert parsed == ["local", "local"]


@pytest.mark.parametrize("content", [b"", b"garbage\x00\xff", b"\xe9", None])
def test_broken_or_foreign_cache_is_rebuilt(registry: Registry, monkeypatch: pytest.MonkeyPatch,
                                            content: bytes | None) -> None:
    import marshal

    registry.load()
    cache = Path(registry.repos_path) / ".colmind" / repos._META_CACHE_NAME
    cache.write_bytes(marshal.dumps(("colmind-repo-metas/0", {})) if content is None else content)
    parsed = _count_parses(monkeypatch)
    assert [r.alias for r in Registry(registry.repos_path).load()] == ["local", "internal"]
    assert sorted(parsed) == ["local", "repo"]
    parsed.clear()
    Registry(registry.repos_path).load()
    assert parsed == []


def test_meta_marshal_cannot_hold_is_read_every_time(registry: Registry, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "dated"
    other.mkdir()
    (other / "cmr.yaml").write_text("alias: dated\nuid: 1234567890abcdef\nreleased: 2024-01-02\n")
    _age(other / "cmr.yaml")
    registry.add_path(str(other))
    registry.load()
    parsed = _count_parses(monkeypatch)
    loaded = Registry(registry.repos_path).load()
    assert parsed == ["dated"] and str(loaded[-1].meta["released"]) == "2024-01-02"


@pytest.mark.parametrize(("text", "problem"), [
    ("[1", "Expecting ',' delimiter: line 1 column 3 (char 2)"),
    ("\ufeff[]", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"),
    ('["a"] x', "Extra data: line 1 column 7 (char 6)"),
])
def test_malformed_repos_json_names_the_file(registry: Registry, text: str, problem: str) -> None:
    Path(registry.file).write_text(text, encoding="utf-8")
    with pytest.raises(BadFile) as exc:
        registry.read_paths()
    assert exc.value.message == f"detected problem in {registry.file}: {problem} (fix or delete the file)"


def test_repos_json_must_list_paths(registry: Registry) -> None:
    Path(registry.file).write_text('{"a": 1}')
    with pytest.raises(BadFile, match="expected a JSON list of repository paths"):
        registry.read_paths()
    Path(registry.file).write_text("  \n")
    assert registry.read_paths() == []
