# One target per thing a person does. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo portal's address, which is also its LTI issuer; the Panopto stand-in is served by the
# same server and reached as localhost on the same port (a different site, as real Panopto is).
DEMO_URL ?= http://127.0.0.1:$(PORT)

.PHONY: demo demo-check test test-fast test-postgres lint format messages screenshots bench clean browsers gettext https-tools node xmlsec

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $@

## Set up and start the demo: SQLite, migrated, seeded, with the built-in Panopto stand-in
## registered for this port (`make demo PORT=8010` moves both), and the background jobs' worker
## beside the server (taking Panopto access back, issue 24). Ctrl+C stops both.
demo: $(VENV)/.installed xmlsec
	$(BIN)/python manage.py migrate --noinput
	LTI_ISSUER=$(DEMO_URL) $(BIN)/python manage.py seed_demo
	@echo "Starting the background jobs' worker beside the server (Ctrl+C stops both)."
	@LTI_ISSUER=$(DEMO_URL) $(BIN)/python manage.py panopto_worker --no-reload --interval 1 \
		--no-startup-delay --verbosity 1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 0' INT TERM; \
	LTI_ISSUER=$(DEMO_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## The demo's self-test (README step 7), against the demo's own port: `make demo-check PORT=8010`
## when the demo was started with PORT=8010.
demo-check: $(VENV)/.installed
	LTI_ISSUER=$(DEMO_URL) $(BIN)/python manage.py panopto_check --language en

## Install what the tests need (Python packages, Debian's Chromium, axe-core from npm) and run
## the whole suite.
test: $(VENV)/.installed-dev browsers gettext xmlsec node_modules/.installed
	$(BIN)/pytest

## The quick tier while working: no browser, no servers or processes, no fuzzing, no database
## rebuilds, over every core (84 s of CPU for 1,042 tests); `make test` stays the whole suite.
test-fast: $(VENV)/.installed-dev gettext xmlsec
	$(BIN)/pytest -q -n auto -m "not browser and not slow" --ignore=tests/fuzz \
		--ignore=tests/deploy --ignore=tests/faults -p no:cacheprovider

## The same suite against PostgreSQL and Redis (started by .ci/run when they are not running).
## It also runs the production-shaped HTTPS test (tests/deploy/), which needs `https-tools`.
test-postgres: $(VENV)/.installed-dev browsers gettext xmlsec https-tools node_modules/.installed
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test CACHE_URL=redis://127.0.0.1:6379/15 \
		$(BIN)/pytest

# axe-core, which the browser tests inject into every page (tests/browser/test_accessibility.py):
# the version package-lock.json pins, from the npm registry, never fetched at run time.
node:
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian's npm for the accessibility tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }

node_modules/.installed: package.json package-lock.json | node
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

browsers:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx, certutil (libnss3-tools) and nss_wrapper for tests/deploy/: the test runs its
# own nginx with its own configuration in a temporary folder, never the system service; certutil
# makes Chromium's certificate store trust the test's certificate authority, and nss_wrapper
# resolves the test's host names for the app servers as --host-resolver-rules does for Chromium;
# curl is what the systemd unit waits for readiness with.
HTTPS_TOOLS := nginx libnss3-tools libnss-wrapper curl
https-tools:
	@dpkg -s $(HTTPS_TOOLS) >/dev/null 2>&1 || { \
		echo "Installing Debian's $(HTTPS_TOOLS) for the HTTPS test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(HTTPS_TOOLS) >/dev/null; }

# Debian's xmlsec1: pysaml2 signs and checks the eduID sign-in's SAML messages with it
# (portal/eduid/, docs/decisions/0023).
xmlsec:
	@command -v xmlsec1 >/dev/null 2>&1 || { \
		echo "Installing Debian's xmlsec1 for the eduID sign-in (SAML signatures)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null; }

# GNU gettext: `make messages` and the catalogue tests (tests/portal/test_translations.py) use it.
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
		echo "Installing GNU gettext for the translation catalogues"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }

## Style, the layers' import contracts and the type checks (docs/decisions/0007).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the Hungarian and English catalogues in locale/ and compile them.
messages: $(VENV)/.installed-dev gettext
	$(BIN)/python manage.py makemessages --locale hu --locale en --ignore '.venv/*' --ignore 'bench/*' --ignore 'node_modules/*' --no-location --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

## Retake the README's screenshots (docs/screenshots/) with the browser tests' code.
screenshots: $(VENV)/.installed-dev browsers
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/browser -k screenshot

## The benchmark (not part of the tests): installs wrk (and PostgreSQL, Redis) from Debian when
## missing, seeds a large institute once, loads gunicorn with wrk, then runs the capacity test of
## the lecture-hour rush with locust; writes bench/results/<date>.* and <date>-capacity.*
## BENCH_ARGS go to `python -m bench.run` (see its --help), e.g. "--duration 20 --repeat 5";
## "--capacity-only" runs the capacity test alone, "--no-capacity" the ratios alone.
BENCH_ARGS ?= --profile
bench: $(VENV)/.installed-dev
	bench/services
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache .ruff_cache
