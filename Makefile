# Maillage: `make run` to try the platform, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MAILLAGE_VAR_DIR ?= $(CURDIR)/var

.PHONY: run install migrate demo serve test lint test-sqlite test-postgres bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# `make run PORT=8001` serves on another port; the demo records the address (SITE_URL).
run: PORT ?= 8000
run: SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	MAILLAGE_DEMO=1 $(BIN)/maillage migrate --no-input -v0
	MAILLAGE_DEMO=1 $(BIN)/maillage load-geography
	MAILLAGE_DEMO=1 SITE_URL=$(SITE_URL) $(BIN)/maillage demo
	MAILLAGE_DEMO=1 SITE_URL=$(SITE_URL) $(BIN)/maillage serve --bind 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check maillage tests bench bin
	MAILLAGE_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run -v0

test: $(STAMP)
	bash bin/test

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
