# The two commands every newcomer needs: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install demo test lint format bench-analysis bench-submit i18n-extract i18n-compile clean

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# The printed posters and the links shown follow the address the demo is served on.
demo: export SURVEY_BASE_URL ?= http://$(HOST):$(PORT)
demo: $(STAMP)
	$(BIN)/survey db upgrade
	$(BIN)/survey demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/survey run --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-analysis: $(STAMP)
	$(BIN)/python bench/analysis.py

# Needs wrk (Debian package) and a PostgreSQL server (BENCH_POSTGRES_URL, default local).
bench-submit: $(STAMP)
	$(BIN)/python bench/submit.py

i18n-extract: $(STAMP)
	scripts/i18n.sh extract

i18n-compile: $(STAMP)
	scripts/i18n.sh compile

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache
