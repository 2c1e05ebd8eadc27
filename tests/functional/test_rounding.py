"""Rounding and division ops (functional/rounding.py) against torch: values and dtypes on float
and integer inputs, zero gradients of the rounding functions, remainder/fmod gradients and
second derivatives, Python operators % and //, out=."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from pointwise_check import check_binary, check_int_dtype, check_out, sample
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck

EDGE = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.0, -0.0, 1e20, -1e20, 0.49999997, np.inf, -np.inf,
                 np.nan, 3.7, -3.7])
ROUND = {"floor": lambda m: m.floor, "ceil": lambda m: m.ceil, "round": lambda m: m.round,
         "trunc": lambda m: m.trunc, "fix": lambda m: m.fix, "frac": lambda m: m.frac}


@pytest.mark.parametrize("name", list(ROUND))
def test_rounding_matches_torch(name, rng):
    ngf, thf = ROUND[name](ng), ROUND[name](torch)
    for dt in (np.float32, np.float64):
        x = np.concatenate([sample(rng, (10,), "any") * 5, EDGE]).astype(dt)
        with np.errstate(invalid="ignore"):
            assert_close(ngf(ng.tensor(x)), thf(torch.from_numpy(x)), 0, 0, f"{dt.__name__} value")
        v = sample(rng, (2, 3), "nonint").astype(dt)
        out, _ = compare_with_torch(ngf, thf, [v], double_backward=dt is np.float64)
        assert out.requires_grad  # zero gradient, but recorded, as torch does
    assert gradcheck(ngf, [ng.tensor(sample(rng, (2, 3), "nonint"), requires_grad=True)])
    x = ng.tensor(sample(rng, (3,), "any"))
    assert_close(getattr(x, name)(), ngf(x), 0, 0, "method")


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "fix"])
def test_rounding_integers_stay_integers(name, rng):
    check_int_dtype(ROUND[name](ng), ROUND[name](torch), [3, -7, 0])
    with pytest.raises(RuntimeError, match="frac"):
        ng.frac(ng.tensor([1, 2]))


@pytest.mark.parametrize("decimals", [1, 2, 3, -1, -2])
def test_round_decimals_matches_torch(decimals, rng):
    for dt in (np.float32, np.float64):
        special = [0.125, 0.375, 2.5, -2.5, 1234.5678, 15.0, 25.0, -0.0, np.inf]
        x = np.concatenate([sample(rng, (20,), "any") * 300, special]).astype(dt)
        expected = torch.round(torch.from_numpy(x), decimals=decimals)
        assert_close(ng.round(ng.tensor(x), decimals=decimals), expected, 0, 0, f"{dt.__name__}")
    with pytest.raises(RuntimeError, match="decimals"):
        ng.round(ng.tensor([1, 2]), decimals=1)


@pytest.mark.parametrize("name", ["remainder", "fmod"])
def test_remainder_fmod_match_torch(name, rng):
    check_binary(getattr(ng, name), getattr(torch, name), ("nonint", "nonzero"), rng)
    a = np.array([5.5, -5.5, 5.5, -5.5, 0.0, -0.0, 3.0, np.inf, 1.0, 1e20])
    b = np.array([2.0, 2.0, -2.0, -2.0, 2.0, -3.0, 0.0, 2.0, np.inf, 3.0])
    for dt in (np.float32, np.float64):
        with np.errstate(invalid="ignore"):
            assert_close(getattr(ng, name)(ng.tensor(a.astype(dt)), ng.tensor(b.astype(dt))),
                         getattr(torch, name)(torch.from_numpy(a.astype(dt)), torch.from_numpy(b.astype(dt))),
                         0, 1e-6)
    i, j = np.array([7, -7, 7, -7, 0]), np.array([3, 3, -3, -3, 5])
    for other in (j, 3, -2, 2.5):
        tn = ng.tensor(j) if other is j else other
        tt = torch.from_numpy(j) if other is j else other
        r = getattr(ng, name)(ng.tensor(i), tn)
        assert_close(r, getattr(torch, name)(torch.from_numpy(i), tt), 0, 1e-6)
        assert r.dtype == getattr(torch, name)(torch.from_numpy(i), tt).numpy().dtype
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        getattr(ng, name)(ng.tensor(i), 0)


def test_python_operators_mod_and_floordiv(rng):
    a = np.array([7.5, -7.5, 3.0, -0.5])
    i = np.array([7, -7, 8, -1])
    for x in (a, i):
        t, tt = ng.tensor(x), torch.from_numpy(x)
        for k in (2, -3, 2.5):
            assert_close(t % k, tt % k, 0, 1e-12, f"% {k}")
            assert_close(t // k, tt // k, 0, 1e-12, f"// {k}")
            assert_close(k % t, k % tt, 0, 1e-12, f"{k} %")
            assert_close(k // t, k // tt, 0, 1e-12, f"{k} //")
        assert_close(t % t, tt % tt, 0, 0)
    assert_close(ng.tensor(i) % 3, torch.from_numpy(i) % 3, 0, 0)
    assert (ng.tensor(i) // 2).dtype == ng.int64


def test_floor_divide_has_no_derivative(rng):
    x = ng.tensor([1.5, -2.5], requires_grad=True)
    y = ng.floor_divide(x, 2)
    assert_close(y, torch.floor_divide(torch.tensor([1.5, -2.5]), 2), 0, 0)
    with pytest.raises(RuntimeError, match="floor_divide"):
        y.sum().backward()
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ng.floor_divide(ng.tensor([1, 2]), 0)


def test_copysign_matches_torch(rng):
    a, b = sample(rng, (2, 3), "nonzero"), sample(rng, (3,), "nonzero")
    compare_with_torch(ng.copysign, torch.copysign, [a, b], double_backward=True)
    compare_with_torch(ng.copysign, torch.copysign, [a.astype(np.float32), b.astype(np.float32)])
    edge_a = np.array([0.0, -0.0, 1.0, -1.0, np.nan, np.inf])
    edge_b = np.array([-0.0, 0.0, -0.0, 0.0, -1.0, -np.inf])
    compare_with_torch(ng.copysign, torch.copysign, [edge_a, edge_b])
    compare_with_torch(lambda x: ng.copysign(x, -1.0), lambda x: torch.copysign(x, -1.0), [a])
    assert_close(ng.copysign(ng.tensor([3, -2]), ng.tensor([-1, 1])),
                 torch.copysign(torch.tensor([3, -2]), torch.tensor([-1, 1])))


def test_heaviside_matches_torch():
    x = np.array([-1.5, 0.0, -0.0, 2.0, np.nan])
    for values in (np.array([0.5]), np.array([0.1, 0.2, 0.3, 0.4, 0.5])):
        assert_close(ng.heaviside(ng.tensor(x), ng.tensor(values)),
                     torch.heaviside(torch.from_numpy(x), torch.from_numpy(values)), 0, 0)
    i = np.array([-2, 0, 3])
    expected = torch.from_numpy(i).heaviside(torch.from_numpy(i))
    assert_close(ng.tensor(i).heaviside(ng.tensor(i)), expected, 0, 0)
    with pytest.raises(RuntimeError, match="dtype"):
        ng.heaviside(ng.tensor([1.0]), ng.tensor([1]))
    y = ng.heaviside(ng.tensor([1.0], requires_grad=True), ng.tensor([0.5]))
    with pytest.raises(RuntimeError, match="heaviside"):
        y.sum().backward()


@pytest.mark.parametrize("name", ["floor", "round", "frac"])
def test_unary_out(name, rng):
    x = sample(rng, (2, 3), "nonint").astype(np.float32)
    check_out(ROUND[name](ng), ROUND[name](torch), x, name, exact=True)


def test_binary_out(rng):
    x = sample(rng, (2, 3), "nonint")
    check_out(lambda a, out: ng.remainder(a, 1.5, out=out),
              lambda a, out: torch.remainder(a, 1.5, out=out), x, "remainder")
    o = ng.zeros(3, dtype=ng.int64)
    assert ng.fmod(ng.tensor([7, -7, 5]), 3, out=o) is o
    assert_close(o, torch.fmod(torch.tensor([7, -7, 5]), 3), 0, 0)
