"""netgrad.optim.LBFGS against torch.optim.LBFGS: the same iterates, step by step."""

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad import optim


def _problem(lib, kind, params, X, y):
    """The loss of a small model on (X, y), written once for netgrad and torch."""
    if kind == "rosenbrock":
        (w,) = params
        return ((1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
                + (1 - w[2]) ** 2 + 100 * (w[3] - w[2] ** 2) ** 2)
    W1, b1, W2, b2 = params
    h = lib.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    if kind == "regression":
        return ((out - y) ** 2).mean() + 1e-3 * (W1 * W1).sum()
    return (lib.nn.functional.cross_entropy if lib is torch else F.cross_entropy)(out, y)


def _init(kind, rng):
    if kind == "rosenbrock":
        return [np.array([-1.2, 1.0, 0.5, -0.3])]
    return [rng.standard_normal((5, 7)) * 0.5, np.zeros(7), rng.standard_normal((7, 3)) * 0.5, np.zeros(3)]


def _run(lib, kind, arrays, X, y, steps, **kw):
    if lib is torch:
        params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
        Xl, yl = torch.tensor(X), torch.tensor(y)
        opt = torch.optim.LBFGS(params, **kw)
    else:
        params = [ng.tensor(a, dtype=ng.float64, requires_grad=True) for a in arrays]
        Xl, yl = ng.tensor(X), ng.tensor(y)
        opt = optim.LBFGS(params, **kw)

    def closure():
        opt.zero_grad()
        loss = _problem(lib, kind, params, Xl, yl)
        loss.backward()
        return loss

    trace = []
    for _ in range(steps):
        loss = opt.step(closure)
        st = opt.state[params[0]]
        trace.append((float(loss.detach()), [p.detach().numpy().copy() for p in params],
                      st["func_evals"], st["n_iter"]))
    return trace


@pytest.mark.parametrize("kind", ["rosenbrock", "regression", "classification"])
# Few iterations per step: the problems are not convex, and over a hundred iterations rounding
# differences (summation order in the dot products) grow past any tight tolerance on both sides.
@pytest.mark.parametrize("kw", [dict(max_iter=5), dict(max_iter=5, line_search_fn="strong_wolfe"),
                                dict(lr=0.5, max_iter=3, history_size=2),
                                dict(max_iter=4, history_size=3, line_search_fn="strong_wolfe")])
def test_same_iterates_as_torch(kind, kw):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 5))
    y = (X @ rng.standard_normal((5, 3)) if kind == "regression" else rng.integers(0, 3, 30))
    arrays = _init(kind, rng)
    ours = _run(ng, kind, arrays, X, y, 4, **kw)
    theirs = _run(torch, kind, arrays, X, y, 4, **kw)
    for (l1, p1, e1, n1), (l2, p2, e2, n2) in zip(ours, theirs):
        assert (e1, n1) == (e2, n2)  # the same number of iterations and evaluations
        np.testing.assert_allclose(l1, l2, rtol=1e-8, atol=1e-12)
        for a, b in zip(p1, p2):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    assert ours[-1][0] < ours[0][0]


def test_rosenbrock_converges_with_line_search():
    w = ng.tensor([-1.2, 1.0], dtype=ng.float64, requires_grad=True)
    opt = optim.LBFGS([w], line_search_fn="strong_wolfe", max_iter=200, tolerance_grad=1e-12,
                       tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(w.detach().numpy(), [1.0, 1.0], atol=1e-6)


def test_float32_module_parameters_and_state_dict_resume():
    ng.manual_seed(0)
    X = ng.randn(40, 4)
    y = (X[:, 0] > 0).long()

    def make():
        ng.manual_seed(1)
        return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))

    def fit(model, opt, steps):
        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(model(X), y)
            loss.backward()
            return loss
        return [float(opt.step(closure)) for _ in range(steps)]

    m1 = make()
    o1 = optim.LBFGS(m1.parameters(), max_iter=3, history_size=4, line_search_fn="strong_wolfe")
    losses = fit(m1, o1, 6)
    assert losses[-1] < losses[0] and m1[0].weight.dtype == ng.float32
    m2 = make()
    o2 = optim.LBFGS(m2.parameters(), max_iter=3, history_size=4, line_search_fn="strong_wolfe")
    fit(m2, o2, 3)
    saved = o2.state_dict()
    m3 = make()
    m3.load_state_dict(m2.state_dict())
    o3 = optim.LBFGS(m3.parameters(), max_iter=3, history_size=4, line_search_fn="strong_wolfe")
    o3.load_state_dict(saved)
    fit(m2, o2, 1)  # the saved state is a copy: stepping the original leaves it alone
    fit(m3, o3, 3)
    for a, b in zip(m1.parameters(), m3.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_errors():
    w = ng.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="learning rate"):
        optim.LBFGS([w], lr=-1)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [w]}, {"params": [ng.zeros(1, requires_grad=True)]}])
    opt = optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(RuntimeError, match="strong_wolfe"):
        opt.step(lambda: (w * w).sum())
    with pytest.raises(RuntimeError, match="closure"):
        optim.LBFGS([w]).step(None)


def test_optimal_start_returns_at_once():
    w = ng.zeros(3, dtype=ng.float64, requires_grad=True)
    opt = optim.LBFGS([w])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0 and len(calls) == 1
