# rarex task file. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo test browser-test lint schema docs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,browser]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install rarex with all its extras

demo: $(STAMP) ## Assess the demo company, then seed a demo workspace and serve it (Ctrl-C stops)
	$(BIN)/rarex rules status CN-2025-61
	$(BIN)/rarex demo --output-dir rarex-demo --serve

test: $(STAMP) ## Run the suite (the browser tests run with make browser-test)
	$(BIN)/python -m pytest -q

browser-test: $(STAMP) ## Drive the dashboard in headless Chromium (installs it if missing)
	scripts/with-chromium $(BIN)/python -m pytest -q -m browser tests/browser

lint: $(STAMP) ## ruff and mypy --strict
	$(BIN)/ruff check src tests conftest.py $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests conftest.py $(wildcard benchmarks)
	$(BIN)/mypy

schema: $(STAMP) ## Regenerate docs/rule-schema.json from the pydantic models
	$(BIN)/rarex rules schema > docs/rule-schema.json

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

docs: $(STAMP) ## Regenerate docs/cli.md and docs/rule-schema.json
	$(BIN)/python -m rarex.cli.reference > docs/cli.md
	$(BIN)/rarex rules schema > docs/rule-schema.json
