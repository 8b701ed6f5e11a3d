# Two commands from a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run code test lint format assets assets-check screenshots bench loadtest faulttest clean

# The venv is rebuilt only when pyproject.toml changes, so a second `make run` starts in seconds.
# A venv without a working pip (`python3 -m venv` failed part-way, as it does without Debian's
# python3-venv, or its Python has since been removed) is made again, not used.
$(STAMP): pyproject.toml
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	@touch $@

run: $(STAMP)  ## Install, migrate, load demo data and serve on http://127.0.0.1:8000
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py createcachetable
	@# The demo cases email the demo DSLs and hub; keep those emails out of the sign-ins printed here.
	DEBUG=$${DEBUG:-true} EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

code: $(STAMP)  ## The current second-step code of a demo user: make code EMAIL=dsl@leabank.example
	@DEBUG=true $(BIN)/python manage.py totp_code $(EMAIL)

# axe-core, which the browser tests check every page with, comes from npm; without npm the
# browser tests are skipped and say so.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests will be skipped (they need axe-core)"; fi

test: $(STAMP) node_modules/.package-lock.json  ## Run the whole suite (SQLite, or DATABASE_URL when set)
	$(BIN)/pytest $(PYTEST_ARGS)

APPS := safeguarding schools concerns advice workflow audit reports

lint: $(STAMP)  ## ruff, formatting, missing migrations, and bandit (no medium or high findings)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/bandit --quiet --recursive $(APPS) --exclude '*/migrations/*' --severity-level medium

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

assets:  ## Rebuild static/ from GOV.UK Frontend (needs Node and npm)
	npm ci --no-audit --no-fund
	npm run build

assets-check: assets  ## Fail if the committed static/ differs from a fresh build
	@git diff --exit-code --stat -- static/ || (echo "static/ is out of date: run 'make assets' and commit it." && exit 1)

# Not part of `make test`: pytest collects only test_*.py, so the suite never writes these.
screenshots: $(STAMP)  ## Save PNGs of the main pages at 1280 and 390 pixels in docs/screenshots/
	REQUIRE_BROWSER_TESTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/browser/screenshots.py

# Performance (docs/scaling.md). Not part of the suite; each runs on demand, on this machine.
bench: $(STAMP)  ## Time the key pages against a static page of the same size (DATABASE_URL's set, else a throwaway ci set)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

loadtest: $(STAMP)  ## 60 s of locust against gunicorn and a copy of sg_scale, on loopback
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# Stops this machine's PostgreSQL for 10 s: other people's test runs fail meanwhile. The trap
# starts it again whatever happens to the script.
faulttest: $(STAMP)  ## The load test with PostgreSQL stopped for 10 s and a gunicorn worker killed
	trap 'pg_isready -h 127.0.0.1 -q || pg_ctlcluster --skip-systemctl-redirect 15 main start' EXIT; \
	$(BIN)/python -m bench.load --faults $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
