# Kalan — two commands: `make run` (install, provision the model, ingest, serve) and `make test`.
# torch is pinned to the CPU build first: an unpinned torch pulls a multi-GB CUDA build.
# GPU users: TORCH_SPEC="torch==2.13.0" with their CUDA index, e.g.
#   make setup TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu126"

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.kalan-installed
export HF_HUB_OFFLINE ?= 1
export GRADIO_ANALYTICS_ENABLED = False
export ANONYMIZED_TELEMETRY = False

.PHONY: setup run test test-quick ingest eval bench browser clean

setup: $(STAMP) $(VENV)/.kalan-model

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH_SPEC)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(VENV)/.kalan-model: $(STAMP)
	$(BIN)/kalan models install
	touch $@

ingest: setup
	$(BIN)/kalan ingest

run: setup ingest
	$(BIN)/kalan serve

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium indisponible : les tests navigateur seront sautés"

test: setup browser
	$(BIN)/python -m pytest -q
	$(BIN)/kalan ingest --no-progress
	$(BIN)/kalan eval --set evals/sets/seed.jsonl --check --no-progress --report .kalan/eval-report

test-quick: setup
	$(BIN)/python -m pytest -q -m "not slow"

eval: setup ingest
	$(BIN)/kalan eval --set evals/sets/seed.jsonl --check --report .kalan/eval-report

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .kalan
