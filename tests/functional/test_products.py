"""Matrix products on the torch namespace and as Tensor methods (mv, addmm, addmv, addbmm, baddbmm,
addr, ger/outer, inner, vdot, tensordot, dist, chain_matmul/multi_dot, matrix_power, cross, trace)
against torch: values, gradients, second derivatives, gradcheck, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck

CASES = [
    ("mv", lambda m: (lambda a, v: m.mv(a, v)), [(3, 4), (4,)]),
    ("mv_method", lambda m: (lambda a, v: a.mv(v)), [(3, 4), (4,)]),
    ("addmm", lambda m: (lambda x, a, b: m.addmm(x, a, b)), [(3, 2), (3, 4), (4, 2)]),
    ("addmm_scaled_bcast", lambda m: (lambda x, a, b: m.addmm(x, a, b, beta=0.5, alpha=-2.0)),
     [(2,), (3, 4), (4, 2)]),
    ("addmm_method", lambda m: (lambda x, a, b: x.addmm(a, b, alpha=3)), [(3, 2), (3, 4), (4, 2)]),
    ("addmv", lambda m: (lambda x, a, v: m.addmv(x, a, v, beta=2.0)), [(3,), (3, 4), (4,)]),
    ("addbmm", lambda m: (lambda x, a, b: m.addbmm(x, a, b, alpha=0.5)), [(3, 2), (5, 3, 4), (5, 4, 2)]),
    ("baddbmm", lambda m: (lambda x, a, b: m.baddbmm(x, a, b, beta=-1.0)), [(5, 3, 2), (5, 3, 4), (5, 4, 2)]),
    ("baddbmm_method", lambda m: (lambda x, a, b: x.baddbmm(a, b)), [(1, 3, 2), (5, 3, 4), (5, 4, 2)]),
    ("addr", lambda m: (lambda x, a, b: m.addr(x, a, b, beta=0.5, alpha=2)), [(3, 4), (3,), (4,)]),
    ("ger", lambda m: (lambda a, b: m.ger(a, b)), [(3,), (4,)]),
    ("outer_method", lambda m: (lambda a, b: a.outer(b)), [(3,), (4,)]),
    ("inner_1d", lambda m: (lambda a, b: m.inner(a, b)), [(4,), (4,)]),
    ("inner_nd", lambda m: (lambda a, b: m.inner(a, b)), [(2, 3, 4), (5, 4)]),
    ("inner_scalar", lambda m: (lambda a, b: m.inner(a, b)), [(), (2, 3)]),
    ("vdot", lambda m: (lambda a, b: m.vdot(a, b)), [(4,), (4,)]),
    ("tensordot_int", lambda m: (lambda a, b: m.tensordot(a, b, dims=2)), [(2, 3, 4), (3, 4, 5)]),
    ("tensordot_zero", lambda m: (lambda a, b: m.tensordot(a, b, dims=0)), [(2, 3), (4,)]),
    ("tensordot_lists", lambda m: (lambda a, b: m.tensordot(a, b, dims=([0, 2], [1, 0]))),
     [(2, 3, 4), (4, 2, 5)]),
    ("tensordot_neg", lambda m: (lambda a, b: m.tensordot(a, b, dims=([-1], [0]))), [(2, 3), (3, 4)]),
    ("dist", lambda m: (lambda a, b: m.dist(a, b)), [(3, 4), (4,)]),
    ("dist_p3", lambda m: (lambda a, b: m.dist(a, b, p=3)), [(3, 4), (3, 4)]),
    ("dist_inf_method", lambda m: (lambda a, b: a.dist(b, float("inf"))), [(3, 4), (3, 4)]),
    ("chain_matmul", lambda m: (lambda a, b, c: m.chain_matmul(a, b, c)), [(2, 3), (3, 4), (4, 2)]),
    ("multi_dot", lambda m: (lambda a, b, c: m.linalg.multi_dot([a, b, c])), [(3,), (3, 4), (4, 2)]),
    ("matrix_power", lambda m: (lambda a: m.matrix_power(a, 5)), [(2, 3, 3)]),
    ("matrix_power_0", lambda m: (lambda a: m.linalg.matrix_power(a, 0)), [(3, 3)]),
    ("cross", lambda m: (lambda a, b: m.cross(a, b, dim=1)), [(2, 3), (2, 3)]),
    ("trace", lambda m: (lambda a: m.trace(a)), [(3, 4)]),
    ("det_top", lambda m: (lambda a: m.det(a)), [(2, 3, 3)]),
    ("slogdet_top", lambda m: (lambda a: m.slogdet(a)[1]), [(3, 3)]),
    ("logdet_method", lambda m: (lambda a: (a @ a.mT).logdet()), [(3, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, shapes, rng):
    inputs = [rng.standard_normal(s) for s in shapes]
    compare_with_torch(fn(ng), fn(torch), inputs, atol=1e-9, rtol=1e-8, double_backward=True)
    out = fn(ng)(*[ng.tensor(a.astype(np.float32)) for a in inputs])
    ref = fn(torch)(*[torch.tensor(a.astype(np.float32)) for a in inputs])
    assert_close(out, ref, atol=1e-4, rtol=1e-4, what=name)


@pytest.mark.parametrize("name", ["addmm_scaled_bcast", "addbmm", "baddbmm", "addr", "inner_nd",
                                  "tensordot_lists", "dist_p3", "matrix_power"])
def test_gradcheck(name, rng):
    _, fn, shapes = next(c for c in CASES if c[0] == name)
    inputs = [ng.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradcheck(fn(ng), inputs)
    assert gradgradcheck(fn(ng), inputs)


def test_beta_zero_ignores_nan_input(rng):
    x = np.full((2, 2), np.nan)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    out = ng.addmm(ng.tensor(x), ng.tensor(a), ng.tensor(b), beta=0)
    ref = torch.addmm(torch.tensor(x), torch.tensor(a), torch.tensor(b), beta=0)
    assert_close(out, ref, atol=1e-12)
    assert not np.isnan(out.numpy()).any()


def test_integer_products_stay_integer():
    a = np.arange(6).reshape(2, 3)
    assert_close(ng.mv(ng.tensor(a), ng.tensor(np.arange(3))), torch.mv(torch.tensor(a), torch.arange(3)))
    assert ng.tensordot(ng.tensor(a), ng.tensor(a.T), 1).dtype == ng.int64


ERRORS = {
    "mv_dims": lambda m: m.mv(m.ones(2, 3), m.ones(2, 3)),
    "mv_sizes": lambda m: m.mv(m.ones(2, 3), m.ones(2)),
    "addmm_1d": lambda m: m.addmm(m.ones(2), m.ones(2), m.ones(2, 2)),
    "addmm_inner": lambda m: m.addmm(m.ones(2, 2), m.ones(2, 3), m.ones(2, 2)),
    "bmm_batch": lambda m: m.baddbmm(m.ones(2, 2), m.ones(3, 2, 2), m.ones(4, 2, 2)),
    "addr_2d": lambda m: m.addr(m.ones(2, 2), m.ones(2, 2), m.ones(2)),
    "vdot_2d": lambda m: m.vdot(m.ones(2, 2), m.ones(4)),
    "vdot_sizes": lambda m: m.vdot(m.ones(3), m.ones(4)),
    "inner_sizes": lambda m: m.inner(m.ones(2, 3), m.ones(4)),
    "tensordot_mismatch": lambda m: m.tensordot(m.ones(2, 3), m.ones(4, 5), dims=1),
    "tensordot_neg_dims": lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 5), dims=-1),
    "matrix_power_nonsquare": lambda m: m.matrix_power(m.ones(2, 3), 2),
    "multi_dot_one": lambda m: m.linalg.multi_dot([m.ones(2, 2)]),
    "multi_dot_chain": lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(2, 3)]),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_match_torch(case):
    with pytest.raises(Exception) as et:
        ERRORS[case](torch)
    with pytest.raises(type(et.value)) as en:
        ERRORS[case](ng)
    assert str(en.value)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse(upper, rng):
    x = rng.standard_normal((2, 3, 3))
    b = rng.standard_normal((2, 3, 2))

    def factor(m, a):
        return m.linalg.cholesky(a @ a.mT + 3 * m.eye(3, dtype=a.dtype), upper=upper)

    compare_with_torch(lambda a, c: ng.cholesky_solve(c, factor(ng, a), upper),
                       lambda a, c: torch.cholesky_solve(c, factor(torch, a), upper), [x, b],
                       atol=1e-9, rtol=1e-8, double_backward=True)
    compare_with_torch(lambda a: factor(ng, a).cholesky_inverse(upper),
                       lambda a: factor(torch, a).cholesky_inverse(upper), [x], atol=1e-9, rtol=1e-8)
    xs = [ng.tensor(x, requires_grad=True), ng.tensor(b, requires_grad=True)]
    assert gradcheck(lambda a, c: ng.cholesky_solve(c, factor(ng, a), upper), xs)


@pytest.mark.parametrize("name,shapes", [("addmm_", [(3, 2), (3, 4), (4, 2)]),
                                         ("addmv_", [(3,), (3, 4), (4,)]),
                                         ("addr_", [(3, 4), (3,), (4,)]),
                                         ("baddbmm_", [(5, 3, 2), (5, 3, 4), (5, 4, 2)]),
                                         ("addbmm_", [(3, 2), (5, 3, 4), (5, 4, 2)])])
def test_inplace_variants_match_torch(name, shapes, rng):
    def f(m):
        def run(x, a, b):
            y = x * 1  # a non-leaf, so the in-place op is recorded
            getattr(y, name)(a, b, beta=0.5, alpha=2)
            return y
        return run

    compare_with_torch(f(ng), f(torch), [rng.standard_normal(s) for s in shapes], atol=1e-9, rtol=1e-8)
