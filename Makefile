# Two commands on a fresh machine: `make run` and `make test`. Everything else is set-up they share.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup models browser run ingest eval test bench stress lint typecheck clean

setup: $(STAMP) models

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0   # the CPU wheel; an unpinned torch pulls CUDA
	$(PY) -m pip install -q -e ".[models,dev]"
	rm -f $(VENV)/.installed-* && touch $@

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

# Answer quality and latency on a JSONL file of questions (see assistant/evalset.py).
EVAL_FILE ?= ../shared/eval/dev.jsonl
eval: ingest
	$(PY) -m assistant.eval $(EVAL_FILE) --out bench/results/eval-$(shell date +%Y-%m-%d).json

lint: $(STAMP)
	$(PY) -m ruff check assistant ingest tests bench app.py
	$(PY) -m ruff format --check assistant ingest tests bench app.py

typecheck: $(STAMP)
	$(PY) -m mypy assistant ingest bench app.py

test: setup browser lint typecheck
	$(PY) -m pytest -q -p no:cacheprovider

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
	$(PY) -m pytest -q -p no:cacheprovider -s tests/test_crash_ingest.py

clean:
	rm -rf data/index models/*.gguf models/*.sha256
