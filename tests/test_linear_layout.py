"""nn.Linear keeps its weight as the notes' W (in x out, row-major) behind PyTorch's (out, in)
shape: the gradient, the optimiser state and loaded weights keep that layout, and a weight of
either layout gives the same numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import nn, optim
from netgrad.testing import gradcheck, gradgradcheck
from netgrad.nn import functional as F
from netgrad.optim import adadelta
from netgrad.optim.optimizer import _flat_views


def _mlp():
    ng.manual_seed(0)
    return nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    return (ng.tensor(rng.standard_normal((32, 20)).astype(np.float32)),
            ng.tensor(rng.integers(0, 3, 32)))


def _weights(model):
    return [m.weight for m in model if isinstance(m, nn.Linear)]


def test_weight_has_pytorch_shape_and_notes_memory_layout():
    layer = nn.Linear(5, 3)
    w = layer.weight.numpy()
    assert w.shape == (3, 5)
    assert w.flags.f_contiguous and not w.flags.c_contiguous
    assert w.T.flags.c_contiguous  # the notes' W, in x out
    x = np.arange(10, dtype=np.float32).reshape(2, 5)
    np.testing.assert_allclose(layer(ng.tensor(x)).numpy(), x @ w.T + layer.bias.numpy(), rtol=1e-6)


@pytest.mark.parametrize("opt_cls,kw", [(optim.SGD, {"lr": 0.1, "momentum": 0.9}),
                                        (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
                                        (optim.Adam, {"lr": 1e-2}), (optim.RMSprop, {"lr": 1e-2}),
                                        (optim.Adagrad, {"lr": 1e-2}), (optim.Adadelta, {})])
def test_gradients_and_optimizer_state_keep_the_weight_layout(opt_cls, kw):
    model = _mlp()
    opt = opt_cls(model.parameters(), **kw)
    for step in range(4):
        x, y = _batch(step)
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        for w in _weights(model):
            assert w.grad.numpy().flags.f_contiguous, f"step {step}: weight gradient became row-major"
        opt.step()
    for w in _weights(model):
        assert w.numpy().flags.f_contiguous
        for k, v in opt.state[w].items():
            if isinstance(v, ng.Tensor) and v.ndim == 2:
                assert v.numpy().flags.f_contiguous, f"{opt_cls.__name__} state {k!r}"


def test_both_weight_layouts_give_torchs_gradients():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 6)).astype(np.float64)
    w = rng.standard_normal((4, 6)).astype(np.float64)
    b = rng.standard_normal(4).astype(np.float64)
    g = rng.standard_normal((7, 4)).astype(np.float64)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.linear(tx, tw, tb).backward(torch.tensor(g))
    for layout in (np.ascontiguousarray, np.asfortranarray):
        nx, nw, nb = (ng.tensor(a, requires_grad=True) for a in (x, layout(w), b))
        assert nw.numpy().flags.f_contiguous == (layout is np.asfortranarray)
        F.linear(nx, nw, nb).backward(ng.tensor(g))
        for mine, ref in ((nx, tx), (nw, tw), (nb, tb)):
            np.testing.assert_allclose(mine.grad.numpy(), ref.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda a, ww: F.linear(a, ww),
                                (ng.tensor(x, requires_grad=True),
                                 ng.tensor(np.asfortranarray(w), requires_grad=True)))


def test_double_backward_through_a_column_major_weight():
    x = ng.tensor(np.random.default_rng(4).standard_normal((3, 5)), requires_grad=True)
    w = ng.tensor(np.asfortranarray(np.random.default_rng(5).standard_normal((2, 5))), requires_grad=True)
    assert w.numpy().flags.f_contiguous
    assert gradgradcheck(lambda a, ww: F.linear(a, ww).tanh(), (x, w))


def test_loading_row_major_weights_keeps_the_layout_and_values():
    model = _mlp()
    state = {k: ng.tensor(np.ascontiguousarray(v.numpy()) + 1) for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), state[k].numpy())
    assert all(w.numpy().flags.f_contiguous for w in _weights(model))


def test_optimizer_state_reloads_in_the_parameter_layout(tmp_path):
    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = _batch()
    F.cross_entropy(model(x), y).backward()
    opt.step()
    ng.save({"opt": opt.state_dict()}, tmp_path / "opt.ngz")
    opt2 = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt2.load_state_dict(ng.load(tmp_path / "opt.ngz")["opt"])
    for w in _weights(model):
        buf = opt2.state[w]["momentum_buffer"].numpy()
        assert buf.flags.f_contiguous
        np.testing.assert_array_equal(buf, opt.state[w]["momentum_buffer"].numpy())


def test_flat_views_pair_up_entries_only_for_one_shared_layout():
    a = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    b = np.asfortranarray(np.arange(6.0).reshape(2, 3) * 10)
    fa, fb = _flat_views((a, b))
    np.testing.assert_array_equal(fb, fa * 10)
    assert np.shares_memory(fa, a)
    assert _flat_views((a, np.ascontiguousarray(b))) is None


def test_adadelta_splits_a_column_major_weight_over_threads(monkeypatch):
    calls = []
    real = adadelta.parallel_for
    monkeypatch.setattr(adadelta, "parallel_for", lambda fn, n, size: (calls.append(n), real(fn, n, size)))
    monkeypatch.setattr(adadelta, "_MIN_SPLIT", 1000)
    layer = nn.Linear(50, 40)
    opt = optim.Adadelta(layer.parameters())
    layer(ng.ones(4, 50)).sum().backward()
    before = layer.weight.numpy().copy()
    opt.step()
    assert calls == [2000]  # the weight took the split path; the bias is too small
    ref = torch.nn.Linear(50, 40)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(before))
        ref.bias.copy_(torch.tensor(layer.bias.numpy()))  # only the weight is compared
    topt = torch.optim.Adadelta([ref.weight])
    ref(torch.ones(4, 50)).sum().backward()
    topt.step()
    np.testing.assert_allclose(layer.weight.numpy(), ref.weight.detach().numpy(), rtol=1e-5, atol=1e-7)
