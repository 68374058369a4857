# The README's two commands: `make run` (install, fetch, tally, align) and `make test`.
VENV        ?= .venv
PYTHON      ?= python3
BIN         := $(VENV)/bin
UNVOTE      := $(BIN)/unvote
# A development checkout keeps its store in data/ (contents git-ignored).
export UNVOTE_DATA_DIR ?= $(CURDIR)/data/store
# Real data for tests and benchmarks, read in place (never copied into the repo).
export UNVOTE_TEST_DATA ?= $(abspath $(CURDIR)/../shared/data)
# A local copy of the UN's bulk GA CSV: fetch uses it instead of downloading. Empty = download.
UNVOTE_GA_CSV ?= $(wildcard $(UNVOTE_TEST_DATA)/undl/ga_voting.csv.gz)

.PHONY: run install test bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,notebooks]'
	touch $@

install: $(VENV)/.installed

run: install
	$(UNVOTE) fetch $(if $(UNVOTE_GA_CSV),--file $(UNVOTE_GA_CSV))
	$(UNVOTE) tally ES-11/1 --format table
	$(UNVOTE) align KHM RUS --format table

test: install
	$(BIN)/ruff check unvote tests bench scripts
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) data/store .pytest_cache
