# Territoire: `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed


.PHONY: demo test test-db install serve lint typecheck browser-test clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $$(scripts/find-python.sh) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## demo: install, build a fresh demo territory on SQLite and serve it on http://127.0.0.1:$(PORT)
demo: $(STAMP)
	$(BIN)/territoire demo --reset
	PORT=$(PORT) $(BIN)/territoire serve

## test: install and run the whole suite (SQLite unless DATABASE_URL is set; browser tests included)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/territoire makemigrations --check --dry-run
	$(BIN)/python -m pytest -q -n auto -m "not browser"
	$(BIN)/python -m pytest -q -m browser

## test-db: the suite without browser tests (CI runs it with DATABASE_URL=postgres://…)
test-db: $(STAMP)
	$(BIN)/python -m pytest -q -n auto -m "not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy territoire

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles
