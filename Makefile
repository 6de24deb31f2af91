# Two commands: `make run` (refresh the warehouse and publish the marts) and `make test`.
SHELL := /bin/bash
PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export PATH := $(CURDIR)/$(BIN):$(PATH)
DBT_FLAGS := --project-dir $(CURDIR)/dbt_project --profiles-dir $(CURDIR)/dbt_project

.PHONY: bootstrap test-tools run test test-fast lint format ui docs templates contract notebooks bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv
	@$(BIN)/uv pip install --quiet --python $(PY) --compile-bytecode -e '.[dev]'
	@touch $@

$(DAGSTER_HOME)/dagster.yaml:
	@mkdir -p $(DAGSTER_HOME)
	@printf 'telemetry:\n  enabled: false\n' > $@

# dagster-dbt needs the manifest before the code location can be imported; it is built, never committed.
bootstrap: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/dbt parse $(DBT_FLAGS) --quiet

run: bootstrap
	@$(PY) -m orchestration.refresh

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros --disable-progress-bar

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix dbt_project/models --disable-progress-bar

# What the whole suite needs beyond the dev extra: Debian's Chromium (the page tests; no browser download is
# possible here), Java 17 and the spark extra (the Spark parity test). Installed where missing, so `make test`
# on a fresh machine runs what CI runs and skips nothing.
test-tools: $(VENV)/.installed-test-tools

$(VENV)/.installed-test-tools: $(VENV)/.installed
	@bash .ci/system-packages
	@$(BIN)/uv pip install --quiet --python $(PY) --compile-bytecode -e '.[dev,spark]'
	@touch $@

# WF_NO_SKIPS=1: a skipped test fails the run (tests/conftest.py), so `make test` runs what CI runs or says why not
test: bootstrap test-tools lint
	WF_NO_SKIPS=1 $(PY) -m pytest

# The fast tier (a few minutes): unit tests, dbt unit tests, the quality rules and one small real refresh.
FAST_TESTS := tests/unit tests/quality/test_rules.py tests/quality/test_suites.py \
	tests/dbt_models/test_dbt_unit_tests.py tests/integration/test_pwr_slice.py
test-fast: bootstrap
	$(PY) -m pytest -q -m 'not slow' $(FAST_TESTS)

# The UI at http://127.0.0.1:3000, and the Data Docs its checks link served at WF_DOCS_URL (http://127.0.0.1:3001)
ui: bootstrap
	@set -m; $(PY) -m orchestration.docs_server & docs=$$!; trap "kill $$docs" EXIT; \
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

# dbt docs and the GX Data Docs, into warehouse/docs/
docs: bootstrap
	@$(PY) -m orchestration.docs

# The analyst notebooks run on the published file (WF_MARTS), each written to warehouse/notebooks/ as an executed
# .ipynb and a page that opens from disk (notebooks/run_notebooks.py)
notebooks: bootstrap
	@$(PY) notebooks/run_notebooks.py

# Blank return templates for partners, from the same column definitions the ingestion reads
templates: $(VENV)/.installed
	@$(PY) -m orchestration.templates --out templates/

# Everything generated from the input contract (orchestration/ingestion/sources.py): dbt's raw sources.yml, the
# return_sources seed, the GX suites and the templates. Run after changing the contract; tests fail on drift.
contract: $(VENV)/.installed
	@$(PY) -m orchestration.contract

# The scale benchmark (benchmarks/run.py): ics by default, `make bench SCALE=region BENCH_ARGS="--full-only --no-peer
# --out benchmarks/results-region.md"`; never part of make test.
bench: bootstrap
	@$(BIN)/uv pip install --quiet --python $(PY) -e '.[bench]'
	$(PY) -m benchmarks.run --scale $(or $(SCALE),ics) $(BENCH_ARGS)

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs $(DAGSTER_HOME)
