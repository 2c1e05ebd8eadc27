"""lgamma, digamma, polygamma, mvlgamma (functional/gamma.py): values against mpmath and torch
(float32 and float64, poles and tails), gradients, gradcheck and second derivatives vs torch."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch
from pointwise_check import check_int_dtype, check_out
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.functional import gamma as G
from netgrad.testing import gradcheck

EDGES = np.array([0.0, -0.0, -1.0, -2.0, 1.0, 2.0, 0.5, -0.5, -2.5, 1e-8, 1e-300, 1e5, np.inf, np.nan])


def _draw(rng, n=40):
    x = np.concatenate([rng.uniform(-12, 30, n), 10.0 ** rng.uniform(-6, 4, n // 2)])
    return x[np.abs(x - np.round(x)) > 1e-3]  # away from the poles at the non-positive integers


def test_float64_accuracy_against_mpmath(rng):
    mpmath.mp.dps = 30
    x = _draw(rng)
    ref = {"lgamma": lambda v: mpmath.loggamma(v).real, "digamma": mpmath.digamma,
           "trigamma": lambda v: mpmath.polygamma(1, v), "tetragamma": lambda v: mpmath.polygamma(2, v)}
    ours = {"lgamma": G._lgamma, "digamma": G._digamma, "trigamma": lambda v: G._polygamma(1, v),
            "tetragamma": lambda v: G._polygamma(2, v)}
    for name, fn in ref.items():
        exact = np.array([float(fn(mpmath.mpf(float(v)))) for v in x])
        # relative to max(|value|, 1): near a root only the absolute error is meaningful
        err = np.abs(ours[name](x) - exact) / np.maximum(np.abs(exact), 1.0)
        assert err.max() < 1e-13, (name, x[np.argmax(err)], err.max())


@pytest.mark.parametrize("name", ["lgamma", "digamma"])
def test_unary_match_torch(name, rng):
    ngf, thf = getattr(ng, name), getattr(torch, name)
    for dt, tol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        x = np.concatenate([_draw(rng), EDGES]).astype(dt)
        with np.errstate(all="ignore"):
            assert_close(ngf(ng.tensor(x)), thf(torch.from_numpy(x)), tol, tol, f"{dt.__name__} value")
    x = rng.uniform(0.3, 4.0, (2, 3)) * np.sign(rng.standard_normal((2, 3))) + 0.05
    assert gradcheck(ngf, [ng.tensor(x, requires_grad=True)])
    compare_with_torch(ngf, thf, [x], atol=1e-10, rtol=1e-8, double_backward=True)
    compare_with_torch(ngf, thf, [x.astype(np.float32)], atol=1e-4, rtol=1e-4)
    assert_close(getattr(ng.tensor(x), name)(), thf(torch.from_numpy(x)), 1e-12, 1e-12, "method")
    check_int_dtype(ngf, thf, [1, 2, 5])
    check_out(ngf, thf, np.abs(x).astype(np.float32) + 0.5, name)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_matches_torch(n, rng):
    x = _draw(rng)
    # torch's trigamma is good to ~1e-9 relative; netgrad's is checked against mpmath above
    assert_close(ng.polygamma(n, ng.tensor(x)), torch.polygamma(n, torch.from_numpy(x)), 1e-12, 1e-8)
    y = rng.uniform(0.3, 4.0, (2, 3)) + 0.05
    assert gradcheck(lambda t: ng.polygamma(n, t), [ng.tensor(y, requires_grad=True)])
    compare_with_torch(lambda t: ng.polygamma(n, t), lambda t: torch.polygamma(n, t), [y], atol=1e-9,
                       rtol=1e-8, double_backward=True)
    assert_close(ng.tensor(y).polygamma(n), torch.from_numpy(y).polygamma(n), 1e-10, 1e-8, "method")
    assert_close(ng.polygamma(0, ng.tensor(y)), torch.digamma(torch.from_numpy(y)), 1e-12, 1e-12)
    with pytest.raises(RuntimeError, match="polygamma"):
        ng.polygamma(-1, ng.tensor(y))


def test_poles_as_torch():
    e = np.array([0.0, -0.0, -1.0, -3.0, np.inf, -np.inf, np.nan])
    for name in ("lgamma", "digamma"):
        with np.errstate(all="ignore"):
            expected = getattr(torch, name)(torch.from_numpy(e))
            assert_close(getattr(ng, name)(ng.tensor(e)), expected, 0, 0, name)
    assert_close(ng.polygamma(1, ng.tensor(e[:2])), torch.polygamma(1, torch.from_numpy(e[:2])), 0, 0)


def test_mvlgamma_matches_torch(rng):
    x = rng.uniform(2.0, 6.0, (2, 3))
    for p in (1, 2, 4):
        # second derivatives go through trigamma, torch's good to ~1e-9
        compare_with_torch(lambda t: ng.mvlgamma(t, p=p), lambda t: torch.mvlgamma(t, p=p), [x],
                           atol=1e-8, rtol=1e-8, double_backward=True)
        assert_close(ng.tensor(x).mvlgamma(p), torch.from_numpy(x).mvlgamma(p), 1e-10, 1e-10)
    with pytest.raises(RuntimeError, match="mvlgamma"):
        ng.mvlgamma(ng.tensor([0.4]), p=2)
