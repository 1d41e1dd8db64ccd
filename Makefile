# The only set-up a user needs: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATASETS ?= ../shared/datasets

.PHONY: install run test lint bench stack screenshots clean

install: $(STAMP)

# Re-install only when the dependency pins change; torch is pinned to the CPU build
# that lies on this machine's disk (an unpinned torch pulls a multi-GB CUDA build).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[embedding,multilingual,dev,bench,research,ray]'
	$(BIN)/python -c "from okf.text.verbs_pt import main; main([])"  # Portuguese verb forms
	$(BIN)/python -c "from okf.text.rarity import load_frequencies; load_frequencies()"  # word lists
	touch $(STAMP)

run: install
	$(BIN)/okf serve --host 127.0.0.1 --port 8000

test: install
	bash scripts/ensure-debian-tools.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .

bench: install
	@for d in Inspec-test-SIFRank SemEval2017 110-PT-BN-KP SemEval2010; do \
	  $(BIN)/okf bench --dataset $(DATASETS)/$$d --model statistical --peer yake --peer multi-rake; \
	  $(BIN)/okf bench --dataset $(DATASETS)/$$d --model omni --peer yake --peer multi-rake; \
	done
	$(BIN)/okf bench --dataset $(DATASETS)/Inspec-test-SIFRank --model omni --max-docs 100 --peer keybert
	$(BIN)/okf bench-overhead

stack: install
	bash scripts/stack.sh

# Desktop and phone screenshots of the web pages (docs/images/), from a service it starts.
screenshots: install
	bash scripts/ensure-debian-tools.sh
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
