"""Logical, bitwise and closeness ops (functional/logical.py) against torch: values and dtypes
on bool, integer and float inputs, Python operators & | ^ ~, out=."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import assert_close

import netgrad as ng

INTS = np.array([0, 1, -3, 12, 255, -128])
BOOLS = np.array([True, False, True, False, True, True])
FLOATS = np.array([0.0, -0.0, 2.5, np.nan, -np.inf, 1e-300])


def _pairs():
    return [(INTS, INTS[::-1].copy()), (BOOLS, BOOLS[::-1].copy()), (INTS, BOOLS),
            (INTS.astype(np.int32), INTS), (BOOLS, 6), (INTS, 5), (INTS.astype(np.uint8), 3)]


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
def test_bitwise_binary_matches_torch(name):
    for a, b in _pairs():
        bt = torch.from_numpy(b) if isinstance(b, np.ndarray) else b
        bn = ng.tensor(b, dtype=b.dtype) if isinstance(b, np.ndarray) else b
        expected = getattr(torch, name)(torch.from_numpy(a), bt)
        got = getattr(ng, name)(ng.tensor(a, dtype=a.dtype), bn)
        what = f"{name}({a.dtype}, {b.dtype if isinstance(b, np.ndarray) else b})"
        assert_close(got, expected, 0, 0, what)
        assert got.dtype == expected.numpy().dtype
        assert_close(getattr(ng.tensor(a, dtype=a.dtype), name)(bn), expected, 0, 0, "method")
    with pytest.raises(TypeError, match=name):
        getattr(ng, name)(ng.tensor([1.0]), ng.tensor([2.0]))


def test_bitwise_not_and_operators_match_torch():
    for a in (INTS, BOOLS, INTS.astype(np.uint8)):
        t, tt = ng.tensor(a, dtype=a.dtype), torch.from_numpy(a)
        assert_close(ng.bitwise_not(t), torch.bitwise_not(tt), 0, 0)
        assert_close(~t, ~tt, 0, 0)
        for b in (a[::-1].copy(), 3):
            u = ng.tensor(b, dtype=b.dtype) if isinstance(b, np.ndarray) else b
            ut = torch.from_numpy(b) if isinstance(b, np.ndarray) else b
            assert_close(t & u, tt & ut, 0, 0, "&")
            assert_close(t | u, tt | ut, 0, 0, "|")
            assert_close(t ^ u, tt ^ ut, 0, 0, "^")
        assert_close(5 & t, 5 & tt, 0, 0, "r&")
    with pytest.raises(TypeError, match="bitwise_not"):
        ng.bitwise_not(ng.tensor([1.0]))


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_binary_matches_torch(name):
    for a, b in [(FLOATS, FLOATS[::-1].copy()), (INTS, BOOLS), (BOOLS, BOOLS[::-1].copy()), (FLOATS, 0.0),
                 (INTS, 2)]:
        bt = torch.from_numpy(b) if isinstance(b, np.ndarray) else torch.tensor(b)
        bn = ng.tensor(b, dtype=b.dtype) if isinstance(b, np.ndarray) else b
        expected = getattr(torch, name)(torch.from_numpy(a), bt)
        assert_close(getattr(ng, name)(ng.tensor(a, dtype=a.dtype), bn), expected, 0, 0)
        assert_close(getattr(ng.tensor(a, dtype=a.dtype), name)(bn), expected, 0, 0, "method")


def test_logical_not_signbit_match_torch():
    for a in (FLOATS, INTS, BOOLS, FLOATS.astype(np.float32)):
        t, tt = ng.tensor(a, dtype=a.dtype), torch.from_numpy(a)
        assert_close(ng.logical_not(t), torch.logical_not(tt), 0, 0)
        if a.dtype.kind != "b":
            assert_close(ng.signbit(t), torch.signbit(tt), 0, 0)
            assert_close(t.signbit(), tt.signbit(), 0, 0)


def test_out_for_logical_and_bitwise():
    a, b = INTS, INTS[::-1].copy()
    o, ot = ng.zeros(6, dtype=ng.bool), torch.zeros(6, dtype=torch.bool)
    assert ng.logical_and(ng.tensor(a), ng.tensor(b), out=o) is o
    torch.logical_and(torch.from_numpy(a), torch.from_numpy(b), out=ot)
    assert_close(o, ot, 0, 0)
    of, oft = ng.zeros(6), torch.zeros(6)  # torch writes bools into a float out= as 0/1
    ng.logical_or(ng.tensor(a), ng.tensor(b), out=of)
    torch.logical_or(torch.from_numpy(a), torch.from_numpy(b), out=oft)
    assert_close(of, oft, 0, 0)
    oi = ng.zeros(6, dtype=ng.int64)
    assert ng.bitwise_xor(ng.tensor(a), ng.tensor(b), out=oi) is oi
    assert_close(oi, torch.bitwise_xor(torch.from_numpy(a), torch.from_numpy(b)), 0, 0)
    with pytest.raises(RuntimeError, match="Found dtype"):
        ng.bitwise_not(ng.tensor(a), out=ng.zeros(6, dtype=ng.int32))
    with pytest.raises(RuntimeError, match="signbit"):
        ng.signbit(ng.tensor(FLOATS), out=ng.zeros(6))
    ob = ng.zeros(6, dtype=ng.bool)
    assert ng.signbit(ng.tensor(FLOATS), out=ob) is ob
    assert_close(ob, torch.signbit(torch.from_numpy(FLOATS)), 0, 0)


def test_isclose_allclose_equal_match_torch(rng):
    a = np.array([1.0, 1.0, np.inf, -np.inf, np.nan, 0.0, 1e-9, 100.0])
    b = np.array([1.0 + 1e-6, 1.1, np.inf, np.inf, np.nan, 1e-9, 0.0, 100.001])
    for dt in (np.float32, np.float64):
        x, y = a.astype(dt), b.astype(dt)
        for kw in ({}, {"rtol": 1e-3}, {"atol": 1e-3, "rtol": 0.0}, {"equal_nan": True}):
            expected = torch.isclose(torch.from_numpy(x), torch.from_numpy(y), **kw)
            assert_close(ng.isclose(ng.tensor(x), ng.tensor(y), **kw), expected, 0, 0, f"isclose {kw}")
            assert_close(ng.tensor(x).isclose(ng.tensor(y), **kw), expected, 0, 0, "method")
            assert ng.allclose(ng.tensor(x), ng.tensor(y), **kw) == torch.allclose(
                torch.from_numpy(x), torch.from_numpy(y), **kw)
    i = np.array([1, 2, 3])
    assert_close(ng.isclose(ng.tensor(i), ng.tensor(i + 1), atol=1), torch.isclose(
        torch.from_numpy(i), torch.from_numpy(i + 1), atol=1), 0, 0)
    x = rng.standard_normal(4)
    assert ng.allclose(ng.tensor(x), ng.tensor(x + 1e-12)) and not ng.allclose(ng.tensor(x), ng.tensor(x + 1))
    assert ng.equal(ng.tensor(x), ng.tensor(x.copy())) is True
    assert ng.equal(ng.tensor(x), ng.tensor(x[:3])) is False
    assert ng.equal(ng.tensor([np.nan]), ng.tensor([np.nan])) is torch.equal(
        torch.tensor([np.nan]), torch.tensor([np.nan]))
    assert ng.tensor(x).equal(ng.tensor(x))
    with pytest.raises(RuntimeError, match="isclose"):
        ng.isclose(ng.tensor([1.0]), ng.tensor([1.0], dtype=ng.float64))
    with pytest.raises(ValueError, match="isclose"):
        ng.isclose(ng.tensor([1.0]), ng.tensor([1.0]), rtol=-1.0)
