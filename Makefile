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

.PHONY: help venv book test lint typecheck unit notebooks bench lab lock clean serve browser servers

# `make book` rebuilds only when one of these changed (a stamp file over all of them).
# Chapters re-execute through jupyter-cache: only the edited chapter, or every chapter
# when mlkit (code, vendored data) or the requirements changed (_ext/book_setup.py).
BOOK_SOURCES := $(shell find chapters _static _ext -type f -not -path '*/__pycache__/*' 2> /dev/null) \
	$(filter-out README.md CONTRIBUTING.md,$(wildcard *.md)) _config.yml _toc.yml references.bib
EXEC_INPUTS := $(shell find mlkit -type f -not -path '*/__pycache__/*' -not -name '*.pyc' 2> /dev/null) \
	requirements.txt pyproject.toml
BOOK_STAMP := _build/html/.book-stamp
# Readability (no visible glue, at most four significant digits, no NaN/<NA>) is enforced.
CHECK_BOOK_FLAGS ?= --strict-readability
PORT ?= 8000

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

book: $(BOOK_STAMP)  ## build the HTML book into _build/html (re-executes only what changed)
	@echo "The book is in _build/html (read it with search: make serve)"

$(BOOK_STAMP): $(STAMP) $(BOOK_SOURCES) $(EXEC_INPUTS) scripts/check_book.py
	@# The stamp gets the start time, so an edit made during the build is rebuilt next time.
	@mkdir -p _build && touch _build/.book-stamp.start
	@# A changed Sphinx extension (_ext/) re-reads and re-writes every page (--all; cached
	@# chapters are not executed again). On failure drop the doctrees, so the next build
	@# re-reads (and re-reports) every page.
	$(BIN)/jupyter-book build . --warningiserror --keep-going --builder html \
	  $(if $(filter _ext/%,$?),--all) || { rm -rf _build/.doctrees; exit 1; }
	$(BIN)/python scripts/check_book.py _build/html $(CHECK_BOOK_FLAGS)
	mv _build/.book-stamp.start $@

serve: book  ## serve the built book on 127.0.0.1 (PORT=8000; search needs http, not file://)
	@echo "Serving _build/html on http://127.0.0.1:$(PORT)/intro.html (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

browser: book  ## open every page in headless Chromium at 1400 and 400 px (screenshots in _build/screenshots)
	$(BIN)/python scripts/browser_check.py _build/html

test: $(STAMP) lint typecheck unit servers notebooks book browser  ## every check: lint, types, unit tests, server tests, chapters, book build, browser
	@echo "make test: all checks passed"

lint:  ## ruff on the package, tests, benchmarks and chapters
	$(BIN)/ruff check mlkit tests benchmarks scripts _ext
	$(BIN)/ruff format --check mlkit tests benchmarks scripts _ext

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
