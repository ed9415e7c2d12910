# Data Academy: `make run` starts the site with demo content, `make test` runs every test.
# Both create the virtual environment and install what is needed first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
# JupyterHub's proxy (configurable-http-proxy) comes from npm, exactly as package-lock.json says.
NODE_STAMP := node_modules/.installed
# uv installs exactly what uv.lock records (hashes included); the same version bootstraps it.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
LATEST ?= .venv-latest
# Each xdist worker runs tests in a process of its own; 2 suits this project's 2-core machines.
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install lock lock-check run demo test test-fast test-latest test-postgres lint format \
	bench bench-grading bench-recovery bench-lab clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (set PYTHON=...)") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

# --locked refuses to install when pyproject.toml and uv.lock disagree (run `make lock`).
# --compile-bytecode: a sandboxed kernel may not write .pyc files into the read-only
# installation, so without them every kernel compiles pandas and its kin from source
# (4.4 s of CPU per kernel instead of 1 s, measured); uv does not compile by default.
$(STAMP): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --quiet --locked --compile-bytecode --extra dev \
		--python $(BIN)/python
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP) ## Create .venv and node_modules, exactly as uv.lock and package-lock.json say

lock: | $(UV) ## Re-resolve uv.lock from pyproject.toml (newest versions allowed)
	$(UV) lock --upgrade

lock-check: | $(UV) ## Fail when pyproject.toml and uv.lock disagree
	$(UV) lock --check

demo: install ## Build the database, sync courses/, create demo accounts, build the lake
	$(FLASK) db upgrade
	$(FLASK) academy sync
	$(FLASK) academy demo
	@test -e instance/lake/lake.duckdb || $(FLASK) academy lake build

# honcho runs both lines of the Procfile; when either stops, or on Ctrl-C, it stops the other.
run: demo ## Start the site on http://127.0.0.1:5000 and its notebook hub on :8000, with demo content
	@echo "Data Academy: http://$(HOST):$(PORT)  (sign in with an account above)"
	@echo "Notebooks (JupyterHub): $${ACADEMY_HUB_URL:-http://127.0.0.1:8000}"
	ACADEMY_HOST=$(HOST) ACADEMY_PORT=$(PORT) ACADEMY_BASE_URL=$${ACADEMY_BASE_URL:-http://$(HOST):$(PORT)} \
		PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

test: install ## Run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: install ## The quick loop: everything but the browser and the tests marked slow
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m 'not slow and not e2e' $(PYTEST_ARGS)

# The lock says what we run on; this says whether the newest allowed releases still pass.
test-latest: | $(UV) ## Run the whole suite on the newest versions pyproject.toml allows, in .venv-latest
	$(UV) venv --quiet --allow-existing --python $(BIN)/python $(LATEST)
	VIRTUAL_ENV=$(LATEST) $(UV) pip install --quiet --compile-bytecode --upgrade -e '.[dev]'
	$(LATEST)/bin/python -c 'import duckdb; print("newest allowed duckdb:", duckdb.__version__)'
	$(LATEST)/bin/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-postgres: install ## Run the suite against the local PostgreSQL
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install ## Check style with ruff
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

format: install ## Reformat with ruff
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix app tests bench

bench: install bench-grading ## Run the page, lake, filter and grading benchmarks and print their figures
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/lake.py
	$(BIN)/python bench/filter.py

# nbgrader is only the grading benchmark's yardstick: it gets an environment of its own.
NBGRADER := .venv-nbgrader/bin/nbgrader
NBGRADER_VERSION := 0.9.6
$(NBGRADER):
	$(PYTHON) -m venv .venv-nbgrader
	.venv-nbgrader/bin/python -m pip install --quiet nbgrader==$(NBGRADER_VERSION)

bench-grading: install $(NBGRADER) ## Grade beside nbgrader in alternating rounds, and a burst of 60
	$(BIN)/python bench/grading.py --rounds 3 --batch 10 --burst 60 --nbgrader $(abspath $(NBGRADER)) \
		--out bench/results/grading.json

# About half an hour: each kill waits out a real lease (the shipped one is over 3 minutes).
bench-recovery: install ## Kill graders mid-grade and time the way back to a grade (shipped, then short settings)
	$(BIN)/python bench/recovery.py measure --runs 3 --out bench/results/recovery-shipped.json
	$(BIN)/python bench/recovery.py measure --runs 5 --margin 10 --every 5 --total 10 \
		--out bench/results/recovery-short.json

# A few minutes: a real hub, Chromium, cold and warm opens, then six idle servers' memory.
bench-lab: install ## Time Open in JupyterLab to a usable notebook, and measure idle servers' memory
	$(BIN)/python bench/lab.py --runs 5 --servers 6 --out bench/results/lab.json

clean: ## Remove the virtual environment and caches (keeps instance/)
	rm -rf $(VENV) $(LATEST) .venv-nbgrader .pytest_cache .ruff_cache
