"""Trigonometric ops (netgrad/functional/trig.py) against torch: values on random and edge
inputs in float32 and float64, gradcheck, first and second derivatives, dtypes, out=."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from pointwise_check import check_binary, check_int_dtype, check_out, check_unary
from torch_ref import assert_close

import netgrad as ng

# name, input domain (see pointwise_check.EDGES)
UNARY = [("sin", "any"), ("cos", "any"), ("tan", "unit"), ("asin", "unit"), ("acos", "unit"),
         ("atan", "any"), ("sinh", "any"), ("cosh", "any"), ("asinh", "any"), ("acosh", "ge1"),
         ("atanh", "unit"), ("deg2rad", "any"), ("rad2deg", "any"), ("sinc", "nonzero")]
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
           "arccosh": "acosh", "arctanh": "atanh", "arctan2": "atan2"}


@pytest.mark.parametrize("name,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_torch(name, domain, rng):
    check_unary(getattr(ng, name), getattr(torch, name), domain, rng)


@pytest.mark.parametrize("name,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_method_and_int_dtype(name, domain, rng):
    x = ng.tensor(rng.standard_normal(3) * 0.5)
    assert_close(getattr(x, name)(), getattr(ng, name)(x), 0, 0, "method")
    check_int_dtype(getattr(ng, name), getattr(torch, name), [0, 1, -2, 3])


@pytest.mark.parametrize("name", ["atan2", "hypot"])
def test_binary_matches_torch(name, rng):
    check_binary(getattr(ng, name), getattr(torch, name), ("nonzero", "nonzero"), rng)
    x = ng.tensor(rng.standard_normal(3))
    assert_close(getattr(x, name)(x), getattr(ng, name)(x, x), 0, 0, "method")


def test_atan2_quadrants_and_edges():
    y = np.array([0.0, 0.0, -0.0, 1.0, -1.0, 1.0, -1.0, np.inf, -np.inf, np.inf, 0.0, np.nan])
    x = np.array([0.0, -0.0, -0.0, 0.0, 0.0, -1.0, -1.0, np.inf, 1.0, -np.inf, np.nan, 1.0])
    for dt in (np.float32, np.float64):
        assert_close(ng.atan2(ng.tensor(y.astype(dt)), ng.tensor(x.astype(dt))),
                     torch.atan2(torch.from_numpy(y.astype(dt)), torch.from_numpy(x.astype(dt))), 0, 1e-6)
    # mixed operands follow torch's promotion
    i = np.array([1, -2, 3])
    assert_close(ng.atan2(ng.tensor(i), ng.tensor(i)), torch.atan2(torch.from_numpy(i), torch.from_numpy(i)))
    a32, b64 = np.float32([1.0, 2.0]), np.array(0.5)
    assert ng.atan2(ng.tensor(a32), ng.tensor(b64)).dtype == ng.float32  # 0-d float64 does not widen
    assert ng.atan2(ng.tensor(a32), ng.tensor(np.float64([0.5, 1.0]))).dtype == ng.float64


def test_hypot_large_and_zero():
    a = np.array([3e200, 0.0, -3.0, np.inf, 0.0])
    b = np.array([4e200, 0.0, 4.0, np.nan, -5.0])
    assert_close(ng.hypot(ng.tensor(a), ng.tensor(b)), torch.hypot(torch.from_numpy(a), torch.from_numpy(b)))


def test_mixed_dtype_gradients_reach_each_input(rng):
    a = rng.standard_normal(3).astype(np.float32)
    b = rng.standard_normal(3) + 2.0
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    na, nb = ng.tensor(a, requires_grad=True), ng.tensor(b, requires_grad=True)
    torch.atan2(ta, tb).sum().backward()
    ng.atan2(na, nb).sum().backward()
    assert na.grad.dtype == ng.float32 and nb.grad.dtype == ng.float64
    assert_close(na.grad, ta.grad, 1e-6, 1e-5)
    assert_close(nb.grad, tb.grad, 1e-6, 1e-5)


def test_singular_points_match_torch_gradients():
    for name, v in [("asin", [1.0, -1.0]), ("acos", [1.0]), ("atanh", [1.0, -1.0]), ("acosh", [1.0]),
                    ("sinc", [0.0])]:
        nx = ng.tensor(v, dtype=ng.float64, requires_grad=True)
        tx = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        getattr(ng, name)(nx).backward(ng.ones(len(v), dtype=ng.float64))
        getattr(torch, name)(tx).backward(torch.ones(len(v), dtype=torch.float64))
        assert_close(nx.grad, tx.grad, 0, 0, f"{name}'({v})")


@pytest.mark.parametrize("name", ["sin", "acos", "sinc", "deg2rad"])
def test_unary_out(name, rng):
    x = rng.uniform(-0.9, 0.9, (2, 3)).astype(np.float32)
    check_out(getattr(ng, name), getattr(torch, name), x, name)


def test_binary_out_and_aliases(rng):
    x = rng.uniform(-1, 1, (2, 3))
    check_out(lambda a, out: ng.atan2(a, 0.5 * a + 1, out=out),
              lambda a, out: torch.atan2(a, 0.5 * a + 1, out=out), x, "atan2")
    for alias, name in ALIASES.items():
        assert getattr(ng, alias) is getattr(ng, name)
        t = ng.tensor(x * 0.5)
        args = (t,) if name != "atan2" else (t, t)
        expected = getattr(torch, alias)(*[torch.from_numpy(x * 0.5)] * len(args))
        assert_close(getattr(t, alias)(*args[1:]), expected)


def test_inplace_variants_are_generated(rng):
    if not hasattr(ng.Tensor, "sin_"):
        pytest.skip("in-place variants (functional/inplace.py) not in this tree")
    x = rng.uniform(-0.9, 0.9, 4)
    t, tt = ng.tensor(x), torch.tensor(x)
    assert t.sin_() is t
    tt.sin_()
    assert_close(t, tt)


def test_errors_name_the_op():
    with pytest.raises(TypeError, match="sin"):
        ng.sin("a")
    with pytest.raises(TypeError, match="out"):
        ng.cos(ng.ones(2), out=np.zeros(2))
