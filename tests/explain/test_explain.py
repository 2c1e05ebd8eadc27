"""netgrad.explain: the closed-form delta rule against autograd, torch and the notes' numbers."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn
from netgrad.explain import Trace, network

X221 = [0.35, 0.9]
W221 = [[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]]  # beta (input -> hidden), theta (hidden -> output)


def test_notes_linear_221_example_exact():
    t = ng.explain(network([2, 2, 1], weights=W221), X221, 1.0, loss="squared", lr=0.1)
    assert isinstance(t, Trace)
    h = t.layers[0].a[0]
    np.testing.assert_allclose(t.layers[0].net[0], [0.755, 0.68], atol=1e-15)
    assert abs(t.y_hat.item() - 0.8385) < 1e-15
    err = t.y_hat.item() - 1.0
    theta = np.array([[0.3], [0.9]])
    x = np.array([X221])
    # dJ/dtheta = 2 h^T (y_hat - y); dJ/dbeta = 2 x^T (y_hat - y) theta^T
    np.testing.assert_allclose(t.layers[1].dW, 2 * h.reshape(2, 1) * err, atol=1e-15)
    np.testing.assert_allclose(t.layers[0].dW, 2 * x.T @ (err * theta.T), atol=1e-15)
    np.testing.assert_allclose(t.layers[1].update_W, -0.1 * t.layers[1].dW)
    assert t.max_diff < 1e-12
    assert abs(t.loss - (1 - 0.8385) ** 2) < 1e-15
    for text in (t.to_text(), str(t), t.to_markdown(), t.to_latex()):
        for num in ("0.755", "0.68", "0.8385", "-0.243865", "-0.21964", "-0.033915", "-0.26163"):
            assert num in text, (num, text)
    assert "\\begin{align*}" in t.to_latex() and "\\delta^{(1)}" in t.to_latex()
    assert "| neuron | net | a |" in t.to_markdown()
    assert "W^(l) is shown in the notes' orientation" in t.to_text()


def test_weight_orientation_is_transposed_weight():
    net = network([2, 2, 1], weights=W221)
    np.testing.assert_array_equal(net[0].weight.numpy(), np.array(W221[0]).T)
    t = ng.explain(net, X221, 1.0)
    np.testing.assert_array_equal(t.layers[0].W, np.array(W221[0]))


def _model(acts, sizes=(3, 4, 2), seed=0, bias=True):
    ng.manual_seed(seed)
    mods = []
    for i, a in enumerate(acts):
        mods.append(nn.Linear(sizes[i], sizes[i + 1], bias=bias))
        if a is not None:
            mods.append(a)
    return nn.Sequential(*mods).to(ng.float64)


@pytest.mark.parametrize("acts,loss", [
    ((nn.Sigmoid(), None), nn.MSELoss()),
    ((nn.Tanh(), nn.Sigmoid()), nn.BCELoss()),
    ((nn.ReLU(), None), nn.CrossEntropyLoss()),
    ((nn.LeakyReLU(0.1), nn.Softmax(dim=1)), nn.HalfMSELoss()),
    ((nn.LinearActivation(0.5), None), nn.SSELoss()),
    ((nn.GELU(), None), nn.L1Loss()),  # no closed form for either: autograd fallbacks
    ((nn.Tanh(), nn.LogSoftmax(dim=1)), nn.NLLLoss()),  # not elementwise: autograd's VJP
])
def test_against_torch(acts, loss):
    import torch

    model = _model(acts)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 3))
    if isinstance(loss, (nn.CrossEntropyLoss, nn.NLLLoss)):
        y = np.array([0, 1, 1, 0])
    else:
        y = rng.uniform(0.05, 0.95, size=(4, 2))
    t = ng.explain(model, X, y, loss=loss, lr=0.5)
    assert t.max_diff < 1e-10
    # the same network in torch
    tm, tlayers = [], []
    for m in model.children():
        name = type(m).__name__
        if name == "Linear":
            lin = torch.nn.Linear(m.in_features, m.out_features).double()
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(m.weight.numpy()))
                lin.bias.copy_(torch.tensor(m.bias.numpy()))
            tm.append(lin)
            tlayers.append(lin)
        elif name == "LinearActivation":
            tm.append(torch.nn.Identity())
            tm[-1].forward = lambda z, k=m.k: k * z
        elif name in ("Softmax", "LogSoftmax"):
            tm.append(getattr(torch.nn, name)(dim=1))
        elif name == "LeakyReLU":
            tm.append(torch.nn.LeakyReLU(m.negative_slope))
        else:
            tm.append(getattr(torch.nn, name)())
    tloss = {"MSELoss": torch.nn.MSELoss(), "BCELoss": torch.nn.BCELoss(),
             "CrossEntropyLoss": torch.nn.CrossEntropyLoss(), "L1Loss": torch.nn.L1Loss(),
             "HalfMSELoss": lambda a, b: 0.5 * torch.nn.functional.mse_loss(a, b),
             "SSELoss": torch.nn.MSELoss(reduction="sum"), "NLLLoss": torch.nn.NLLLoss()}[type(loss).__name__]
    out = torch.tensor(X)
    for m in tm:
        out = m(out)
    ty = torch.tensor(y)
    J = tloss(out, ty)
    J.backward()
    assert abs(J.item() - t.loss) < 1e-10
    for lt, lin in zip(t.layers, tlayers):
        np.testing.assert_allclose(lt.dW, lin.weight.grad.numpy().T, atol=1e-10)
        np.testing.assert_allclose(lt.db, lin.bias.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(lt.update_W, -0.5 * lin.weight.grad.numpy().T, atol=1e-10)


def test_softmax_cross_entropy_sensitivity_is_z_minus_t():
    model = _model((nn.Tanh(), None), sizes=(3, 5, 4))
    X = np.random.default_rng(2).normal(size=(3, 3))
    y = np.array([3, 0, 2])
    t = ng.explain(model, X, y, loss="cross_entropy")
    z = t.y_hat
    np.testing.assert_allclose(z.sum(axis=1), 1.0)
    T = np.eye(4)[y]
    np.testing.assert_allclose(t.layers[-1].delta, (z - T) / 3, atol=1e-14)
    assert "z - t" in t.to_text() and t.softmax_in_loss
    assert t.max_diff < 1e-12


def test_logistic_log_likelihood_sensitivity():
    model = _model((nn.Sigmoid(), nn.Sigmoid()), sizes=(2, 3, 1))
    X = np.random.default_rng(3).normal(size=(4, 2))
    y = np.array([1.0, 0.0, 1.0, 1.0])
    t = ng.explain(model, X, y, loss=nn.BinaryLogLikelihood(), lr=0.2)
    y_hat = t.y_hat[:, 0]
    h = t.layers[0].a
    np.testing.assert_allclose(t.layers[-1].delta[:, 0], y - y_hat, atol=1e-12)  # (y - y_hat)
    np.testing.assert_allclose(t.layers[-1].dW[:, 0], h.T @ (y - y_hat), atol=1e-12)  # (y - y_hat) h
    np.testing.assert_allclose(t.layers[-1].update_W, +0.2 * t.layers[-1].dW)  # ascent
    assert t.maximise and "+eta" in t.to_text()
    assert t.max_diff < 1e-10


def test_squared_error_logistic_output():
    model = _model((nn.Sigmoid(), nn.Sigmoid()), sizes=(2, 2, 1))
    t = ng.explain(model, [0.5, -1.0], 0.0, loss="squared")
    y_hat, h = t.y_hat.item(), t.layers[0].a[0]
    np.testing.assert_allclose(t.layers[1].dW[:, 0], 2 * (y_hat - 0.0) * y_hat * (1 - y_hat) * h)
    assert "a (1 - a)" in t.to_text()


def test_model_grads_untouched_and_float32_model():
    ng.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    model[0].weight.grad = ng.ones(3, 2)
    t = ng.explain(model, [[0.2, 0.4], [1.0, -1.0]], [[1.0], [0.0]], loss=nn.MSELoss())
    assert model[0].weight.grad.numpy().tolist() == [[1.0, 1.0]] * 3
    assert model[2].weight.grad is None
    assert t.max_diff < 1e-6  # autograd ran in float32
    assert t.layers[0].net.shape == (2, 3) and t.layers[1].delta.shape == (2, 1)
    assert "a batch of 2 examples" in t.to_text()


def test_step_has_zero_derivative():
    model = nn.Sequential(nn.Linear(2, 2), nn.Step(), nn.Linear(2, 1)).to(ng.float64)
    t = ng.explain(model, [1.0, 2.0], 1.0)
    assert np.all(t.layers[0].delta == 0) and t.max_diff < 1e-12


def test_errors():
    net = network([2, 2, 1], weights=W221)
    with pytest.raises(ValueError, match="does not fit"):
        ng.explain(net, X221, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Linear"):
        ng.explain(nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), X221, 1.0)
    with pytest.raises(ValueError, match="loss"):
        ng.explain(net, X221, 1.0, loss="hinge")
    with pytest.raises(ValueError, match="inputs x outputs"):
        network([2, 2, 1], weights=[[[0.1, 0.4, 0.5]], [[0.3], [0.9]]])


def test_rejects_layers_other_than_linear_and_activations():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(ng.ones(2))

        def forward(self, x):
            return x * self.s

    with pytest.raises(ValueError, match="Linear layers and activations only, got Scale"):
        ng.explain(nn.Sequential(nn.Linear(2, 2), Scale(), nn.Linear(2, 1)), X221, 1.0)


def test_nested_sequential_is_flattened():
    inner = network([2, 2, 1], weights=W221)
    t = ng.explain(nn.Sequential(nn.Sequential(inner[0]), inner[1]), X221, 1.0)
    assert abs(t.y_hat.item() - 0.8385) < 1e-15 and t.max_diff < 1e-12
