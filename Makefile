# Set-up is part of every target: the virtual environment is created from pyproject.toml when missing or stale.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: check check-full test test-full regenerate notebooks coverage mutate mutate-full bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m numerics.warmup
	touch $(STAMP)

check: $(STAMP)            ## run the quick tier of every claim and print the report
	$(BIN)/python -m checks --tier quick --jobs 2

check-full: $(STAMP)       ## every claim at the papers' sizes
	$(BIN)/python -m checks --tier full --jobs 2

test: $(STAMP)             ## every fast test, the notebooks and regeneration --check included
	$(BIN)/python -m pytest -q

test-full: $(STAMP)        ## the slow tests too
	$(BIN)/python -m pytest -q -m ''

regenerate: $(STAMP)       ## rewrite numerics/generated from the derivations
	$(BIN)/python -m derivations regenerate

notebooks: $(STAMP)        ## execute every notebook and save its outputs
	$(BIN)/python notebooks/execute.py

coverage: $(STAMP)         ## inventory keys that no registry entry covers
	$(BIN)/python -m checks --coverage

bench: $(STAMP)            ## run the benchmarks and write BENCHMARKS.md (about 20-30 min; --long parts: python -m benchmarks --long)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info

mutate: $(STAMP)           ## mutation testing, a stratified sample of 30 mutants per file (about 1 h; writes MUTATION.md)
	$(BIN)/python -m tools.mutation --sample 30 --seed 0

mutate-full: $(STAMP)      ## every mutant (about 10 h with one worker)
	$(BIN)/python -m tools.mutation
