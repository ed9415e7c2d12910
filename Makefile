# Data Academy: `make run` starts the site with demo content, `make test` runs every test.
# Both create the virtual environment and install what is needed first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run demo test test-postgres lint format bench bench-grading clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (set PYTHON=...)") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its test tools

demo: install ## Build the database, sync courses/, create demo accounts, build the lake
	$(FLASK) db upgrade
	$(FLASK) academy sync
	$(FLASK) academy demo
	@test -e instance/lake/lake.duckdb || $(FLASK) academy lake build

run: demo ## Start the site on http://127.0.0.1:5000 with demo content
	@echo "Data Academy: http://$(HOST):$(PORT)  (sign in with an account above)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install ## Run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install ## Run the suite against the local PostgreSQL
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install ## Check style with ruff
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

format: install ## Reformat with ruff
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix app tests bench

bench: install bench-grading ## Run the page, lake and grading benchmarks and print their figures
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/lake.py

# nbgrader is only the grading benchmark's yardstick: it gets an environment of its own.
NBGRADER := .venv-nbgrader/bin/nbgrader
$(NBGRADER):
	$(PYTHON) -m venv .venv-nbgrader
	.venv-nbgrader/bin/python -m pip install --quiet nbgrader

bench-grading: install $(NBGRADER) ## Grade batches end to end, and nbgrader on the same notebook
	$(BIN)/python bench/grading.py --nbgrader $(NBGRADER)

clean: ## Remove the virtual environment and caches (keeps instance/)
	rm -rf $(VENV) .venv-nbgrader .pytest_cache .ruff_cache
