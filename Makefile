# shopadmin: the two commands of the README's quick start are `make run` and `make test`.
# Everything else here is what they call. Python 3.11+ and the system's PostgreSQL and
# Redis are used by the tests (see README "Tests").

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck pytest i18n browser-deps clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Catalogs are compiled on every install (and by setup.py's build step): .mo files are never committed.
install: $(STAMP)
	$(BIN)/python -c 'import setup; setup.compile_catalogs()'

# The embedded default: SQLite in instance/, jobs inline, demo data, http://127.0.0.1:$(PORT)/admin/
run: install
	$(BIN)/shopadmin db upgrade
	$(BIN)/shopadmin demo
	$(BIN)/shopadmin run --host 127.0.0.1 --port $(PORT)

# Lint, type check, then the whole suite on PostgreSQL + Redis (+ Chromium for the screens).
test: install browser-deps lint typecheck pytest

lint: install
	$(BIN)/ruff check shopadmin tests bench setup.py
	$(BIN)/ruff format --check shopadmin/core

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

# Debian's chromium for the browser tests (Playwright drives it; never `playwright install`).
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	  else echo "Install Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# Extract marked strings and update the de/fr catalogs; then translate the new entries.
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o shopadmin/translations/messages.pot .
	$(BIN)/pybabel update -i shopadmin/translations/messages.pot -d shopadmin/translations --no-fuzzy-matching
	$(BIN)/python -c 'import setup; setup.compile_catalogs()'

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache test-artifacts
