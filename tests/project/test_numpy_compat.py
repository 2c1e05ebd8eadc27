"""Every supported NumPy: pyproject's floor is the one CI tests (`make test-numpy-floor` runs the core
tests, this file among them, with that NumPy ahead of the venv's), and the NumPy 2 names netgrad's
backward formulas use exist on older NumPy (netgrad/autograd/compat.py)."""

from __future__ import annotations

import os
import pathlib
import re

import numpy as np
import pytest

import netgrad as ng
from netgrad.autograd import compat

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _floor_from_pyproject() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    m = re.search(r'^dependencies = \["numpy>=([0-9.]+)"\]', text, re.M)
    assert m, "pyproject.toml: numpy's floor not found"
    return m.group(1)


def test_floor_declared_is_the_floor_tested():
    floor = _floor_from_pyproject()
    m = re.search(r"^NUMPY_FLOOR := ([0-9.]+)$", (ROOT / "Makefile").read_text(), re.M)
    assert m and m.group(1) == floor
    assert tuple(int(p) for p in floor.split(".")) <= tuple(int(p) for p in np.__version__.split(".")[:3])


def test_running_on_the_numpy_ci_asked_for():
    want = os.environ.get("NETGRAD_EXPECT_NUMPY")
    if want is None:
        pytest.skip("only under make test-numpy-floor (NETGRAD_EXPECT_NUMPY names the NumPy it installed)")
    assert np.__version__ == want
    assert compat.NUMPY_VERSION == tuple(int(p) for p in want.split(".")[:2])


@pytest.mark.parametrize("name, old", [
    ("permute_dims", "transpose"), ("concat", "concatenate"), ("pow", "power"), ("acos", "arccos"),
    ("asin", "arcsin"), ("atan", "arctan"), ("atan2", "arctan2"), ("acosh", "arccosh"),
    ("asinh", "arcsinh"), ("atanh", "arctanh"), ("bitwise_invert", "invert"),
    ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift"),
])
def test_numpy2_names_agree_with_numpy1_spellings(name, old):
    new_fn, old_fn = getattr(np, name), getattr(np, old)
    if name == "permute_dims":
        a = np.arange(24.0).reshape(2, 3, 4)
        np.testing.assert_array_equal(new_fn(a, (2, 0, 1)), old_fn(a, (2, 0, 1)))
    elif name == "concat":
        np.testing.assert_array_equal(new_fn([np.ones(2), np.zeros(3)]), old_fn([np.ones(2), np.zeros(3)]))
    elif name.startswith("bitwise"):
        a = np.array([1, 2, 5], dtype=np.int64)
        args = (a,) if name == "bitwise_invert" else (a, np.array([1, 0, 2]))
        np.testing.assert_array_equal(new_fn(*args), old_fn(*args))
    else:
        a = np.array([0.1, 0.5, 0.9]) + (1.0 if name == "acosh" else 0.0)
        args = (a, a[::-1]) if name in ("pow", "atan2") else (a,)
        np.testing.assert_allclose(new_fn(*args), old_fn(*args))


def test_backward_through_transposes_and_permutes():
    """On NumPy 1.26 without the shim every backward through a transpose failed (issue 17)."""
    x = ng.randn(2, 3, 4, dtype=ng.float64, requires_grad=True)
    y = (x.permute(2, 0, 1) * ng.arange(4.0, dtype=ng.float64).reshape(4, 1, 1)).transpose(0, 1).sum()
    y.backward()
    want = np.broadcast_to(np.arange(4.0), (2, 3, 4))
    np.testing.assert_allclose(x.grad.numpy(), want)
    w = ng.randn(3, 5, dtype=ng.float64, requires_grad=True)
    (g,) = ng.autograd.grad((x.reshape(8, 3) @ w).t().sum(), w, create_graph=True)
    g.sum().backward()  # double backward through the transposes too
    assert ng.testing.gradcheck(lambda a: a.mT.permute(2, 1, 0).sin(), [x])
