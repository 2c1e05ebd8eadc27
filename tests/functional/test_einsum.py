"""einsum (explicit and implicit output, '...', repeated letters, broadcasting) and cdist
(p = 0, 1, 2, inf and general p), against torch incl. second derivatives; gradcheck; errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck

CASES = [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("ii,ik->k", [(3, 3), (3, 2)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 2)]),
    ("...j,jk", [(2, 3, 4), (4, 5)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ij,kl->ijkl", [(2, 3), (2, 2)]),
    ("i,ij->j", [(1,), (4, 3)]),  # a size-1 letter broadcast against 4
    ("b i d, b j d -> b i j", [(2, 3, 4), (2, 5, 4)]),
]


@pytest.mark.parametrize("eq,shapes", CASES, ids=[c[0] for c in CASES])
def test_einsum_matches_torch_with_double_backward(eq, shapes, rng):
    ops = [rng.standard_normal(s) for s in shapes]
    compare_with_torch(lambda *t: ng.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), ops,
                       atol=1e-10, rtol=1e-9, double_backward=True)
    out32 = ng.einsum(eq, *[ng.tensor(o.astype(np.float32)) for o in ops])
    assert out32.dtype == ng.float32


@pytest.mark.parametrize("eq,shapes", CASES[::3], ids=[c[0] for c in CASES[::3]])
def test_einsum_gradcheck(eq, shapes, rng):
    ops = [ng.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradcheck(lambda *t: ng.einsum(eq, *t), ops)
    assert gradgradcheck(lambda *t: ng.einsum(eq, *t), ops)


def test_einsum_forms_and_errors(rng):
    a = rng.standard_normal((3, 3))
    assert np.allclose(ng.einsum("ij,jk", [ng.tensor(a), ng.tensor(a)]).numpy(), a @ a)
    assert ng.einsum("ij->i", ng.tensor([[1, 2], [3, 4]])).tolist() == [3, 7]
    with pytest.raises(ValueError, match="einsum"):
        ng.einsum("ij,jk->ik", ng.ones(2, 3))
    with pytest.raises(ValueError, match="einsum"):
        ng.einsum("ijk->i", ng.ones(2, 3))
    with pytest.raises(ValueError, match="einsum"):
        ng.einsum("ij,jk->ik", ng.ones(2, 3), ng.ones(4, 2))
    with pytest.raises(ValueError, match="einsum"):
        ng.einsum("ij->iz", ng.ones(2, 3))
    with pytest.raises(RuntimeError, match="einsum"):
        ng.einsum("i,i", ng.ones(2), ng.ones(2, dtype=ng.float64))
    with pytest.raises(RuntimeError):
        torch.einsum("i,i", torch.ones(2), torch.ones(2, dtype=torch.float64))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
def test_cdist_matches_torch(p, rng):
    x1, x2 = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3))
    compare_with_torch(lambda s, t: ng.cdist(s, t, p=p), lambda s, t: torch.cdist(s, t, p=p), [x1, x2],
                       atol=1e-9, rtol=1e-8)  # torch has no second derivative for cdist
    s, t = ng.tensor(x1[0], requires_grad=True), ng.tensor(x2[0], requires_grad=True)
    assert gradcheck(lambda u, v: ng.cdist(u, v, p), [s, t])
    if p != float("inf"):
        assert gradgradcheck(lambda u, v: ng.cdist(u, v, p), [s, t])


def test_cdist_matrix_product_form_double_backward_matches_torch(rng):
    """torch's cdist has no second derivative: its matrix-product formula, written with torch ops,
    is the reference (no zero distance, where the square root's derivative is infinite)."""
    def th_mm(u, v):
        sq = (u * u).sum(-1)[..., :, None] + (v * v).sum(-1)[..., None, :] - 2 * u @ v.mT
        return sq.clamp_min(0).sqrt()

    x1, x2 = rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 5, 3))
    compare_with_torch(lambda s, t: ng.cdist(s, t, compute_mode="use_mm_for_euclid_dist"), th_mm, [x1, x2],
                       atol=1e-9, rtol=1e-8, double_backward=True)


def test_cdist_zero_distance_and_p0(rng):
    x = rng.standard_normal((3, 2))
    y = np.concatenate([x[:1], rng.standard_normal((2, 2))])  # one pair at distance 0
    for p in (2.0, 3.0, 1.0):
        compare_with_torch(lambda s, t: ng.cdist(s, t, p), lambda s, t: torch.cdist(s, t, p), [x, y],
                           atol=1e-9, rtol=1e-8)
    compare_with_torch(lambda s, t: ng.cdist(s, t, 0), lambda s, t: torch.cdist(s, t, 0), [x, y],
                       grad=False)
    assert ng.cdist(ng.ones(2, 3), ng.ones(4, 3)).shape == (2, 4)
    with pytest.raises(RuntimeError, match="columns"):
        ng.cdist(ng.ones(2, 3), ng.ones(2, 4))
    with pytest.raises(RuntimeError):
        torch.cdist(torch.ones(2, 3), torch.ones(2, 4))
    with pytest.raises(RuntimeError, match="2D"):
        ng.cdist(ng.ones(3), ng.ones(2, 3))


@pytest.mark.parametrize("mode", [None, "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_many_rows_matrix_product_form(mode, rng):
    x1, x2 = rng.standard_normal((2, 30, 4)), rng.standard_normal((1, 27, 4))
    x2[0, 3] = x1[1, 5]  # a zero distance: gradient 0 there, as torch
    kw = {} if mode is None else {"compute_mode": mode}
    compare_with_torch(lambda s, t: ng.cdist(s, t, **kw), lambda s, t: torch.cdist(s, t, **kw), [x1, x2],
                       atol=1e-7, rtol=1e-6)
    s, t = ng.tensor(x1[0, :6], requires_grad=True), ng.tensor(x2[0, :5], requires_grad=True)
    f = lambda u, v: ng.cdist(u, v, compute_mode="use_mm_for_euclid_dist")  # noqa: E731
    assert gradcheck(f, [s, t]) and gradgradcheck(f, [s, t])
    with pytest.raises(ValueError, match="compute_mode"):
        ng.cdist(s, t, compute_mode="fast")
