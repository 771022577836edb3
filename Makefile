# newsetl: `make run` and `make test` each set up .venv first, on a machine with only Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PREFECT_HOME := $(CURDIR)/.prefect
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

# The oldest Prefect the pins allow, tested in its own venv ("test both ends" of the range).
OLDEST_VENV := .venv-oldest
OLDEST_PINS := prefect==3.8.8

.PHONY: setup run test test-oldest bench docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: setup
	$(BIN)/newsetl ingest --raw raw --warehouse warehouse
	$(BIN)/newsetl status --raw raw --warehouse warehouse

test: setup
	$(BIN)/python -m pytest

# Its own PREFECT_HOME: a database the newer Prefect migrated cannot be opened by the older one.
test-oldest: $(OLDEST_VENV)/.installed
	PREFECT_HOME=$(CURDIR)/.prefect-oldest $(OLDEST_VENV)/bin/python -m pytest

$(OLDEST_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --quiet -e '.[test]' '$(OLDEST_PINS)'
	touch $@

# `make bench BENCH_N=400000` for the memory-flatness check; results in bench/out/.
# Then near-duplicate quality (F1, ARI) on two labelled syndication drops beside a datatrove-style baseline,
# and an hourly drop of 10,000 files into warehouses of 150,000 and 1,000,000 articles (same drop, and the
# same 15-day window: 15 days hold all of it).
BENCH_N ?= 100000
bench: setup
	$(BIN)/python bench/run.py --articles $(BENCH_N) --days 10 --seed 1 --backfill
	$(BIN)/python bench/neardup.py --seeds 1 2
	$(BIN)/python bench/hourly_drop.py --days 15
	$(BIN)/python bench/hourly_drop.py --days 100

docs: setup
	$(BIN)/python -m newsetl.schemas --write README.md

clean:
	rm -rf $(VENV) $(OLDEST_VENV) .prefect .prefect-oldest .pytest_cache .hypothesis
