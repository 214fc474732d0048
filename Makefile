# The two commands of the README: `make book` and `make test`.
# Both create or refresh the virtual environment in .venv from requirements.txt first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help venv book test lint typecheck unit servers notebooks bench lab lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 or python3 on PATH)"; exit 1; }
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

venv: $(STAMP)  ## create or refresh .venv from requirements.txt

book: $(STAMP)  ## execute every chapter and build the HTML book into _build/html
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . --warningiserror --keep-going --builder html
	$(BIN)/python scripts/check_book.py _build/html
	@echo "The book is in _build/html/index.html"

test: $(STAMP) lint typecheck unit servers notebooks book  ## every check: lint, types, unit tests, server tests, chapters, book build
	@echo "make test: all checks passed"

lint:  ## ruff on the package, tests, benchmarks and chapters
	$(BIN)/ruff check mlkit tests benchmarks scripts
	$(BIN)/ruff format --check mlkit tests benchmarks scripts

typecheck:  ## mypy on mlkit/
	$(BIN)/mypy mlkit

unit:  ## unit, property and end-to-end tests of mlkit
	MPLBACKEND=Agg $(BIN)/python -m pytest tests mlkit --doctest-modules -n 2 -p no:cacheprovider -m "not server"

servers:  ## tests against real servers: PostgreSQL, MLflow tracking server, Dask cluster (loopback only)
	MPLBACKEND=Agg OMP_NUM_THREADS=1 $(BIN)/python -m pytest tests/test_servers.py -m server -p no:cacheprovider

notebooks:  ## execute every chapter with nbmake (from jupytext-converted copies in .nbmake/)
	rm -rf .nbmake && mkdir -p .nbmake
	for f in chapters/*.md; do $(BIN)/jupytext --quiet --to ipynb --output .nbmake/$$(basename $$f .md).ipynb $$f; done
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest --nbmake --nbmake-timeout=300 -n 2 -p no:cacheprovider .nbmake

bench: $(STAMP)  ## run the benchmark scripts (prints ratios and timings)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lab: $(STAMP)  ## open the chapters in JupyterLab (installs JupyterLab into .venv on first use)
	$(BIN)/python -c "import jupyterlab" 2> /dev/null || { \
	  grep -v -e '^-e' -e '^#' requirements.txt > $(VENV)/constraints.txt && \
	  $(BIN)/python -m pip install --quiet "jupyterlab==4.6.6" -c $(VENV)/constraints.txt; }
	$(BIN)/jupyter lab chapters

lock:  ## re-resolve requirements.in into the pinned requirements.txt
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet --upgrade pip
	.lockvenv/bin/python -m pip install --quiet -r requirements.in
	{ echo "# Pinned, resolved set for Python 3.11 (generated from requirements.in by 'make lock'; do not edit by hand)."; \
	  echo "-e ."; .lockvenv/bin/python -m pip freeze --exclude-editable; } > requirements.txt
	rm -rf .lockvenv

clean:  ## remove build outputs (keeps .venv)
	rm -rf _build .nbmake .pytest_cache .mypy_cache .ruff_cache .hypothesis
