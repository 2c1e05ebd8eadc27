"""Shared fixtures. Keep this minimal: several test files (and people) share it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import netgrad as ng

# The shared helpers (torch_ref, pointwise_check, attention_check, cli_helpers) live here at tests/
# and are imported by bare name (`from torch_ref import ...`) from tests in every subfolder. Appended,
# not prepended: the test packages (tests/onnx/, tests/data/, ...) must not shadow real packages.
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.append(_TESTS)


@pytest.fixture(autouse=True)
def _restore_netgrad_globals():
    """A test that changes the default dtype or grad mode must not leak it into the next test."""
    dtype, enabled = ng.get_default_dtype(), ng.is_grad_enabled()
    yield
    ng.set_default_dtype(dtype)
    ng.set_grad_enabled(enabled)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded NumPy generator for test inputs."""
    return np.random.default_rng(0)
