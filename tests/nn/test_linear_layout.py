"""nn.Linear keeps its weight in PyTorch's memory layout, a C-contiguous (out_features,
in_features) array: flat views, strides and raw bytes match torch's, the gradient, the optimiser
state and loaded weights keep that layout, and a weight of either layout (a user may pass a
transposed array to F.linear) gives torch's numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import nn, optim
from netgrad.testing import gradcheck, gradgradcheck
from netgrad.nn import functional as F


def _mlp():
    ng.manual_seed(0)
    return nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    return (ng.tensor(rng.standard_normal((32, 20)).astype(np.float32)),
            ng.tensor(rng.integers(0, 3, 32)))


def _weights(model):
    return [m.weight for m in model if isinstance(m, nn.Linear)]


@pytest.mark.parametrize("shape", [(5, 3), (300, 200)])  # a small one and a pooled one
def test_weight_has_pytorchs_shape_strides_and_c_order(shape):
    fan_in, fan_out = shape
    layer, ref = nn.Linear(fan_in, fan_out), torch.nn.Linear(fan_in, fan_out)
    w = layer.weight.numpy()
    assert w.shape == tuple(ref.weight.shape) == (fan_out, fan_in)
    assert w.flags.c_contiguous
    assert w.strides == tuple(s * w.itemsize for s in ref.weight.stride())
    x = np.arange(2 * fan_in, dtype=np.float32).reshape(2, fan_in) / fan_in
    np.testing.assert_allclose(layer(ng.tensor(x)).numpy(), x @ w.T + layer.bias.numpy(),
                               rtol=1e-5, atol=1e-5)


def test_a_flat_view_of_the_weight_shares_its_memory_and_writes_through():
    layer = nn.Linear(4, 3)
    w = layer.weight.numpy()
    flat = w.reshape(-1)
    assert np.shares_memory(flat, w)
    flat[:] = np.arange(12, dtype=np.float32)  # row by row, as torch's weight.view(-1)
    np.testing.assert_array_equal(layer.weight.numpy(), np.arange(12, dtype=np.float32).reshape(3, 4))
    assert np.shares_memory(layer.weight.view(-1).numpy(), w)
    np.testing.assert_allclose(layer(ng.ones(1, 4)).numpy(),
                               np.arange(12).reshape(3, 4).sum(1)[None] + layer.bias.numpy(), rtol=1e-6)


def test_raw_bytes_of_the_weight_are_torchs():
    ref = torch.nn.Linear(6, 4)
    layer = nn.Linear(6, 4)
    layer.load_state_dict({k: ng.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    raw = ref.weight.detach().numpy().tobytes()
    assert layer.weight.numpy().tobytes() == raw
    # and bytes written by torch load back as the same matrix
    back = np.frombuffer(raw, dtype=np.float32).reshape(4, 6)
    np.testing.assert_array_equal(back, layer.weight.numpy())


def test_the_mlps_gradients_match_torch_and_are_c_contiguous():
    model = _mlp()
    ref = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8),
                              torch.nn.ReLU(), torch.nn.Linear(8, 3))
    ref.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    x, y = _batch(1)
    F.cross_entropy(model(x), y).backward()
    torch.nn.functional.cross_entropy(ref(torch.tensor(x.numpy())), torch.tensor(y.numpy())).backward()
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        assert p.grad.numpy().flags.c_contiguous, name
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


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
            assert w.grad.numpy().flags.c_contiguous, f"step {step}: weight gradient lost the layout"
        opt.step()
    for w in _weights(model):
        assert w.numpy().flags.c_contiguous
        for k, v in opt.state[w].items():
            if isinstance(v, ng.Tensor) and v.ndim == 2:
                assert v.numpy().flags.c_contiguous, f"{opt_cls.__name__} state {k!r}"


@pytest.mark.parametrize("order", ["C", "F"])
def test_a_weight_of_either_layout_gives_torchs_gradients_in_its_own_layout(order):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 6)).astype(np.float64)
    w = rng.standard_normal((4, 6)).astype(np.float64)
    b = rng.standard_normal(4).astype(np.float64)
    g = rng.standard_normal((7, 4)).astype(np.float64)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.linear(tx, tw, tb).backward(torch.tensor(g))
    nx, nw, nb = (ng.tensor(a, requires_grad=True) for a in (x, np.array(w, order=order), b))
    F.linear(nx, nw, nb).backward(ng.tensor(g))
    for mine, ref in ((nx, tx), (nw, tw), (nb, tb)):
        np.testing.assert_allclose(mine.grad.numpy(), ref.grad.numpy(), rtol=1e-12, atol=1e-12)
    wg = nw.grad.numpy()
    assert wg.flags.c_contiguous if order == "C" else (wg.flags.f_contiguous and not wg.flags.c_contiguous)
    assert gradcheck(lambda a, ww: F.linear(a, ww),
                     (ng.tensor(x, requires_grad=True),
                      ng.tensor(np.array(w, order=order), requires_grad=True)))


@pytest.mark.parametrize("order", ["C", "F"])
def test_double_backward_matches_torch_for_either_layout(order):
    rng = np.random.default_rng(4)
    x0, w0 = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    x = ng.tensor(x0, requires_grad=True)
    w = ng.tensor(np.array(w0, order=order), requires_grad=True)
    assert gradgradcheck(lambda a, ww: F.linear(a, ww).tanh(), (x, w))
    tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    (gx, gw), (rgx, rgw) = (
        lib.autograd.grad((f(a, ww).tanh() ** 2).sum(), (a, ww), create_graph=True)
        for lib, f, a, ww in ((ng, F.linear, x, w), (torch, torch.nn.functional.linear, tx, tw)))
    ngx, ngw = ng.autograd.grad((gx.sum() + (gw * gw).sum()), (x, w))
    tgx, tgw = torch.autograd.grad((rgx.sum() + (rgw * rgw).sum()), (tx, tw))
    np.testing.assert_allclose(ngx.numpy(), tgx.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ngw.numpy(), tgw.numpy(), rtol=1e-10, atol=1e-12)


def test_loading_column_major_weights_keeps_the_c_layout_and_values():
    model = _mlp()
    state = {k: ng.tensor(np.asfortranarray(v.numpy()) + 1) for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), state[k].numpy())
    assert all(w.numpy().flags.c_contiguous for w in _weights(model))


def test_optimizer_state_reloads_in_the_parameter_layout(tmp_path):
    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = _batch()
    F.cross_entropy(model(x), y).backward()
    opt.step()
    state = opt.state_dict()
    for s in state["state"].values():  # as if saved by a version that kept weights column-major
        s["momentum_buffer"] = ng.tensor(np.asfortranarray(s["momentum_buffer"].numpy()))
    ng.save({"opt": state}, tmp_path / "opt.ngz")
    opt2 = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt2.load_state_dict(ng.load(tmp_path / "opt.ngz")["opt"])
    for w in _weights(model):
        buf = opt2.state[w]["momentum_buffer"].numpy()
        assert buf.flags.c_contiguous
        np.testing.assert_array_equal(buf, opt.state[w]["momentum_buffer"].numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_batch_of_1000_with_bias_matches_torch(dtype):
    rng = np.random.default_rng(3)
    layer = ng.nn.Linear(300, 70, dtype=dtype)
    x = rng.standard_normal((1000, 300)).astype(dtype)
    tl = torch.nn.Linear(300, 70, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(np.ascontiguousarray(layer.weight.numpy())))
        tl.bias.copy_(torch.from_numpy(layer.bias.numpy()))
    xt = torch.from_numpy(x).requires_grad_()
    xn = ng.tensor(x, requires_grad=True)
    y, yt = layer(xn), tl(xt)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(ng.tensor(g))
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(layer.bias.grad.numpy(), tl.bias.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


def test_a_bias_that_does_not_fit_is_a_shape_error():
    w = ng.nn.Linear(64, 128).weight
    with pytest.raises(ng.ShapeError, match="bias of shape"):
        F.linear(ng.ones(1024, 64), w, ng.ones(7))
