# The archive's everyday commands. `make demo` and `make test` work on a fresh machine:
# they create the virtualenv and, without DATABASE_URL, start an embedded PostgreSQL, stopped again at the end.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1000000
BACKUP ?= backups/archive.dump

.PHONY: install browser wrk demo serve stop test test-fast lint format migrations-check messages bench backup restore clean-db screenshots replica replica-stop

# Without DATABASE_URL, the recipes that use the database start the embedded PostgreSQL (data in
# .pgdata/). Each stops it again when it ends, Ctrl-C included, unless it was running already when
# the recipe began (another `make demo` is using it). The stop runs without Django's settings.
WITH_EMBEDDED_DB = if [ -z "$$DATABASE_URL" ] && ! $(PY) -m archive.db running; then \
	  trap '$(PY) -m archive.db stop' EXIT; trap 'exit 130' INT TERM; fi

install: $(VENV)/.installed

# The basemap's borders (Natural Earth, in the npm package pinned by basemap/package-lock.json)
# are read from basemap/node_modules by the app; no install script of the package runs.
$(VENV)/.installed: requirements.txt requirements-dev.txt basemap/package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	cd basemap && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the browser tests (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package to run the browser tests."; fi; }

demo: install
	@$(WITH_EMBEDDED_DB); set -ex; \
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input; \
	DJANGO_DEBUG=1 $(PY) manage.py load_demo; \
	DJANGO_DEBUG=1 $(PY) manage.py create_demo_users; \
	echo "Serving on http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/)"; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The app on the data already there: migrations applied, the demo data not loaded again.
serve: install
	@$(WITH_EMBEDDED_DB); set -ex; \
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The README's screenshots (docs/screenshots/*.png) from the demo data, in Debian's chromium. The script
# loads the demo into DATABASE_URL's database (or the embedded one, stopped again if it started it).
screenshots: install browser
	$(PY) scripts/screenshots.py

# Stops the embedded PostgreSQL of this checkout if it is running.
stop:
	$(PY) -m archive.db stop

# Stops the embedded PostgreSQL and deletes its data: the next `make demo` starts from nothing.
clean-db: stop
	rm -rf .pgdata

test: install browser
	@$(WITH_EMBEDDED_DB); set -x; \
	DJANGO_SECRET_KEY=test-only-secret $(BIN)/pytest --create-db $(PYTEST_ARGS)

# The test suite without the browser tests.
test-fast: install
	@$(WITH_EMBEDDED_DB); set -x; \
	DJANGO_SECRET_KEY=test-only-secret $(BIN)/pytest --create-db -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	@$(WITH_EMBEDDED_DB); set -x; \
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# The French and Arabic catalogs (locale/): every string marked for translation gathered, then
# compiled. Both the .po and the .mo files are committed; tests/test_catalogs.py fails on a
# string left untranslated.
MESSAGES_IGNORE = -i .venv -i basemap -i bench -i tests -i scripts -i staticfiles -i .pgdata -i docs
messages: install
	@$(WITH_EMBEDDED_DB); set -x; \
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l fr -l ar --no-obsolete $(MESSAGES_IGNORE); \
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l fr -l ar $(MESSAGES_IGNORE)

# A streaming replica of the PostgreSQL server at 127.0.0.1:5432 on 127.0.0.1:5433, in a temporary
# directory, and its removal (scripts/replica; docs/deploy.md). Reads go to it with
# DATABASE_REPLICA_URLS=postgresql://postgres@127.0.0.1:5433/<the primary's database>.
replica:
	scripts/replica start

replica-stop:
	scripts/replica stop

# Debian's wrk drives the benchmark's gunicorn.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Install Debian's wrk package to run the benchmark."; fi; }

bench: install wrk
	DJANGO_SECRET_KEY=bench-only-secret $(PY) -m bench --scale $(SCALE) $(BENCH_ARGS)

backup: install
	mkdir -p $(dir $(BACKUP))
	@$(WITH_EMBEDDED_DB); set -x; \
	DJANGO_DEBUG=1 $(PY) manage.py backup --out $(BACKUP)

restore: install
	@$(WITH_EMBEDDED_DB); set -x; \
	DJANGO_DEBUG=1 $(PY) manage.py restore --file $(BACKUP)
