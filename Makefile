# Two commands on a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: demo test test-reference test-numpy-floor lint bench clean

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
	$(MAKE) test-reference
	$(MAKE) test-numpy-floor

# The whole suite again with every fast path of netgrad.kernels off (plain NumPy): the fast and
# the reference forms must agree on everything the tests check.
test-reference: $(VENV)/.test
	$(THREADS1) NETGRAD_REFERENCE=1 $(PY) -m pytest -n 2 -q -p no:cacheprovider netgrad tests

# The core tests (autograd, ops, nn, optim) on the oldest NumPy netgrad supports (pyproject's floor:
# the first release with wheels for Python 3.11), installed on its own and put ahead of the venv's
# NumPy; torch, pytest and the rest are shared with the venv.
NUMPY_FLOOR := 1.23.2
CORE_TESTS := $(addprefix tests/autograd/test_,engine.py custom_function.py functional.py tensor.py gradcheck.py) \
	$(filter-out $(addprefix tests/functional/test_,inplace.py inplace_activations.py conversion.py \
	  tensor_extras.py argnames.py activation_fast_paths.py crossentropy_paths.py),$(wildcard tests/functional/test_*.py)) \
	$(filter-out $(addprefix tests/nn/test_,linear_layout.py perceptron.py perceptron_rules.py),$(wildcard tests/nn/test_*.py)) \
	$(wildcard tests/optim/test_*.py) tests/project/test_numpy_compat.py

$(VENV)/numpy-$(NUMPY_FLOOR)/.done: $(VENV)/.test
	rm -rf $(VENV)/numpy-$(NUMPY_FLOOR)
	$(PIP) --no-deps --only-binary=:all: --target $(VENV)/numpy-$(NUMPY_FLOOR) "numpy==$(NUMPY_FLOOR)"
	touch $@

test-numpy-floor: $(VENV)/numpy-$(NUMPY_FLOOR)/.done
	$(THREADS1) PYTHONPATH=$(VENV)/numpy-$(NUMPY_FLOOR) NETGRAD_EXPECT_NUMPY=$(NUMPY_FLOOR) \
		$(PY) -m pytest -n 2 -q -p no:cacheprovider $(CORE_TESTS)

lint: $(VENV)/.test
	$(PY) -m ruff check netgrad tests examples benchmarks

bench: $(VENV)/.test
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) runs .pytest_cache
