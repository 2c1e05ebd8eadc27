"""Sampling: multinomial bernoulli normal poisson: shapes, dtypes, reproducibility under
manual_seed and explicit generators, distributions (fixed seeds, generous tolerances), zero
gradients as in torch, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng


def _repeat(fn):
    ng.manual_seed(123)
    a = fn()
    ng.manual_seed(123)
    b = fn()
    return a, b


@pytest.mark.parametrize("fn", [
    lambda: ng.multinomial(ng.tensor([0.2, 0.3, 0.5]), 10, replacement=True),
    lambda: ng.multinomial(ng.tensor([[0.2, 0.3, 0.5], [1.0, 1.0, 0.0]]), 2),
    lambda: ng.bernoulli(ng.full((5,), 0.4)),
    lambda: ng.normal(ng.zeros(4), ng.ones(4)),
    lambda: ng.normal(0.0, 2.0, (3, 2)),
    lambda: ng.poisson(ng.full((6,), 2.5)),
], ids=["multinomial_repl", "multinomial", "bernoulli", "normal_tt", "normal_ff", "poisson"])
def test_reproducible_under_manual_seed_and_generator(fn):
    a, b = _repeat(fn)
    assert np.array_equal(a.numpy(), b.numpy())
    g1, g2 = ng.Generator().manual_seed(7), ng.Generator().manual_seed(7)
    x = ng.multinomial(ng.ones(10), 5, generator=g1)
    assert x.tolist() == ng.multinomial(ng.ones(10), 5, generator=g2).tolist()
    y = ng.normal(0.0, 1.0, (3,), generator=g1)
    assert y.tolist() == ng.normal(0.0, 1.0, (3,), generator=g2).tolist()


def test_multinomial_shapes_dtypes_and_frequencies():
    ng.manual_seed(0)
    p = ng.tensor([0.1, 0.2, 0.7])
    s = ng.multinomial(p, 20000, replacement=True)
    assert s.shape == (20000,) and s.dtype == ng.int64
    freq = np.bincount(s.numpy(), minlength=3) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.015)
    rows = ng.tensor([[1.0, 0.0, 3.0], [0.0, 2.0, 2.0]])
    s2 = ng.multinomial(rows, 500, replacement=True)
    assert s2.shape == (2, 500)
    assert not (s2.numpy()[0] == 1).any() and not (s2.numpy()[1] == 0).any()  # zero weights never drawn
    np.testing.assert_allclose((s2.numpy()[0] == 2).mean(), 0.75, atol=0.06)


def test_multinomial_without_replacement():
    ng.manual_seed(1)
    w = ng.tensor([5.0, 1.0, 1.0, 1.0, 0.0])
    firsts = []
    for _ in range(3000):
        s = ng.multinomial(w, 4)
        assert sorted(s.tolist()) == [0, 1, 2, 3]  # distinct, and the zero weight comes last
        firsts.append(s.tolist()[0])
    np.testing.assert_allclose(np.mean(np.array(firsts) == 0), 5 / 8, atol=0.03)
    want = torch.multinomial(torch.tensor([1.0, 0.0]), 2).tolist()
    assert ng.multinomial(ng.tensor([1.0, 0.0]), 2).tolist() == want
    draws = np.stack([ng.multinomial(ng.ones(6), 6).numpy() for _ in range(200)])
    assert all(sorted(r) == list(range(6)) for r in draws.tolist())


@pytest.mark.parametrize("call", [
    lambda m: m.multinomial(m.tensor([1.0, 0.0]), 3),
    lambda m: m.multinomial(m.tensor([1, 2]), 1),
    lambda m: m.multinomial(m.tensor([-1.0, 2.0]), 1),
    lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
    lambda m: m.multinomial(m.ones(2, 2, 2), 1),
    lambda m: m.multinomial(m.ones(2), 0),
    lambda m: m.bernoulli(m.tensor([1.5])),
    lambda m: m.normal(m.zeros(2), -m.ones(2)),
    lambda m: m.normal(0.0, -1.0, (2,)),
    lambda m: m.poisson(m.tensor([-1.0])),
], ids=["too_many", "int", "negative", "zero_sum", "3d", "zero_samples", "bern_p", "std_t", "std_f", "rate"])
def test_errors_match_torch(call):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(ng)


def test_bernoulli():
    ng.manual_seed(2)
    p = ng.tensor([0.0, 0.25, 0.5, 1.0]).expand(20000, 4)
    s = ng.bernoulli(p)
    assert s.dtype == ng.float32 and s.shape == (20000, 4)
    assert set(np.unique(s.numpy())) <= {0.0, 1.0}
    np.testing.assert_allclose(s.numpy().mean(axis=0), [0.0, 0.25, 0.5, 1.0], atol=0.015)
    d = ng.bernoulli(ng.zeros(10000, dtype=ng.float64), 0.3)
    assert d.dtype == ng.float64 and abs(d.numpy().mean() - 0.3) < 0.02
    assert ng.zeros(3).bernoulli(1.0).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(NotImplementedError):
        ng.bernoulli(ng.tensor([1, 0]))
    with pytest.raises(NotImplementedError):
        torch.bernoulli(torch.tensor([1, 0]))


def test_normal_overloads_shapes_dtypes_and_moments():
    ng.manual_seed(3)
    a = ng.normal(ng.full((40000,), 2.0), ng.full((40000,), 3.0))
    assert a.shape == (40000,) and a.dtype == ng.float32
    assert abs(a.numpy().mean() - 2.0) < 0.06 and abs(a.numpy().std() - 3.0) < 0.06
    b = ng.normal(ng.zeros(2, 1, dtype=ng.float64), 1.0)
    assert b.shape == (2, 1) and b.dtype == ng.float64
    c = ng.normal(1.0, ng.ones(3))
    assert c.shape == (3,) and c.dtype == ng.float32
    want = tuple(torch.normal(torch.zeros(2, 1), torch.ones(3)).shape)
    assert ng.normal(ng.zeros(2, 1), ng.ones(3)).shape == want
    d = ng.normal(-1.0, 0.5, size=(200, 100))
    assert d.shape == (200, 100) and d.dtype == ng.float32
    assert abs(d.numpy().mean() + 1.0) < 0.02 and abs(d.numpy().std() - 0.5) < 0.02
    assert ng.normal(0.0, 1.0, (2,), dtype=ng.float64).dtype == ng.float64
    assert ng.normal(0.0, 0.0, (3,)).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(TypeError, match="size"):
        ng.normal(0.0, 1.0)
    out = ng.empty(0)
    assert ng.normal(0.0, 1.0, (4,), out=out) is out and out.shape == (4,)


def test_poisson():
    ng.manual_seed(4)
    rates = ng.tensor([0.0, 1.0, 4.0, 20.0], dtype=ng.float64).expand(20000, 4)
    s = ng.poisson(rates)
    assert s.dtype == ng.float64 and s.shape == (20000, 4)
    np.testing.assert_allclose(s.numpy().mean(axis=0), [0.0, 1.0, 4.0, 20.0], rtol=0.03, atol=0.01)
    np.testing.assert_allclose(s.numpy().var(axis=0), [0.0, 1.0, 4.0, 20.0], rtol=0.06, atol=0.01)
    assert np.all(s.numpy() == np.round(s.numpy()))


def test_samples_carry_a_zero_gradient_as_in_torch():
    for m in (ng, torch):
        mean = m.zeros(3, requires_grad=True)
        std = m.ones(3, requires_grad=True)
        p = m.full((3,), 0.5, requires_grad=True)
        rate = m.ones(3, requires_grad=True)
        outs = [m.normal(mean, std), m.normal(mean, 2.0), m.normal(1.0, std), m.bernoulli(p), m.poisson(rate)]
        assert all(o.requires_grad for o in outs)
        sum(o.sum() for o in outs).backward()
        for t in (mean, std, p, rate):
            assert t.grad is not None and t.grad.tolist() == [0.0, 0.0, 0.0]


def test_samples_gradient_under_create_graph_is_a_constant_zero_as_in_torch():
    """The gradient graph of a draw (create_graph=True): zeros that require no grad, as torch's."""
    results = []
    for m in (ng, torch):
        mean = m.zeros(3, dtype=m.float64, requires_grad=True)
        std = m.ones(3, dtype=m.float64, requires_grad=True)
        p = m.full((3,), 0.5, dtype=m.float64, requires_grad=True)
        rate = m.ones(3, dtype=m.float64, requires_grad=True)
        outs = [m.normal(mean, std), m.bernoulli(p), m.poisson(rate)]
        grads = m.autograd.grad(sum(o.sum() for o in outs), [mean, std, p, rate], create_graph=True)
        results.append([(g.tolist(), g.requires_grad, str(g.dtype).split(".")[-1]) for g in grads])
    assert results[0] == results[1]
    assert all(r == ([0.0, 0.0, 0.0], False, "float64") for r in results[0])
