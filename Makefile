# The README's two commands: `make run` (install, fetch, tally, align) and `make test`.
VENV        ?= .venv
PYTHON      ?= python3
BIN         := $(VENV)/bin
UNVOTE      := $(BIN)/unvote
# `make run` fills the store a plain `unvote` reads: UNVOTE_DATA_DIR if you set it, else the user
# data dir (~/.local/share/unvote on Linux; `unvote info` prints it). So, in a new shell:
#   . .venv/bin/activate && unvote tally ES-11/1
# Real data for tests and benchmarks, read in place (never copied into the repo).
export UNVOTE_TEST_DATA ?= $(abspath $(CURDIR)/../shared/data)
# A local copy of the UN's bulk GA CSV: fetch uses it instead of downloading. Empty = download.
UNVOTE_GA_CSV ?= $(wildcard $(UNVOTE_TEST_DATA)/undl/ga_voting.csv.gz)

.PHONY: run install test bench docs clean

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
	@echo "now try (README.md, 'Now try'):  . .venv/bin/activate && unvote info"

test: install
	$(BIN)/ruff check unvote tests bench scripts
	$(BIN)/python -m pytest -q

# docs/cli.md: every command's --help, regenerated from the app (tests fail when it drifts).
docs: install
	$(BIN)/cog -r docs/cli.md

bench: install
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) data/store .pytest_cache
