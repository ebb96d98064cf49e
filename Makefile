# Two entry points a newcomer needs: `make demo` (the main job on an embedded clip) and
# `make test` (the whole suite, real OBS included). Both build .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast test-windows test-obs-matrix check lint typecheck bench bench-reliability soak screenshots studio-screenshots system-deps clean

# bgremove itself is built by the setuptools pinned in requirements/test.txt (--no-build-isolation):
# nothing else is fetched, and it is the version tests/test_packaging.py holds to a quiet build.
$(STAMP): requirements/runtime.txt requirements/studio.txt requirements/demo.txt requirements/test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-deps -r requirements/runtime.txt
	$(BIN)/python -m pip install -q --no-deps -r requirements/studio.txt
	$(BIN)/python -m pip install -q -r requirements/test.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

demo: $(STAMP)
	$(BIN)/bgremove demo

system-deps:
	bash install/system-deps.sh

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

# Every run of bgremove's Windows code under python.org's Windows Python in Wine (tests/windows;
# `make test` runs the part marked `windows`). The Windows prefix is cached under ~/.cache/bgremove.
test-windows: system-deps $(STAMP)
	$(BIN)/python -m pytest -m "windows or windows_extra" tests/windows

# The whole real-OBS suite on this machine's OBS, then in Debian 13 (OBS 30.2.3, Python 3.13) and
# sid (OBS 32.2.2, Python 3.14) roots built from Debian's packages (cached under ~/.cache; root only).
OBS_MATRIX_TESTS := tests/obs tests/install/test_install_obs.py
# `-m "not soak"` also runs the tests marked `matrix` (every source format, 10 exits each way).
test-obs-matrix: system-deps $(STAMP)
	$(BIN)/python -m pytest -m "not soak" $(OBS_MATRIX_TESTS)
	bash tests/obs_matrix/run_in_root.sh trixie -m "not soak" $(OBS_MATRIX_TESTS)
	bash tests/obs_matrix/run_in_root.sh sid -m "not soak" $(OBS_MATRIX_TESTS)

# The edit-test loop: no OBS, nothing slow (< 2 min); `make test` stays the full suite.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not obs and not slow and not soak"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Types of the product packages ([tool.mypy] in pyproject.toml says which files and how strict).
typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/bgremove bench

bench-reliability: system-deps $(STAMP)
	$(BIN)/python -m bench.reliability

soak: system-deps $(STAMP)
	$(BIN)/python -m pytest -m soak
	$(BIN)/python -m bench.soak --minutes 30

screenshots: system-deps $(STAMP)
	$(BIN)/python -m docs.make_screenshots

# The pictures of `bgremove studio` in the user guide, taken by the test suite's headless Chromium.
studio-screenshots: system-deps $(STAMP)
	$(BIN)/python -m docs.make_studio_screenshots

clean:
	rm -rf $(VENV) bgremove-demo
