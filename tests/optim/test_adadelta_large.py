"""Adadelta on a big parameter (the CNN's fc1 has 1.2M weights): torch's numbers, and the same
numbers for a column-major gradient as for a row-major one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import optim


@pytest.mark.parametrize("kw", [{}, {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1},
                                {"maximize": True}])
def test_large_parameter_matches_torch(kw):
    rng = np.random.default_rng(0)
    shape = (1100, 1000)
    w0 = rng.standard_normal(shape).astype(np.float32)
    grads = [rng.standard_normal(shape).astype(np.float32) for _ in range(3)]

    def run_ng():
        p = ng.tensor(w0.copy(), requires_grad=True)
        opt = optim.Adadelta([p], **kw)
        for g in grads:
            p.grad = ng.tensor(g)
            opt.step()
        return p.numpy().copy(), opt.state[p]["acc_delta"].numpy().copy()

    w, _ = run_ng()

    pt = torch.tensor(w0.copy(), requires_grad=True)
    topt = torch.optim.Adadelta([pt], foreach=False, **kw)
    for g in grads:
        pt.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(w, pt.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_column_major_gradient_gives_the_same_step():
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((1100, 1000)).astype(np.float32)
    g = np.asfortranarray(rng.standard_normal((1100, 1000)).astype(np.float32))
    p = ng.tensor(w0.copy(), requires_grad=True)
    q = ng.tensor(w0.copy(), requires_grad=True)
    opt = optim.Adadelta([p, q])
    p.grad, q.grad = ng.tensor(g), ng.tensor(np.ascontiguousarray(g))
    opt.step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())
