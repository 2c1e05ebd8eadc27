"""Shared fixtures. Keep this minimal: several test files (and people) share it."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng


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
