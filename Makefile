# protocol-monitor: `make run` to try it, `make test` to test it. Both install what they need.
# .venv is built with Python 3.12 or later when one is installed and runs (Python 3.11.7 crashed
# web workers under load: docs/decisions/0005-python-3-12-chosen-by-make.md), else python3.
# Override: make PYTHON=/path/to/python. A .venv made by another minor version is rebuilt.
PYTHON ?= $(shell sh scripts/choose-python.sh)
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install translations run test test-sqlite test-postgres lint format serve clean

# Python writes its compiled modules (__pycache__, ignored by git), and pytest its rewritten test
# modules, even where the environment says not to: without them every process of a test run (the
# workers, each command and server a test starts) compiles all it imports again, a third of its
# start-up, and each worker rewrites every test module's asserts again.
unexport PYTHONDONTWRITEBYTECODE

# The venv's own pip installs uv (into the venv), and uv the project from pyproject.toml: a fifth
# of pip's CPU for the same packages. Neither compiles every module up front: the first process
# to import one writes its compiled form (see PYTHONDONTWRITEBYTECODE above).
$(BIN)/.installed: pyproject.toml $(BIN)/.python-$(PYTHON_VERSION)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@

$(BIN)/.python-$(PYTHON_VERSION):
	@if [ -x $(BIN)/python ] && [ "$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$(PYTHON_VERSION)" ]; then \
		echo "Rebuilding $(VENV) with $(PYTHON) (Python $(PYTHON_VERSION))"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The Welsh catalogue, compiled for the app to read (the .mo is built here, never committed).
TRANSLATIONS := protocol_monitor/translations
CATALOGUE := $(TRANSLATIONS)/cy/LC_MESSAGES/messages.po
$(CATALOGUE:.po=.mo): $(CATALOGUE) $(BIN)/.installed
	$(BIN)/pybabel compile --domain messages --directory $(TRANSLATIONS) --locale cy 2>&1 | grep -v '^compiling' || true
	test -f $@

install: $(BIN)/.installed node_modules/.installed $(CATALOGUE:.po=.mo)

## translations: after adding or changing a message: put new messages in the Welsh catalogue to be
## translated and take out those no longer used (docs/development.md, "Welsh"); then translate
## the empty ones in $(CATALOGUE). tests/unit/test_welsh_catalogue.py fails until both are done.
translations: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --keyword N_ --keyword _l --keyword lazy_gettext \
		--no-location --sort-output --omit-header --output-file $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --input-file $(TRANSLATIONS)/messages.pot --output-dir $(TRANSLATIONS) \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 76
	rm $(TRANSLATIONS)/messages.pot

## run: install, migrate the SQLite database in instance/, load the demo once, serve on 127.0.0.1:5000
run: install
	BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/protocol-monitor setup --demo
	BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/protocol-monitor serve-dev --host $(HOST) --port $(PORT)

## serve: the production shape: migrate, then gunicorn (WEB_CONCURRENCY workers, default 4) and
## the scheduler, supervised together. Needs DATABASE_URL (PostgreSQL) and SECRET_KEY.
serve: install
	$(BIN)/protocol-monitor serve

## test: lint, then the whole suite on SQLite, browser journeys included, and on PostgreSQL when
## TEST_DATABASE_URL is set: every test that reaches the database (marked `database`) but the
## browser journeys, which run once, on SQLite; tests that never see the database run once too.
## Tests run in parallel (pytest-xdist, one worker per core, at most 4): PYTEST_WORKERS=0 turns it
## off, PYTEST_WORKERS=N sets the number. Hypothesis runs its "ci" profile;
## HYPOTHESIS_PROFILE=thorough tries many more examples.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) $(if $(filter auto,$(PYTEST_WORKERS)),--maxprocesses=4)

test: install lint test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL run skipped: set TEST_DATABASE_URL=postgresql://USER@HOST/DB to include it"; fi

test-sqlite: install
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_PARALLEL)

test-postgres: install
	@test -n "$$TEST_DATABASE_URL" || (echo "set TEST_DATABASE_URL" && false)
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "database and not browser"

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache
