"""functional/numeric.py against torch: the NumPy-style aliases, fmax/fmin (values, gradients,
NaN handling), ldexp, frexp, nextafter, gcd, lcm, bit shifts and the isposinf family."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from pointwise_check import check_binary, sample
from torch_ref import assert_close, compare_with_torch

import netgrad as ng


def test_aliases_are_the_ops_and_methods_match_torch(rng):
    for alias, name in [("negative", "neg"), ("absolute", "abs"), ("multiply", "mul"), ("subtract", "sub"),
                        ("divide", "div"), ("sgn", "sign")]:
        assert getattr(ng, alias) is getattr(ng, name)
    a, b = sample(rng, (2, 3), "nonzero"), sample(rng, (3,), "nonzero")
    for name in ("multiply", "subtract", "divide"):
        compare_with_torch(getattr(ng, name), getattr(torch, name), [a, b])
        compare_with_torch(lambda x, y, f=name: getattr(x, f)(y),
                           lambda x, y, f=name: getattr(x, f)(y), [a, b])
    for name in ("negative", "absolute"):
        compare_with_torch(lambda x, f=name: getattr(x, f)(), lambda x, f=name: getattr(x, f)(), [a])
    assert_close(ng.tensor(a).sgn(), torch.from_numpy(a).sgn())
    compare_with_torch(lambda x, y: ng.rsub(x, y, alpha=2), lambda x, y: torch.rsub(x, y, alpha=2), [a, b])
    compare_with_torch(lambda x: ng.rsub(x, 3.0), lambda x: torch.rsub(x, 3.0), [a])


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_match_torch(name, rng):
    check_binary(getattr(ng, name), getattr(torch, name), ("any", "any"), rng)
    a = np.array([1.0, np.nan, np.nan, 2.0, 3.0, -0.0])
    b = np.array([np.nan, 2.0, np.nan, 2.0, -1.0, 0.0])
    compare_with_torch(getattr(ng, name), getattr(torch, name), [a, b])  # ties and NaN: torch's split
    compare_with_torch(getattr(ng, name), getattr(torch, name),
                       [a.astype(np.float32), b.astype(np.float32)])
    i, j = np.array([1, 5, -2]), np.array([3, 2, -2])
    assert_close(getattr(ng, name)(ng.tensor(i), ng.tensor(j)), getattr(torch, name)(torch.from_numpy(i),
                                                                                  torch.from_numpy(j)), 0, 0)
    assert_close(getattr(ng.tensor(a), name)(ng.tensor(b)), getattr(torch, name)(torch.from_numpy(a),
                                                                              torch.from_numpy(b)), 0, 0)


def test_ldexp_frexp_nextafter_match_torch(rng):
    x, e = sample(rng, (2, 3), "any"), np.array([3, 2, 0])
    compare_with_torch(lambda t: ng.ldexp(t, ng.tensor(e)),
                       lambda t: torch.ldexp(t, torch.from_numpy(e)), [x])
    # torch's gradient for a negative integer exponent is 0 (it takes 2^e in integers); netgrad's is
    # 2^e, as torch's own for the same exponent given as floats
    neg = np.array([-2, 3, -1])
    compare_with_torch(lambda t: ng.ldexp(t, ng.tensor(neg)),
                       lambda t: torch.ldexp(t, torch.from_numpy(neg).double()), [x])
    compare_with_torch(ng.ldexp, torch.ldexp, [x, e.astype(np.float64)], double_backward=True)
    i = np.array([1, 2, 3])
    assert_close(ng.ldexp(ng.tensor(i), ng.tensor(e)), torch.ldexp(torch.from_numpy(i), torch.from_numpy(e)))
    for dt in (np.float32, np.float64):
        v = np.array([8.0, -3.0, 0.0, 1e-30, 0.1], dtype=dt)
        m, p = ng.frexp(ng.tensor(v))
        mt, pt = torch.frexp(torch.from_numpy(v))
        assert_close(m, mt, 0, 0)
        assert_close(p, pt, 0, 0)
        assert p.dtype == ng.int32
        to = np.array([1.0, 0.0, 1.0, -1.0, 0.1], dtype=dt)
        assert_close(ng.nextafter(ng.tensor(v), ng.tensor(to)), torch.nextafter(torch.from_numpy(v),
                                                                                 torch.from_numpy(to)), 0, 0)
    with pytest.raises(RuntimeError, match="frexp"):
        ng.frexp(ng.tensor([1, 2]))


def test_integer_ops_match_torch():
    a = np.array([12, -18, 0, 7, -5, 0])
    b = np.array([8, 12, 5, 0, -15, 0])
    for name in ("gcd", "lcm"):
        for other in (b, 6):
            tn = ng.tensor(other) if isinstance(other, np.ndarray) else other
            tt = torch.from_numpy(other) if isinstance(other, np.ndarray) else torch.tensor(other)
            expected = getattr(torch, name)(torch.from_numpy(a), tt)
            assert_close(getattr(ng, name)(ng.tensor(a), tn), expected, 0, 0)
            assert_close(getattr(ng.tensor(a), name)(tn), getattr(torch.from_numpy(a), name)(tt), 0, 0)
        with pytest.raises(TypeError, match=name):
            getattr(ng, name)(ng.tensor([1.0]), ng.tensor([2.0]))
    s = np.array([0, 1, 3, 63, 64, 70])
    for v in (np.array([1, -1, 5, -8, 3, -3]), np.array([1, 2, 3, 4, 5, 6], dtype=np.int32)):
        t, tt = ng.tensor(v, dtype=v.dtype), torch.from_numpy(v)
        for name, op in (("bitwise_left_shift", lambda x, y: x << y),
                         ("bitwise_right_shift", lambda x, y: x >> y)):
            expected = getattr(torch, name)(tt, torch.from_numpy(s).to(tt.dtype))
            assert_close(getattr(ng, name)(t, ng.tensor(s.astype(v.dtype))), expected, 0, 0, name)
            assert_close(op(t, 2), op(tt, 2), 0, 0, f"{name} operator")
            assert_close(op(5, t), op(5, tt), 0, 0, f"{name} reflected")


def test_isposinf_isneginf_isreal_and_out():
    v = np.array([np.inf, -np.inf, np.nan, 0.0, 1.0])
    for name in ("isposinf", "isneginf", "isreal"):
        assert_close(getattr(ng, name)(ng.tensor(v)), getattr(torch, name)(torch.from_numpy(v)), 0, 0)
        assert_close(getattr(ng.tensor(v), name)(), getattr(torch.from_numpy(v), name)(), 0, 0)
    o = ng.zeros(5, dtype=ng.bool)
    assert ng.isposinf(ng.tensor(v), out=o) is o
    assert_close(o, torch.isposinf(torch.from_numpy(v)), 0, 0)
    of = ng.zeros(3)
    assert ng.fmax(ng.tensor([1.0, np.nan, 2.0]), 1.5, out=of) is of
    assert_close(of, torch.fmax(torch.tensor([1.0, np.nan, 2.0]), torch.tensor(1.5)), 0, 0)
    with pytest.raises(RuntimeError, match="fmax"):
        ng.fmax(ng.tensor([1.0], requires_grad=True), 1.0, out=ng.zeros(1))
