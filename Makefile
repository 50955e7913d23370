# colmind: two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck venv clean bench docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,ml,playground,distributed,tune]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-cache --config pyproject.toml

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The demo keeps its CM_REPOS in .demo/ so a second `make demo` reuses every cached step. Its
# managed venv sees the packages already in .venv (COLMIND_VENV_SYSTEM_SITE_PACKAGES) instead of
# downloading them a second time; unset both variables to watch a from-scratch install.
demo: $(STAMP)
	COLMIND_DEMO_DIR=$(CURDIR)/.demo CM_REPOS=$(CURDIR)/.demo/CM \
	COLMIND_VENV_SYSTEM_SITE_PACKAGES=yes COLMIND_VENV_BASE_PYTHON=$(CURDIR)/$(BIN)/python \
	$(BIN)/python -m colmind.demo

# regenerate the built-in recipes' READMEs in the source tree (tests fail when one is stale)
docs: $(STAMP)
	PYTHONPATH=$(CURDIR)/src $(BIN)/python -m colmind.container.readmes

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
