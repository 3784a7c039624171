# Two commands on a fresh machine: `make demo` and `make test`. Each (re)creates .venv when the
# requirements change, then runs inside it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
RUNS ?= demo_out

.PHONY: test demo report venv lint
venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .  # the commands then run from any folder: python3 -m p3_dann.train ...
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=15 tests

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

demo: $(STAMP)
	bash scripts/demo.sh

report: $(STAMP)
	$(PY) -m app.report $(RUNS) $(if $(DATA),--data-root $(DATA))
