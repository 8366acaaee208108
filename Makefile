# citebot — `make run` (set up, ingest, REPL) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run ingest repl test eval bench calibrate clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Installs from the lock file so every machine gets the same versions.
# torch first, pinned: pip then takes the CPU build instead of a multi-GB CUDA one.
$(VENV)/.installed: $(PY) pyproject.toml requirements.lock
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -c requirements.lock -e ".[test]"
	touch $@

install: $(VENV)/.installed

ingest: install
	$(VENV)/bin/citebot ingest

repl: install
	$(VENV)/bin/citebot repl

run: ingest repl

test: install
	$(PY) -m pytest -q

eval: install ingest
	$(VENV)/bin/citebot eval evals/questions.jsonl --out runs/eval --gate evals/thresholds.toml
	$(VENV)/bin/citebot eval evals/conversations.jsonl --out runs/eval-conversations --gate evals/conversation_thresholds.toml

bench: install ingest
	$(PY) benchmarks/ask.py

clean:
	rm -rf data runs .pytest_cache

# Refit the answer-ranking / refusal model on the training set (plus the public dev split).
calibrate: install ingest
	$(VENV)/bin/citebot calibrate evals/train.jsonl evals/train2.jsonl evals/questions.jsonl --split dev
