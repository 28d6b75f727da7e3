# Set-up is part of every target: the virtual environment is created from pyproject.toml when missing or stale.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: check check-full test test-full lint regenerate notebooks coverage mutate mutate-full bench clean report browser

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

test: $(STAMP) browser lint  ## the linter, every fast test, the notebooks, the browser test and regeneration --check
	$(BIN)/python -m pytest -q

lint: $(STAMP)             ## ruff (pyproject.toml [tool.ruff]): line length, import order, pyflakes, notebooks included
	$(BIN)/ruff check .

test-full: $(STAMP) browser  ## the slow tests too
	$(BIN)/python -m pytest -q -m ''

# The HTML report's test drives Debian's Chromium (tests/test_browser.py): installed here when missing, as root (CI);
# elsewhere the test skips and says how to install it.
browser:                   ## Debian's chromium for the browser test
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and this is not root: sudo apt-get install chromium (the browser test skips)"; fi; }

report: $(STAMP)           ## quick tier, seed 0: REPORT.md and REPORT.html from one run (build/quick.json)
	mkdir -p build
	$(BIN)/python -m checks --tier quick --jobs 2 --seed 0 --format json --output build/quick.json
	$(BIN)/python -m checks --from-json build/quick.json --format markdown --output REPORT.md
	$(BIN)/python -m checks --from-json build/quick.json --format html --output REPORT.html

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
