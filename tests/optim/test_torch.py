"""Every optimiser's trajectory matches torch.optim's over 20 steps on the same problem."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import optim

STEPS = 20

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=1.0)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=False)),
    ("SGD", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    ("Adam", dict(lr=0.02, amsgrad=True)),
    ("Adam", dict(lr=0.02, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.8, weight_decay=0.02)),
    ("RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
]


def _problem(dtype):
    rng = np.random.default_rng(42)
    X = rng.normal(size=(16, 3)).astype(dtype)
    y = (rng.random(16) > 0.5).astype(dtype)
    W = rng.normal(size=(3, 2)).astype(dtype)
    v = rng.normal(size=(2,)).astype(dtype)
    b = np.array([0.1], dtype=dtype)
    return X, y, [W, v, b]


def _loss(lib, X, y, W, v, b):
    """A small non-convex net: logistic loss of v . (XW)^2-ish features, plus a quartic term."""
    h = (X @ W) ** 2 / (1 + (X @ W) ** 2)
    z = h @ v + b
    return (lib.log(1 + lib.exp(z)) - y * z).mean() + 0.01 * (W ** 4).sum()


def _run_ng(name, kw, dtype):
    X, y, params = _problem(dtype)
    ps = [ng.tensor(p, dtype=p.dtype, requires_grad=True) for p in params]
    Xt, yt = ng.tensor(X, dtype=X.dtype), ng.tensor(y, dtype=y.dtype)
    opt = getattr(optim, name)(ps, **kw)
    for _ in range(STEPS):
        opt.zero_grad()
        _loss(ng, Xt, yt, *ps).backward()
        opt.step()
    return [p.numpy().copy() for p in ps]


def _run_torch(name, kw, dtype):
    X, y, params = _problem(dtype)
    ps = [torch.tensor(p, requires_grad=True) for p in params]
    Xt, yt = torch.tensor(X), torch.tensor(y)
    opt = getattr(torch.optim, name)(ps, foreach=False, **kw)
    for _ in range(STEPS):
        opt.zero_grad()
        _loss(torch, Xt, yt, *ps).backward()
        opt.step()
    return [p.detach().numpy() for p in ps]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_trajectory_matches_torch(name, kw, dtype):
    got, want = _run_ng(name, kw, dtype), _run_torch(name, kw, dtype)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-4, atol=2e-5)
    start = _problem(dtype)[2]
    for g, w, s in zip(got, want, start):
        assert g.dtype == dtype
        assert not np.allclose(w, s), "the problem must move the parameters"
        np.testing.assert_allclose(g, w, **tol)


def test_param_groups_match_torch():
    X, y, params = _problem(np.float64)
    ps = [ng.tensor(p, dtype=p.dtype, requires_grad=True) for p in params]
    ts = [torch.tensor(p, requires_grad=True) for p in params]
    opt = optim.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5, "momentum": 0.0}],
                    lr=0.1, momentum=0.9)
    topt = torch.optim.SGD([{"params": ts[:2]}, {"params": ts[2:], "lr": 0.5, "momentum": 0.0}],
                           lr=0.1, momentum=0.9, foreach=False)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    for _ in range(STEPS):
        for o, lib, P, Xa, ya in ((opt, ng, ps, ng.tensor(X, dtype=X.dtype), ng.tensor(y, dtype=y.dtype)),
                                  (topt, torch, ts, torch.tensor(X), torch.tensor(y))):
            o.zero_grad()
            _loss(lib, Xa, ya, *P).backward()
            o.step()
    for p, t in zip(ps, ts):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-10)
