# Two commands on a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: demo test lint bench clean

$(VENV)/.demo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e ".[demo]"
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.demo
	$(PIP) -e ".[test]"
	touch $@

demo: $(VENV)/.demo
	$(PY) -m netgrad.demo

# Two test workers on two cores: one BLAS/OpenMP thread each, or their thread pools fight.
THREADS1 := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

test: $(VENV)/.test
	$(PY) -m ruff check netgrad tests examples benchmarks
	$(THREADS1) $(PY) -m pytest -n 2 netgrad tests

lint: $(VENV)/.test
	$(PY) -m ruff check netgrad tests examples benchmarks

bench: $(VENV)/.test
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) runs .pytest_cache
