# The two commands in README.md. Each creates .venv on first use and installs what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test bench lint fuzz

$(VENV)/.base:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.examples: $(VENV)/.base pyproject.toml
	$(PY) -m pip install --quiet -e '.[examples]'
	touch $@

$(VENV)/.test: $(VENV)/.base pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,examples,onnx,distributed]'
	touch $@

demo: $(VENV)/.examples
	$(PY) -m ember demo $(ARGS)

test: $(VENV)/.test
	$(PY) -m pytest -q tests

# ruff comes with the test extra; configured in pyproject.toml ([tool.ruff])
lint: $(VENV)/.test
	$(PY) -m ruff check src tests bench examples

bench: $(VENV)/.test
	$(PY) -m pip install --quiet -e '.[bench]'
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) bench/run_all.py

# differential fuzzing against PyTorch: make fuzz N=20000 SEED=0 (tests/fuzz/)
N ?= 20000
SEED ?= 0
fuzz: $(VENV)/.test
	cd tests && ../$(PY) -m fuzz.campaign -n $(N) --seed $(SEED)
