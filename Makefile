# The README's commands: `make run` (install, fetch, tally, align), `make test` (everything, what CI
# runs) and `make check` (the fast tier, for the edit loop).
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

# pytest caches the modules it rewrites for assert messages (~1,700 asserts, seconds per run) as .pyc:
# let it, even where the shell sets PYTHONDONTWRITEBYTECODE.
unexport PYTHONDONTWRITEBYTECODE
PYTEST      := $(BIN)/python -m pytest
# Two workers for this 2-core machine; --dist loadgroup keeps each xdist_group on one worker (tests
# that must not run beside each other). The real stores are built once and cached (tests/conftest.py).
WORKERS     ?= 2

.PHONY: run install test check cov bench docs clean

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

# Everything: lint, the import layers, then every tier (unit, real data, system) in parallel.
# Any failure is red; so is "no tests ran" (pytest's exit 5).
test: install
	$(BIN)/ruff check unvote tests bench scripts
	$(BIN)/lint-imports
	$(PYTEST) -q -n $(WORKERS) --dist loadgroup --durations=15

# The fast tier: units and in-process commands on tiny hand-made stores; no real data, no system.
check: install
	$(PYTEST) -q -n $(WORKERS) -m "not real and not system" --durations=5

# Line coverage of the whole suite (a report, not a gate).
cov: install
	$(PYTEST) -q -n $(WORKERS) --dist loadgroup --cov=unvote --cov-report=term

# docs/cli.md: every command's --help, regenerated from the app (tests fail when it drifts).
docs: install
	$(BIN)/cog -r docs/cli.md

# Figures beside their baselines, and the speed and memory limits the tests no longer time.
bench: install
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) data/store .pytest_cache
