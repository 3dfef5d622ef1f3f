# goldkit — two commands on a fresh machine: `make demo` and `make test`.
# Everything they need is installed here: goldkit's venv (.venv), Label Studio in its own venv
# (.goldkit/ls-venv, via `goldkit server install`), Debian's chromium for the browser tests and Debian's
# postgresql for the tests that run Label Studio on PostgreSQL.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# conversion and validation compiled with mypyc (goldkit falls back to the pure-Python source when absent or stale)
COMPILED := tools/goldkit/_compiled/manifest.json
PURE_TESTS := tests/labelstudio/test_convert.py tests/schema/test_validate.py tests/schema/test_records.py tests/schema/test_fastcheck.py
COMPILED_SRC := $(shell find tools/goldkit -name '*.py' -not -path '*/_compiled/*')

.PHONY: help install compiled browser postgres server-install test test-runs test-unit check lint typecheck architecture demo clean-state

help:
	@echo "make demo   run the whole pipeline on the embedded Label Studio"
	@echo "make test   install everything needed and run the whole test suite"
	@echo "make check  lint (ruff), types (mypy), architecture (import-linter) and tests"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install --python $(BIN)/python -q -e '.[dev]'
	@touch $@

install: $(STAMP) $(COMPILED)

$(COMPILED): $(STAMP) $(COMPILED_SRC)
	@$(BIN)/python -c 'import sys; from goldkit.compiled import main; sys.exit(main())' \
	  || echo "(goldkit runs its pure-Python modules: slower, same results)"

compiled: $(COMPILED)

# Debian's chromium (Playwright's own browser download does not work here).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian's chromium (browser tests)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core) >/dev/null; \
	else echo "chromium missing: run 'sudo apt-get install chromium' for the browser tests"; fi

# Debian's PostgreSQL (`goldkit server start --database postgresql` runs its initdb/pg_ctl as goldkit-pg).
# Debian also creates a cluster of its own (15/main, port 5432); goldkit never uses or starts it.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian's postgresql (Label Studio on PostgreSQL tests)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null; \
	else echo "postgresql missing: run 'sudo apt-get install postgresql' for the PostgreSQL tests"; fi

server-install: $(STAMP)
	$(BIN)/goldkit server install

test: $(STAMP) $(COMPILED) browser postgres server-install
	@$(MAKE) --no-print-directory test-runs

# The two runs of `make test`, without the installs (tests/test_makefile.py runs it with a stand-in PYTEST).
# The pure-source rerun runs even when the whole suite failed (both results are wanted, and the first
# failure must not hide the second); the target fails when either failed, and "no tests collected"
# (pytest exit 5) is a failure, never a silent pass.
PYTEST ?= $(BIN)/python -m pytest
test-runs:
	@$(PYTEST); whole=$$?; \
	echo "the compiled modules' own tests again on their pure-Python source:"; \
	GOLDKIT_PURE=1 $(PYTEST) -q -p no:cacheprovider $(PURE_TESTS); pure=$$?; \
	for rc in $$whole $$pure; do \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; fi; \
	done; \
	if [ $$whole -ne 0 ] || [ $$pure -ne 0 ]; then \
	  echo "make test failed: whole suite exit $$whole, pure-source rerun exit $$pure"; exit 1; \
	fi

test-unit: $(STAMP) $(COMPILED)
	$(BIN)/python -m pytest -m "not integration and not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# import-linter: the layers and independence contracts in pyproject.toml
architecture: $(STAMP)
	$(BIN)/lint-imports --no-cache

check: lint typecheck architecture test

demo: $(STAMP) $(COMPILED) server-install
	$(BIN)/goldkit demo

clean-state:
	-$(BIN)/goldkit server stop
	rm -rf .goldkit
