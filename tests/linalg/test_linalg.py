"""netgrad.linalg against torch.linalg: forward (float32/float64, batched), float64 gradcheck,
gradients and second derivatives vs torch.autograd, and the errors torch raises."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck

BATCH = (2,)


def _sym_pd(rng, n, batch=BATCH):
    x = rng.standard_normal(batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def _sym(rng, n, batch=BATCH):
    x = rng.standard_normal(batch + (n, n))
    return x + np.swapaxes(x, -1, -2)


def _well(rng, shape):
    a = rng.standard_normal(shape)
    if shape[-1] == shape[-2]:
        a = a + shape[-1] * np.eye(shape[-1])
    return a


def _torch_cond_fro(a):  # torch's own cond(a, "fro") backward trips on an in-place op in torch 2.13
    return torch.linalg.matrix_norm(a) * torch.linalg.matrix_norm(torch.linalg.inv(a))


# (name, netgrad fn, torch fn, input maker): inputs where the op is smooth and gauge-free
CASES = [
    ("inv", lambda a: ng.linalg.inv(a), lambda a: torch.linalg.inv(a), lambda r: [_well(r, (2, 3, 3))]),
    ("det", lambda a: ng.linalg.det(a), lambda a: torch.linalg.det(a), lambda r: [_well(r, (2, 3, 3))]),
    ("det_2d", lambda a: ng.det(a), lambda a: torch.det(a), lambda r: [_well(r, (3, 3))]),
    ("slogdet", lambda a: ng.linalg.slogdet(a)[1], lambda a: torch.linalg.slogdet(a)[1],
     lambda r: [r.standard_normal((2, 3, 3))]),
    ("logdet", lambda a: ng.logdet(a), lambda a: torch.logdet(a), lambda r: [_sym_pd(r, 3)]),
    ("solve", lambda a, b: ng.linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b),
     lambda r: [_well(r, (2, 3, 3)), r.standard_normal((2, 3, 2))]),
    ("solve_vec", lambda a, b: ng.linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b),
     lambda r: [_well(r, (2, 3, 3)), r.standard_normal((2, 3))]),
    ("solve_right", lambda a, b: ng.linalg.solve(a, b, left=False),
     lambda a, b: torch.linalg.solve(a, b, left=False),
     lambda r: [_well(r, (3, 3)), r.standard_normal((2, 3))]),
    ("solve_triangular_lower", lambda a, b: ng.linalg.solve_triangular(a, b, upper=False),
     lambda a, b: torch.linalg.solve_triangular(a, b, upper=False),
     lambda r: [_well(r, (2, 3, 3)), r.standard_normal((2, 3, 2))]),
    ("solve_triangular_upper_right_unit",
     lambda a, b: ng.linalg.solve_triangular(a, b, upper=True, left=False, unitriangular=True),
     lambda a, b: torch.linalg.solve_triangular(a, b, upper=True, left=False, unitriangular=True),
     lambda r: [r.standard_normal((3, 3)), r.standard_normal((2, 3))]),
    ("cholesky", lambda a: ng.linalg.cholesky(a @ a.mT + 3 * ng.eye(3, dtype=a.dtype)),
     lambda a: torch.linalg.cholesky(a @ a.mT + 3 * torch.eye(3, dtype=a.dtype)),
     lambda r: [r.standard_normal((2, 3, 3))]),
    ("cholesky_upper", lambda a: ng.linalg.cholesky(a @ a.mT + 3 * ng.eye(3, dtype=a.dtype), upper=True),
     lambda a: torch.linalg.cholesky(a @ a.mT + 3 * torch.eye(3, dtype=a.dtype), upper=True),
     lambda r: [r.standard_normal((3, 3))]),
    ("qr_tall", lambda a: tuple(ng.linalg.qr(a)), lambda a: tuple(torch.linalg.qr(a)),
     lambda r: [r.standard_normal((2, 4, 3))]),
    ("qr_wide", lambda a: tuple(ng.linalg.qr(a)), lambda a: tuple(torch.linalg.qr(a)),
     lambda r: [r.standard_normal((2, 3, 5))]),
    ("qr_complete_square", lambda a: tuple(ng.linalg.qr(a, "complete")),
     lambda a: tuple(torch.linalg.qr(a, "complete")), lambda r: [r.standard_normal((3, 3))]),
    ("eigh", lambda a: _eigh_gauge(ng.linalg.eigh(a + a.mT)),
     lambda a: _eigh_gauge(torch.linalg.eigh(a + a.mT)), lambda r: [r.standard_normal((2, 4, 4))]),
    ("eigh_upper", lambda a: ng.linalg.eigh(a + a.mT, UPLO="U")[0],
     lambda a: torch.linalg.eigh(a + a.mT, UPLO="U")[0], lambda r: [r.standard_normal((3, 3))]),
    ("eigvalsh", lambda a: ng.linalg.eigvalsh(a + a.mT), lambda a: torch.linalg.eigvalsh(a + a.mT),
     lambda r: [r.standard_normal((2, 3, 3))]),
    ("svd_tall", lambda a: _svd_gauge(ng.linalg.svd(a, full_matrices=False)),
     lambda a: _svd_gauge(torch.linalg.svd(a, full_matrices=False)),
     lambda r: [r.standard_normal((2, 5, 3))]),
    ("svd_wide", lambda a: _svd_gauge(ng.linalg.svd(a, full_matrices=False)),
     lambda a: _svd_gauge(torch.linalg.svd(a, full_matrices=False)), lambda r: [r.standard_normal((3, 5))]),
    ("svd_square", lambda a: _svd_gauge(ng.linalg.svd(a)),
     lambda a: _svd_gauge(torch.linalg.svd(a)), lambda r: [r.standard_normal((2, 3, 3))]),
    ("svdvals", lambda a: ng.linalg.svdvals(a), lambda a: torch.linalg.svdvals(a),
     lambda r: [r.standard_normal((2, 4, 3))]),
    ("pinv", lambda a: ng.linalg.pinv(a), lambda a: torch.linalg.pinv(a),
     lambda r: [r.standard_normal((2, 4, 3))]),
    ("pinverse", lambda a: ng.pinverse(a), lambda a: torch.pinverse(a),
     lambda r: [r.standard_normal((3, 4))]),
    ("lstsq", lambda a, b: ng.linalg.lstsq(a, b).solution, lambda a, b: torch.linalg.lstsq(a, b).solution,
     lambda r: [r.standard_normal((5, 3)), r.standard_normal((5, 2))]),
    ("cond", lambda a: ng.linalg.cond(a), lambda a: torch.linalg.cond(a),
     lambda r: [r.standard_normal((2, 3, 3))]),
    ("cond_fro", lambda a: ng.linalg.cond(a, "fro"), _torch_cond_fro,
     lambda r: [_well(r, (3, 3))]),
    ("matrix_exp", lambda a: ng.linalg.matrix_exp(a), lambda a: torch.linalg.matrix_exp(a),
     lambda r: [r.standard_normal((2, 3, 3))]),
    ("matrix_power_3", lambda a: ng.linalg.matrix_power(a, 3), lambda a: torch.linalg.matrix_power(a, 3),
     lambda r: [r.standard_normal((2, 3, 3))]),
    ("matrix_power_neg", lambda a: ng.matrix_power(a, -2), lambda a: torch.matrix_power(a, -2),
     lambda r: [_well(r, (3, 3))]),
    ("multi_dot", lambda a, b, c: ng.linalg.multi_dot([a, b, c]),
     lambda a, b, c: torch.linalg.multi_dot([a, b, c]),
     lambda r: [r.standard_normal(3), r.standard_normal((3, 4)), r.standard_normal(4)]),
    ("vecdot", lambda a, b: ng.linalg.vecdot(a, b, dim=0), lambda a, b: torch.linalg.vecdot(a, b, dim=0),
     lambda r: [r.standard_normal((3, 2)), r.standard_normal((3, 1))]),
    ("cross", lambda a, b: ng.linalg.cross(a, b), lambda a, b: torch.linalg.cross(a, b),
     lambda r: [r.standard_normal((2, 3)), r.standard_normal((2, 3))]),
    ("diagonal", lambda a: ng.linalg.diagonal(a, offset=1), lambda a: torch.linalg.diagonal(a, offset=1),
     lambda r: [r.standard_normal((2, 3, 4))]),
]

NORMS = [("fro", None), ("nuc", None), (1, None), (-1, None), (2, None), (-2, None),
         (float("inf"), None), (-float("inf"), None), ("fro", (0, 2)), (1, (2, 0)), (float("inf"), (0, 1))]
for _ord, _dim in NORMS:
    _d = _dim or (-2, -1)
    CASES.append((f"matrix_norm_{_ord}_{_dim}",
                  lambda a, o=_ord, d=_d: ng.linalg.matrix_norm(a, o, d),
                  lambda a, o=_ord, d=_d: torch.linalg.matrix_norm(a, o, d),
                  lambda r: [r.standard_normal((2, 3, 4))]))
    CASES.append((f"matrix_norm_keepdim_{_ord}_{_dim}",
                  lambda a, o=_ord, d=_d: ng.linalg.matrix_norm(a, o, d, keepdim=True),
                  lambda a, o=_ord, d=_d: torch.linalg.matrix_norm(a, o, d, keepdim=True),
                  lambda r: [r.standard_normal((2, 3, 4))]))
for _ord in (2, 1, 3, 0.5, float("inf"), -float("inf")):
    CASES.append((f"vector_norm_{_ord}", lambda a, o=_ord: ng.linalg.vector_norm(a, o, dim=(0, 2)),
                  lambda a, o=_ord: torch.linalg.vector_norm(a, o, dim=(0, 2)),
                  lambda r: [r.standard_normal((2, 3, 4))]))
for _ord, _dim in ((None, None), (None, 1), (2, None), ("nuc", None), (1, (0, 1)), (3, 0)):
    CASES.append((f"norm_{_ord}_{_dim}", lambda a, o=_ord, d=_dim: ng.linalg.norm(a, o, d),
                  lambda a, o=_ord, d=_dim: torch.linalg.norm(a, o, d),
     lambda r: [r.standard_normal((3, 4))]))


def _svd_gauge(usv):
    """Sign-free functions of (U, S, Vh): S and each u_i v_i^T (the gauge u -> -u, v -> -v cancels)."""
    U, S, Vh = usv
    k = S.shape[-1]
    U, Vh = U[..., :k], Vh[..., :k, :]
    return S, U @ Vh


def _eigh_gauge(wv):
    w, V = wv
    return w, V * V  # elementwise squares: sign-free for distinct eigenvalues


DOUBLE = {"inv", "det", "det_2d", "slogdet", "solve", "solve_vec", "solve_right", "cholesky",
          "cholesky_upper", "qr_tall", "qr_wide", "qr_complete_square", "eigh", "eigh_upper", "svd_tall",
          "svd_wide", "svd_square", "svdvals", "solve_triangular_lower", "solve_triangular_upper_right_unit",
          "pinv", "pinverse", "matrix_exp", "matrix_norm_nuc_None", "vector_norm_3"}


@pytest.mark.parametrize("name,f_ng,f_torch,make", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, f_ng, f_torch, make, rng):
    inputs = make(rng)
    compare_with_torch(f_ng, f_torch, inputs, atol=1e-8, rtol=1e-7, double_backward=name in DOUBLE)
    out32 = f_ng(*[ng.tensor(a.astype(np.float32)) for a in inputs])
    ref32 = f_torch(*[torch.tensor(a.astype(np.float32)) for a in inputs])
    outs = out32 if isinstance(out32, tuple) else (out32,)
    for o, r in zip(outs, ref32 if isinstance(ref32, tuple) else (ref32,)):
        assert_close(o, r, atol=2e-4, rtol=2e-4, what=name)


GRADCHECK = ["inv", "det", "slogdet", "solve", "solve_right", "solve_triangular_upper_right_unit", "cholesky",
             "qr_tall", "qr_wide", "eigh", "svd_tall", "svd_wide", "svdvals", "pinv", "matrix_exp",
             "matrix_norm_nuc_None", "matrix_norm_2_None", "lstsq"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck(name, rng):
    _, f_ng, _, make = next(c for c in CASES if c[0] == name)
    inputs = [ng.tensor(a, requires_grad=True) for a in make(rng)]
    assert gradcheck(f_ng, inputs)
    if name in ("inv", "det", "cholesky", "eigh", "svdvals", "solve"):
        assert gradgradcheck(f_ng, inputs)


def test_svd_full_matrices_shapes_and_grad(rng):
    a = rng.standard_normal((4, 2))
    U, S, Vh = ng.linalg.svd(ng.tensor(a))
    assert U.shape == (4, 4) and S.shape == (2,) and Vh.shape == (2, 2)
    np.testing.assert_allclose((U[:, :2] * S) @ Vh, a, atol=1e-12)
    compare_with_torch(lambda x: _svd_gauge(ng.linalg.svd(x, full_matrices=True)),
                       lambda x: _svd_gauge(torch.linalg.svd(x, full_matrices=True)), [a],
                       atol=1e-8, rtol=1e-7)


def test_named_tuples_and_lstsq_fields(rng):
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    for driver in (None, "gelsd"):
        r = ng.linalg.lstsq(ng.tensor(a), ng.tensor(b), driver=driver)
        t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for f in ("solution", "residuals", "rank", "singular_values"):
            assert_close(getattr(r, f), getattr(t, f), atol=1e-10, what=f)
        assert r.rank.dtype == ng.int64
    s = ng.linalg.slogdet(ng.tensor([[-2.0, 0.0], [0.0, 1.0]]))
    assert s.sign.item() == -1.0 and abs(s.logabsdet.item() - np.log(2)) < 1e-6
    assert ng.linalg.qr(ng.ones(3, 2)).R.shape == (2, 2)
    assert ng.linalg.eigh(ng.eye(2)).eigenvalues.shape == (2,)
    assert ng.linalg.svd(ng.eye(2)).Vh.shape == (2, 2)


def test_matrix_rank_inv_ex_cholesky_ex(rng):
    a = rng.standard_normal((2, 4, 2)) @ rng.standard_normal((2, 2, 3))
    assert_close(ng.linalg.matrix_rank(ng.tensor(a)), torch.linalg.matrix_rank(torch.tensor(a)))
    assert_close(ng.linalg.matrix_rank(ng.tensor(a), atol=1.0, rtol=0.0),
                 torch.linalg.matrix_rank(torch.tensor(a), atol=1.0, rtol=0.0))
    m = np.stack([np.eye(2), np.array([[1.0, 2.0], [2.0, 4.0]])])
    info_ng = ng.linalg.inv_ex(ng.tensor(m)).info.numpy()
    info_t = torch.linalg.inv_ex(torch.tensor(m)).info.numpy()
    assert (info_ng > 0).tolist() == (info_t > 0).tolist()
    pd = np.stack([np.eye(2), -np.eye(2)])
    r = ng.linalg.cholesky_ex(ng.tensor(pd))
    t = torch.linalg.cholesky_ex(torch.tensor(pd))
    assert (r.info.numpy() > 0).tolist() == (t.info.numpy() > 0).tolist()
    np.testing.assert_allclose(r.L.numpy()[0], np.eye(2))


def _raises_like(f_ng, f_torch):
    with pytest.raises(Exception) as et:
        f_torch()
    with pytest.raises(Exception) as en:
        f_ng()
    if isinstance(et.value, torch.linalg.LinAlgError):
        assert isinstance(en.value, ng.linalg.LinAlgError), en.value
    assert isinstance(en.value, type(et.value).__mro__[1] if type(et.value).__name__.startswith("_") else
                      type(et.value)), (en.value, et.value)
    return en.value


SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])


@pytest.mark.parametrize("op", ["inv", "solve", "cholesky", "shape_inv", "dtype_inv", "solve_shapes",
                                "cholesky_nonsquare", "qr_mode", "det_1d", "multi_dot_3d", "eigh_uplo"])
def test_errors_match_torch(op):
    cases = {
        "inv": lambda m: m.linalg.inv(_t(m, SINGULAR)),
        "solve": lambda m: m.linalg.solve(_t(m, SINGULAR), _t(m, np.ones(2))),
        "cholesky": lambda m: m.linalg.cholesky(_t(m, -np.eye(2))),
        "shape_inv": lambda m: m.linalg.inv(_t(m, np.ones((2, 3)))),
        "dtype_inv": lambda m: m.linalg.inv(m.ones(2, 2, dtype=m.int64)),
        "solve_shapes": lambda m: m.linalg.solve(_t(m, np.eye(2)), _t(m, np.ones(3))),
        "cholesky_nonsquare": lambda m: m.linalg.cholesky(_t(m, np.ones((2, 3)))),
        "qr_mode": lambda m: m.linalg.qr(_t(m, np.eye(2)), mode="x"),
        "det_1d": lambda m: m.linalg.det(_t(m, np.ones(3))),
        "multi_dot_3d": lambda m: m.linalg.multi_dot([_t(m, np.ones((2, 2, 2))), _t(m, np.ones((2, 2)))]),
        "eigh_uplo": lambda m: m.linalg.eigh(_t(m, np.eye(2)), UPLO="X"),
    }
    err = _raises_like(lambda: cases[op](ng), lambda: cases[op](torch))
    assert str(err)


def _t(m, a):
    return m.tensor(a) if m is ng else torch.tensor(a)


def test_qr_r_mode_backward_raises_like_torch(rng):
    a = rng.standard_normal((3, 3))
    ta = torch.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.linalg.qr(ta, mode="r")[1].sum().backward()
    na = ng.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        ng.linalg.qr(na, mode="r")[1].sum().backward()


def test_methods_and_top_level(rng):
    a = _well(rng, (3, 3))
    t, x = torch.tensor(a), ng.tensor(a)
    for name in ("det", "logdet", "inverse", "pinverse", "matrix_exp"):
        assert_close(getattr(x, name)(), getattr(t, name)(), atol=1e-10, what=name)
    assert_close(x.matrix_power(2), t.matrix_power(2), atol=1e-10)
    assert_close(x.slogdet()[1], t.slogdet()[1], atol=1e-10)
    assert_close(ng.chain_matmul(x, x, x), torch.chain_matmul(t, t, t), atol=1e-9)
    assert isinstance(ng.linalg.LinAlgError("x"), RuntimeError)
    assert "linalg" in dir(ng)


def _det_central_difference(a):
    """det is linear in each entry, so a central difference is exact up to rounding."""
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[idx] = 0.5
        g[idx] = (np.linalg.det(a + e) - np.linalg.det(a - e)).sum()
    return g


SINGULAR_DET = [np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]]),
            np.array([[1.0, 2, 3], [2, 4, 6], [3, 6, 9]]), np.zeros((3, 3)),
            np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]),  # det rounds to ~7e-16, not 0
            np.array([[[1.0, 2], [2, 4]], [[2.0, 1], [1, 3]]])]  # a batch: singular and not


@pytest.mark.parametrize("a", SINGULAR_DET, ids=range(len(SINGULAR_DET)))
def test_det_gradient_of_singular_matrices_is_the_cofactor_matrix(a):
    """The cofactors (nonzero at rank n - 1): the exact central difference, and torch's gradient
    under create_graph (its SVD path). Torch's first derivative is not the reference: near a
    singular matrix it multiplies a rounding error by its reciprocal (off by up to 12 here, and
    different from one CPU to another)."""
    x = ng.tensor(a, requires_grad=True)
    ng.linalg.det(x).sum().backward()
    assert_close(x.grad, _det_central_difference(a), atol=1e-12, what="det gradient")
    x = ng.tensor(a, requires_grad=True)
    (g,) = ng.autograd.grad(ng.linalg.det(x).sum(), x, create_graph=True)
    assert_close(g, _det_central_difference(a), atol=1e-12, what="det gradient under create_graph")
    t = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.linalg.det(t).sum(), t, create_graph=True)
    assert_close(g, tg, atol=1e-12, what="det gradient against torch's create_graph (SVD) path")


@pytest.mark.parametrize("some", [True, False])
def test_torch_svd_qr_cholesky_top_level_and_methods(some, rng):
    a = rng.standard_normal((2, 4, 3))
    compare_with_torch(lambda x: _svd_gauge(ng.svd(x, some=some)[:2] + (ng.svd(x, some=some).V.mT,)),
                       lambda x: _svd_gauge(torch.svd(x, some=some)[:2] + (torch.svd(x, some=some).V.mT,)),
                       [a], atol=1e-8, rtol=1e-7)
    x, t = ng.tensor(a), torch.tensor(a)
    for r, e in zip(x.svd(some=some), t.svd(some=some)):
        assert r.shape == e.shape
    assert_close(ng.svd(x, compute_uv=False).U, torch.svd(t, compute_uv=False).U)
    if some:
        compare_with_torch(lambda y: tuple(ng.qr(y)), lambda y: tuple(torch.qr(y)), [a], atol=1e-8, rtol=1e-7)
    else:
        for r, e in zip(x.qr(some=False), t.qr(some=False)):
            assert_close(r, e, atol=1e-10)
    pd = _sym_pd(rng, 3)
    compare_with_torch(lambda y: ng.cholesky(y, upper=not some), lambda y: torch.cholesky(y, upper=not some),
                       [pd], atol=1e-8, rtol=1e-7)
    assert_close(ng.tensor(pd).cholesky(), torch.tensor(pd).cholesky(), atol=1e-10)


def test_grad_fn_names_follow_torch(rng):
    a = _well(rng, (3, 3))
    x, t = ng.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for f in (lambda m, y: m.linalg.inv(y), lambda m, y: m.linalg.det(y), lambda m, y: m.linalg.svd(y)[1],
              lambda m, y: m.linalg.qr(y)[0], lambda m, y: m.linalg.eigh(y)[0],
              lambda m, y: m.linalg.solve(y, y), lambda m, y: m.linalg.slogdet(y)[1]):
        assert f(ng, x).grad_fn.name() == f(torch, t).grad_fn.name()


@pytest.mark.parametrize("p,dim", [("nuc", None), (0, None), (-1, 1), (-float("inf"), None), ("nuc", (1, 0))])
def test_torch_norm_other_orders(p, dim, rng):
    a = rng.standard_normal((3, 4))
    compare_with_torch(lambda x: ng.norm(x, p=p, dim=dim), lambda x: torch.norm(x, p=p, dim=dim), [a],
                       atol=1e-9, rtol=1e-8)


def test_torch_norm_nuc_needs_a_matrix():
    with pytest.raises(RuntimeError):
        torch.norm(torch.ones(2, 3, 4), p="nuc")
    with pytest.raises(RuntimeError, match="2-tuple"):
        ng.norm(ng.ones(2, 3, 4), p="nuc")


def test_tensorinv_tensorsolve_vander_match_torch(rng):
    a = rng.standard_normal((4, 6, 8, 3))
    compare_with_torch(lambda x: ng.linalg.tensorinv(x, ind=2), lambda x: torch.linalg.tensorinv(x, ind=2),
                       [a], atol=1e-8, rtol=1e-7)
    compare_with_torch(lambda x, y: ng.linalg.tensorsolve(x, y), lambda x, y: torch.linalg.tensorsolve(x, y),
                       [rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 3))], atol=1e-8, rtol=1e-7)
    compare_with_torch(lambda x, y: ng.linalg.tensorsolve(x, y, dims=(0,)),
                       lambda x, y: torch.linalg.tensorsolve(x, y, dims=(0,)),
                       [rng.standard_normal((6, 2, 3)), rng.standard_normal((2, 3))], atol=1e-8, rtol=1e-7)
    for n in (None, 2, 4):
        compare_with_torch(lambda x, n=n: ng.linalg.vander(x, N=n),
                           lambda x, n=n: torch.linalg.vander(x, N=n), [rng.standard_normal((2, 3))],
                           atol=1e-10, double_backward=True)
    assert_close(ng.linalg.vander(ng.tensor([1, 2, 3])), torch.linalg.vander(torch.tensor([1, 2, 3])))
    with pytest.raises(RuntimeError):
        ng.linalg.tensorinv(ng.ones(2, 3), ind=1)


def test_solve_ex_info(rng):
    a, b = _well(rng, (2, 3, 3)), rng.standard_normal((2, 3))
    r = ng.linalg.solve_ex(ng.tensor(a), ng.tensor(b))
    t = torch.linalg.solve_ex(torch.tensor(a), torch.tensor(b))
    assert_close(r.result, t.result, atol=1e-10)
    assert_close(r.info, t.info)
    m = np.stack([np.eye(2), SINGULAR])
    r = ng.linalg.solve_ex(ng.tensor(m), ng.ones(2, 2, dtype=ng.float64))
    t = torch.linalg.solve_ex(torch.tensor(m), torch.ones(2, 2, dtype=torch.float64))
    assert (r.info.numpy() > 0).tolist() == (t.info.numpy() > 0).tolist()
    assert r.result.shape == t.result.shape
    with pytest.raises(ng.linalg.LinAlgError):
        ng.linalg.solve_ex(ng.tensor(m), ng.ones(2, 2, dtype=ng.float64), check_errors=True)


def test_changing_an_output_in_place_before_backward(rng):
    a = _well(rng, (3, 3))
    for f in (lambda m, y: m.linalg.inv(y), lambda m, y: m.linalg.cholesky(y @ y.mT)):
        t = f(torch, torch.tensor(a, requires_grad=True))
        t.mul_(2)
        with pytest.raises(RuntimeError):
            t.sum().backward()
        x = f(ng, ng.tensor(a, requires_grad=True))
        x.mul_(2)
        with pytest.raises(RuntimeError):
            x.sum().backward()
    # multi-output factorisations: test_factor_changed_in_place_before_backward_follows_torch


def test_repeated_values(recwarn):
    """Values only: finite gradients (torch's branch without vector terms); vectors: NaN as torch."""
    a = np.diag([2.0, 2.0, 1.0])
    for f in (lambda m, x: m.linalg.svdvals(x), lambda m, x: m.linalg.eigvalsh(x),
              lambda m, x: m.linalg.matrix_norm(x, "nuc")):
        compare_with_torch(lambda x, f=f: f(ng, x), lambda x, f=f: f(torch, x), [a], atol=1e-12)
    x = ng.tensor(a, requires_grad=True)
    ng.linalg.svd(x)[0].sum().backward()
    t = torch.tensor(a, requires_grad=True)
    torch.linalg.svd(t)[0].sum().backward()
    assert np.isnan(x.grad.numpy()).any() == np.isnan(t.grad.numpy()).any()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_pinv_rank_deficient_and_batched_tolerances(rng):
    a = rng.standard_normal((2, 4, 2)) @ rng.standard_normal((2, 2, 3))  # rank 2 of 3
    compare_with_torch(ng.linalg.pinv, torch.linalg.pinv, [a], atol=1e-8, rtol=1e-6, double_backward=True)
    atol = np.array([0.1, 100.0])
    r = ng.linalg.pinv(ng.tensor(a), atol=ng.tensor(atol))
    t = torch.linalg.pinv(torch.tensor(a), atol=torch.tensor(atol))
    assert_close(r, t, atol=1e-10)
    assert_close(ng.linalg.matrix_rank(ng.tensor(a), atol=ng.tensor(atol)),
                 torch.linalg.matrix_rank(torch.tensor(a), atol=torch.tensor(atol)))


FACTORS = {  # factorisation, which output to change in place, a function of the outputs to backward
    "eigh_w": (lambda lib, a: lib.linalg.eigh(a + a.mT), 0, lambda wv: wv[0].sum() + (wv[1] ** 2).sum()),
    "eigh_V": (lambda lib, a: lib.linalg.eigh(a + a.mT), 1, lambda wv: (wv[1] ** 2).sum()),
    "svd_U": (lambda lib, a: lib.linalg.svd(a, full_matrices=False), 0, lambda usv: usv[1].sum()),
    "svd_S": (lambda lib, a: lib.linalg.svd(a), 1, lambda usv: (usv[0][:, :3] @ usv[2]).sum()),
    "qr_Q": (lambda lib, a: lib.linalg.qr(a), 0, lambda qr: qr[1].sum()),
    "qr_R_wide": (lambda lib, a: lib.linalg.qr(a.mT), 1, lambda qr: qr[0].sum()),
    "svdvals": (lambda lib, a: (lib.linalg.svdvals(a),), 0, lambda s: s[0].sum()),
}


@pytest.mark.parametrize("name", list(FACTORS))
def test_factor_changed_in_place_before_backward_follows_torch(name, rng):
    """The factors are saved outputs, as in PyTorch: changing any of them in place before backward
    is refused, whichever outputs the loss uses (else the gradients are PyTorch's)."""
    factor, which, loss = FACTORS[name]
    a = rng.standard_normal((4, 3))

    def run(lib):
        leaf = lib.tensor(a.copy(), requires_grad=True)
        outs = factor(lib, leaf[:3] * 1 if name.startswith("eigh") else leaf * 1)  # eigh: square
        with lib.no_grad():
            outs[which].mul_(2)
        try:
            loss(outs).backward()
        except RuntimeError as e:
            return str(e)
        return leaf.grad

    got, want = run(ng), run(torch)
    assert isinstance(got, str) == isinstance(want, str), f"{name}: netgrad {got!r}, torch {want!r}"
    if isinstance(want, str):
        assert "modified by an inplace operation" in got and "modified by an inplace operation" in want
    else:
        assert_close(got, want, atol=1e-8, rtol=1e-7, what=name)
