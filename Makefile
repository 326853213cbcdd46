# graphsvc developer commands. Everything installs into .venv (a dedicated virtual environment:
# the distribution installs top-level packages named ingest, analytics, web, ...).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install dev demo serve test lint bench neo4j neo4j-stop clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python  ## runtime install
	$(BIN)/pip install -q -e .

dev: $(BIN)/python  ## runtime + test and lint tools
	$(BIN)/pip install -q -e '.[dev]'

demo: install  ## generate the demo world, load it into GRAPHSVC_STORE (default sqlite:///graphsvc.db) and serve the UI
	$(BIN)/graphsvc demo

serve: install  ## serve the web UI and API of GRAPHSVC_STORE on http://127.0.0.1:8000/
	$(BIN)/graphsvc serve

test: dev  ## the test suite (Neo4j tests run when GRAPHSVC_TEST_NEO4J_URI is set: see `make neo4j`)
	$(BIN)/python -m pytest

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: dev  ## store load, ingest, analytics, web and recommendation benchmarks (Neo4j legs when GRAPHSVC_TEST_NEO4J_URI is set)
	$(BIN)/python bench/store_load.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/analytics.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/recommend.py

neo4j:  ## build (Maven) and start the Neo4j 5.26 test server; then `source .neo4j-test/env`
	bash .ci/neo4j.sh start

neo4j-stop:
	bash .ci/neo4j.sh stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info tests/neo4j-server/target
