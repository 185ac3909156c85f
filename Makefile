# The two commands a person needs: `make demo` and `make test`. Each installs what it
# needs (Debian packages, a virtualenv from PyPI), builds, and runs.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUILD := build
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := cmake ninja-build g++ ccache libopenblas-dev libeigen3-dev libgtest-dev
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(abspath $(PY))
ifdef CI
CMAKE_FLAGS += -DLOOM_WERROR=ON
endif
ACCEPTANCE := ../shared/acceptance
# ccache keys on paths relative to the checkout, so every clone shares the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: demo test deps build test-cpp test-python format format-check bench clean

demo: build
	PYTHONPATH=python $(PY) examples/demo.py

test: build format-check
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	PYTHONPATH=python:tests $(PY) -m pytest -q -c pyproject.toml --rootdir . -p acceptance_xfail \
	  tests/python $(wildcard $(ACCEPTANCE))

deps: $(VENV)/.deps-done

$(VENV)/.deps-done: Makefile requirements-dev.txt
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@$(PYTHON) -c "import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" || { \
	  echo "installing Python headers"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q python3-dev; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) || { \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q python3-venv python3-dev && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

build: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	@# Bytecode up front: `import loom` then never compiles (even with PYTHONDONTWRITEBYTECODE).
	$(PY) -m compileall -q python/loom

format:
	$(VENV)/bin/clang-format -i $$(git ls-files '*.cc' '*.h')
	$(VENV)/bin/ruff format python tests bench examples

format-check: deps
	$(VENV)/bin/clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h')
	$(VENV)/bin/ruff format --check python tests bench examples
	$(VENV)/bin/ruff check python tests bench examples

bench: build
	PYTHONPATH=python $(PY) bench/run.py

clean:
	rm -rf $(BUILD) python/loom/_C*.so
