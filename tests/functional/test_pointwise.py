"""Pointwise exp/log/special ops (functional/pointwise.py) and fused arithmetic
(functional/arith.py) against torch: values incl. edge inputs in float32 and float64,
gradcheck, first and second derivatives, dtypes, out=; erf/erfc/erfinv against mpmath."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch
from pointwise_check import check_binary, check_int_dtype, check_out, check_unary, sample
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.functional import _special
from netgrad.testing import gradcheck

UNARY = [("log2", "pos"), ("log10", "pos"), ("log1p", "pos"), ("expm1", "any"), ("exp2", "any"),
         ("erf", "any"), ("erfc", "any"), ("erfinv", "unit"), ("rsqrt", "pos"), ("logit", "prob")]


@pytest.mark.parametrize("name,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_torch(name, domain, rng):
    check_unary(getattr(ng, name), getattr(torch, name), domain, rng)


@pytest.mark.parametrize("name,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_method_int_dtype_and_out(name, domain, rng):
    x = ng.tensor(sample(rng, (3,), domain))
    assert_close(getattr(x, name)(), getattr(ng, name)(x), 0, 0, "method")
    check_int_dtype(getattr(ng, name), getattr(torch, name), [0, 1, 2, 3])
    check_out(getattr(ng, name), getattr(torch, name), sample(rng, (2, 3), domain).astype(np.float32), name)


def test_special_functions_float64_accuracy(rng):
    """erf, erfc, erfinv to ~1e-15 relative against mpmath, tails included."""
    mpmath.mp.dps = 30
    x = np.concatenate([rng.uniform(-6, 6, 60), 10.0 ** rng.uniform(-300, 1.4, 30), [0.46875, 4.0, 26.0]])
    y = np.concatenate([rng.uniform(-1, 1, 60), 1 - 10.0 ** rng.uniform(-16, -1, 30), [0.7, -0.7]])
    for fn, ref, v in ((_special.erf, mpmath.erf, x), (_special.erfc, mpmath.erfc, x),
                       (_special.erfinv, mpmath.erfinv, y)):
        exact = np.array([float(ref(mpmath.mpf(float(t)))) for t in v])
        np.testing.assert_allclose(fn(v), exact, rtol=2e-15, atol=0, err_msg=fn.__name__)


def test_special_function_edges():
    e = _special.erfinv(np.array([1.0, -1.0, 1.5, -2.0, np.nan, 0.0]))
    np.testing.assert_array_equal(e, [np.inf, -np.inf, np.nan, np.nan, np.nan, 0.0])
    np.testing.assert_array_equal(_special.erf(np.array([np.inf, -np.inf, 30.0])), [1.0, -1.0, 1.0])
    np.testing.assert_array_equal(_special.erfc(np.array([np.inf, -np.inf, 30.0])), [0.0, 2.0, 0.0])


def test_erfinv_near_one_gradient_vs_torch():
    v = np.array([0.999999, -0.99, 1e-12, 0.5])
    compare_with_torch(ng.erfinv, torch.erfinv, [v], atol=1e-8, rtol=1e-9, double_backward=True)


def test_logit_eps_matches_torch(rng):
    x = np.concatenate([sample(rng, (4,), "prob"), [0.005, 0.995]])
    compare_with_torch(lambda t: ng.logit(t, eps=0.01), lambda t: torch.logit(t, eps=0.01), [x],
                       atol=1e-10, rtol=1e-9, double_backward=True)
    for v in ([-0.5, 1.5, 0.0, 1.0],):
        nx = ng.tensor(v, dtype=ng.float64, requires_grad=True)
        tx = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        ng.logit(nx).backward(ng.ones(4, dtype=ng.float64))
        torch.logit(tx).backward(torch.ones(4, dtype=torch.float64))
        assert_close(nx.grad, tx.grad, 0, 0, "logit' outside [0, 1]")


@pytest.mark.parametrize("name,doms", [("xlogy", ("any", "pos")), ("logaddexp", ("any", "any")),
                                       ("logaddexp2", ("any", "any"))])
def test_binary_matches_torch(name, doms, rng):
    check_binary(getattr(ng, name), getattr(torch, name), doms, rng)
    x = ng.tensor(sample(rng, (3,), doms[1]))
    assert_close(getattr(x, name)(x), getattr(ng, name)(x, x), 0, 0, "method")


def test_xlogy_zero_conventions():
    x = np.array([0.0, 0.0, 0.0, 2.0, 0.0, 1.0])
    y = np.array([0.0, -1.0, np.nan, 0.0, 3.0, -1.0])
    compare_with_torch(ng.xlogy, torch.xlogy, [x, y])
    # second derivatives where y != 0 (netgrad's div warns on a zero divisor)
    compare_with_torch(ng.xlogy, torch.xlogy, [x[[1, 2, 4, 5]], y[[1, 2, 4, 5]]], double_backward=True)


def test_logaddexp_extremes():
    a = np.array([1000.0, -1000.0, -np.inf, np.inf, 0.0])
    b = np.array([1000.0, -1000.0, -np.inf, 1.0, -800.0])
    for name in ("logaddexp", "logaddexp2"):
        assert_close(getattr(ng, name)(ng.tensor(a), ng.tensor(b)),
                     getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b)), 1e-12, 1e-12)


def test_lerp_addcmul_addcdiv_match_torch(rng):
    a, b, w = sample(rng, (2, 3), "any"), sample(rng, (3,), "any"), sample(rng, (2, 1), "any")
    t2 = sample(rng, (2, 3), "nonzero")
    for dt in (np.float64, np.float32):
        tol = dict(atol=1e-10, rtol=1e-9) if dt is np.float64 else dict(atol=1e-5, rtol=1e-5)
        db = dt is np.float64
        args = [v.astype(dt) for v in (a, b, w)]
        compare_with_torch(ng.lerp, torch.lerp, args, double_backward=db, **tol)
        compare_with_torch(lambda x, y: ng.lerp(x, y, 0.7), lambda x, y: torch.lerp(x, y, 0.7),
                           args[:2], double_backward=db, **tol)
        args = [v.astype(dt) for v in (a, b, t2)]
        compare_with_torch(lambda x, y, z: ng.addcmul(x, y, z, value=-0.5),
                           lambda x, y, z: torch.addcmul(x, y, z, value=-0.5), args,
                           double_backward=db, **tol)
        compare_with_torch(lambda x, y, z: ng.addcdiv(x, y, z, value=2),
                           lambda x, y, z: torch.addcdiv(x, y, z, value=2), args, double_backward=db, **tol)
    ts = [ng.tensor(v, requires_grad=True) for v in (a, b, t2)]
    assert gradcheck(ng.lerp, ts) and gradcheck(ng.addcmul, ts) and gradcheck(ng.addcdiv, ts)
    # exact at the ends, as torch's two-sided formula
    x, y = ng.tensor([0.1, 1e8]), ng.tensor([0.3, -1e-8])
    assert_close(ng.lerp(x, y, 1.0), y, 0, 0)
    assert_close(ng.tensor([2, 3]).addcmul(ng.tensor([4, 5]), ng.tensor([1, 2])),
                 torch.tensor([2, 3]).addcmul(torch.tensor([4, 5]), torch.tensor([1, 2])), 0, 0)
    with pytest.raises(RuntimeError, match="addcdiv"):
        ng.addcdiv(ng.tensor([1]), ng.tensor([1]), ng.tensor([2]))


def test_float_power_clamp_min_max_match_torch(rng):
    x = sample(rng, (2, 3), "pos").astype(np.float32)
    compare_with_torch(lambda t: ng.float_power(t, 1.5), lambda t: torch.float_power(t, 1.5), [x],
                       atol=1e-10, rtol=1e-9)
    e = sample(rng, (3,), "any")
    compare_with_torch(ng.float_power, torch.float_power, [x.astype(np.float64), e], double_backward=True)
    check_int_dtype(lambda t: ng.float_power(t, 2), lambda t: torch.float_power(t, 2), [1, 2, -3])
    m = np.where(np.abs(x - 1.0) < 0.05, x + 0.1, x).astype(np.float64)
    bound = np.ones(3)
    for name in ("clamp_min", "clamp_max"):
        compare_with_torch(lambda t, f=name: getattr(ng, f)(t, 1.0),
                           lambda t, f=name: getattr(torch, f)(t, 1.0), [m])
        compare_with_torch(getattr(ng, name), getattr(torch, name), [m, bound])
        check_int_dtype(lambda t, f=name: getattr(ng, f)(t, 0),
                        lambda t, f=name: getattr(torch, f)(t, 0), [-1, 2])
        check_int_dtype(lambda t, f=name: getattr(ng, f)(t, 0.5), lambda t, f=name: getattr(torch, f)(t, 0.5),
                        [-1, 2])
        nan = np.array([np.nan, 2.0])
        assert_close(getattr(ng, name)(ng.tensor(nan), 1.0), getattr(torch, name)(torch.from_numpy(nan), 1.0))


def test_nan_to_num_and_positive(rng):
    x = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0])
    for dt in (np.float32, np.float64):
        v = x.astype(dt)
        compare_with_torch(ng.nan_to_num, torch.nan_to_num, [v])
        compare_with_torch(lambda t: ng.nan_to_num(t, nan=1.0, posinf=2.0, neginf=-3.0),
                           lambda t: torch.nan_to_num(t, nan=1.0, posinf=2.0, neginf=-3.0), [v])
    check_int_dtype(ng.nan_to_num, torch.nan_to_num, [1, -2])
    o = ng.zeros(5)
    assert ng.nan_to_num(ng.tensor(x.astype(np.float32)), out=o) is o
    assert_close(o, torch.nan_to_num(torch.from_numpy(x.astype(np.float32))))
    with pytest.raises(RuntimeError, match="nan_to_num"):  # torch wants out's dtype to be input's
        ng.nan_to_num(ng.tensor(x.astype(np.float32)), out=ng.zeros(5, dtype=ng.float64))
    t = ng.tensor([1.0, -2.0], requires_grad=True)
    assert ng.positive(t) is t and +t is t
    with pytest.raises(RuntimeError, match="bool"):
        ng.positive(ng.tensor([True]))


def test_binary_out_and_mixed_dtypes(rng):
    x = sample(rng, (2, 3), "pos")
    check_out(lambda a, out: ng.xlogy(a, 2.0, out=out),
              lambda a, out: torch.xlogy(a, 2.0, out=out), x, "xlogy")
    check_out(lambda a, out: ng.lerp(a, a * 2, 0.3, out=out),
              lambda a, out: torch.lerp(a, a * 2, 0.3, out=out), x, "lerp")
    check_out(lambda a, out: ng.lerp(a, a * 2, a, out=out),
              lambda a, out: torch.lerp(a, a * 2, a, out=out), x, "lerp", exact=True)
    a32, b64 = np.float32([1.0, 2.0]), np.float64([0.5, 3.0])
    for name in ("logaddexp", "xlogy"):
        r = getattr(ng, name)(ng.tensor(a32), ng.tensor(b64))
        assert r.dtype == getattr(torch, name)(torch.from_numpy(a32), torch.from_numpy(b64)).numpy().dtype
    r = ng.xlogy(ng.tensor([1, 2]), 3)
    assert_close(r, torch.xlogy(torch.tensor([1, 2]), 3))


XP_NAMES = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arctanh",
            "deg2rad", "rad2deg", "sinc", "log2", "log10", "log1p", "expm1", "exp2", "floor", "ceil",
            "trunc", "rint", "signbit", "logical_not"]
XP_BINARY = ["arctan2", "hypot", "logaddexp", "logaddexp2", "copysign", "remainder", "fmod",
             "floor_divide", "float_power", "logical_and", "logical_or", "logical_xor", "isclose"]


def test_xp_names_follow_numpy(rng):
    """Backward formulas call xp.<name>: netgrad's function must agree with NumPy's of that name."""
    from netgrad.functional.core import ng_xp

    x = rng.uniform(-0.9, 0.9, 5)
    y = rng.uniform(0.5, 2.0, 5)
    for name in XP_NAMES:
        with np.errstate(invalid="ignore"):
            assert_close(getattr(ng_xp, name)(ng.tensor(x)), getattr(np, name)(x), 1e-12, 1e-12, name)
    x = np.abs(x) + 0.1  # float_power: a negative base to a fractional power is NaN
    for name in XP_BINARY:
        assert_close(getattr(ng_xp, name)(ng.tensor(x), ng.tensor(y)), getattr(np, name)(x, y), 1e-12, 1e-12,
                     name)
    i, j = np.array([5, -3, 12]), np.array([3, 2, 10])
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        assert_close(getattr(ng_xp, name)(ng.tensor(i), ng.tensor(j)), getattr(np, name)(i, j), 0, 0, name)
    assert_close(ng_xp.invert(ng.tensor(i)), np.invert(i), 0, 0, "invert")
