# Two entry points a newcomer needs: `make demo` (the main job on an embedded clip) and
# `make test` (the whole suite, real OBS included). Both build .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck bench soak screenshots system-deps clean

$(STAMP): requirements/runtime.txt requirements/demo.txt requirements/test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-deps -r requirements/runtime.txt
	$(BIN)/python -m pip install -q -r requirements/test.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

demo: $(STAMP)
	$(BIN)/bgremove demo

system-deps:
	bash install/system-deps.sh

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Types of the product packages ([tool.mypy] in pyproject.toml says which files and how strict).
typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/bgremove bench

soak: system-deps $(STAMP)
	$(BIN)/python bench/soak.py --minutes 30

screenshots: system-deps $(STAMP)
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) bgremove-demo
