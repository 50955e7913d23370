"""``cm doc script``: READMEs generated from recipe metas."""

from __future__ import annotations

from pathlib import Path

from colmind.testing import run_cli


def test_doc_print_renders_builtin_recipe() -> None:
    result = run_cli("doc", "script", "print-hello-world", "--print")
    assert result.code == 0, result.stderr
    assert "# print-hello-world" in result.stdout
    assert "cm run script --tags=print,hello-world" in result.stdout
    assert "`_text.#`" in result.stdout


def test_doc_writes_readme_with_repo_relative_path(tmp_path: Path) -> None:
    repo = tmp_path / "myrepo"
    assert run_cli("init", "repo", "myrepo", f"--path={repo}").code == 0
    assert run_cli("add", "script", "myrepo:my-recipe", "--tags=my,recipe").code == 0
    result = run_cli("doc", "script", "my-recipe")
    assert result.code == 0, result.stderr
    text = (repo / "script" / "my-recipe" / "README.md").read_text()
    assert "* Path: `script/my-recipe`" in text
    assert str(tmp_path) not in text


def test_doc_unknown_recipe_is_not_found() -> None:
    result = run_cli("doc", "script", "no-such-recipe-anywhere")
    assert result.code == 16
    assert "CM error:" in result.stderr
