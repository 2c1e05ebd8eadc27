"""Adadelta on a big parameter takes a threaded path: same numbers as torch and,
bit for bit, as the single-pass path used for small parameters."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import optim
from netgrad.optim import adadelta


@pytest.mark.parametrize("kw", [{}, {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1},
                                {"maximize": True}])
def test_large_parameter_matches_torch_and_small_path(kw, monkeypatch):
    rng = np.random.default_rng(0)
    shape = (1100, 1000)  # > 2^20 elements: split over threads
    w0 = rng.standard_normal(shape).astype(np.float32)
    grads = [rng.standard_normal(shape).astype(np.float32) for _ in range(3)]

    def run_ng():
        p = ng.tensor(w0.copy(), requires_grad=True)
        opt = optim.Adadelta([p], **kw)
        for g in grads:
            p.grad = ng.tensor(g)
            opt.step()
        return p.numpy().copy(), opt.state[p]["acc_delta"].numpy().copy()

    fast_w, fast_acc = run_ng()
    monkeypatch.setattr(adadelta, "_MIN_SPLIT", 1 << 40)  # force the single-pass path
    slow_w, slow_acc = run_ng()
    np.testing.assert_array_equal(fast_w, slow_w)
    np.testing.assert_array_equal(fast_acc, slow_acc)

    pt = torch.tensor(w0.copy(), requires_grad=True)
    topt = torch.optim.Adadelta([pt], foreach=False, **kw)
    for g in grads:
        pt.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(fast_w, pt.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_non_contiguous_gradient_on_the_large_path():
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((1100, 1000)).astype(np.float32)
    g = np.asfortranarray(rng.standard_normal((1100, 1000)).astype(np.float32))
    p = ng.tensor(w0.copy(), requires_grad=True)
    q = ng.tensor(w0.copy(), requires_grad=True)
    opt = optim.Adadelta([p, q])
    p.grad, q.grad = ng.tensor(g), ng.tensor(np.ascontiguousarray(g))
    opt.step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())
