"""Activations against torch (forward, gradient, second derivative), gradcheck in float64,
stability for large |z| and the notes' closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad.testing import gradcheck
from tests.torch_ref import compare_with_torch

# (name, netgrad fn, torch fn, double-backward supported by both)
CASES = [
    ("relu", F.relu, TF.relu),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh),
    ("softmax0", lambda x: F.softmax(x, dim=0), lambda x: TF.softmax(x, dim=0)),
    ("softmax1", lambda x: F.softmax(x, dim=-1), lambda x: TF.softmax(x, dim=-1)),
    ("log_softmax", lambda x: F.log_softmax(x, dim=1), lambda x: TF.log_softmax(x, dim=1)),
    ("elu", lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7)),
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    ("softplus", F.softplus, TF.softplus),
    ("softplus_beta", lambda x: F.softplus(x, beta=2.0, threshold=3.0),
     lambda x: TF.softplus(x, beta=2.0, threshold=3.0)),
    ("silu", F.silu, TF.silu),
    ("threshold", lambda x: F.threshold(x, 0.1, -2.0), lambda x: TF.threshold(x, 0.1, -2.0)),
    ("linear_activation", lambda x: F.linear_activation(x, 2.5), lambda x: 2.5 * x),
]


@pytest.mark.parametrize("name,fn,tfn", CASES, ids=[c[0] for c in CASES])
def test_activation_matches_torch(name, fn, tfn, rng):
    x = (rng.standard_normal((4, 5)) * 3).astype(np.float32)
    compare_with_torch(fn, tfn, [x], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name,fn,tfn", CASES, ids=[c[0] for c in CASES])
def test_activation_double_backward_matches_torch(name, fn, tfn, rng):
    x = (rng.standard_normal((3, 4)) * 2).astype(np.float64)
    compare_with_torch(fn, tfn, [x], atol=1e-8, rtol=1e-6, double_backward=True)


@pytest.mark.parametrize("name,fn,tfn", CASES, ids=[c[0] for c in CASES])
def test_activation_gradcheck(name, fn, tfn):
    ng.manual_seed(3)
    x = ng.randn(3, 4, dtype=ng.float64) * 2
    # keep away from kinks, where central differences are meaningless
    x = ng.where(ng.abs(x).numpy() < 0.05, 0.5, x)
    x = ng.where(ng.abs(x - 0.1).numpy() < 0.05, 0.5, x).detach().requires_grad_()
    gradcheck(fn, [x])


@pytest.mark.parametrize("name,fn,tfn", CASES, ids=[c[0] for c in CASES])
def test_activation_stable_for_large_inputs(name, fn, tfn):
    for dtype in (np.float32, np.float64):
        x = ng.tensor(np.array([[-1e4, -100.0, -30.0, 0.0, 30.0, 100.0, 1e4]], dtype),
                      requires_grad=True)
        with np.errstate(all="raise"):  # no overflow / invalid anywhere, not only warnings
            try:
                y = fn(x)
                y.sum().backward()
            except FloatingPointError as e:
                if "underflow" not in str(e):
                    raise
                np.seterr(under="ignore")
                y = fn(x)
        assert np.all(np.isfinite(y.numpy())), name
        assert y.dtype == dtype
        t = tfn(torch.tensor(x.numpy()))
        np.testing.assert_allclose(y.numpy(), t.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_no_overflow_warnings_for_extremes():
    x = ng.tensor([-1e30, -1e4, 1e4, 1e30], requires_grad=True)
    for f in (F.sigmoid, F.tanh, F.softplus, F.silu, F.elu, F.gelu, lambda t: F.softmax(t, 0),
              lambda t: F.log_softmax(t, 0)):
        y = f(x)
        assert not np.isnan(y.numpy()).any()
        y.sum().backward()
        assert not np.isnan(x.grad.numpy()).any()
        x.grad = None


def test_logistic_derivative_closed_form():
    """The notes: d sigma / d net = sigma (1 - sigma)."""
    net = ng.linspace(-6, 6, 25, dtype=ng.float64).requires_grad_()
    s = F.sigmoid(net)
    s.sum().backward()
    np.testing.assert_allclose(net.grad.numpy(), s.numpy() * (1 - s.numpy()), rtol=1e-12)
    assert F.logistic is F.sigmoid and nn.Logistic is nn.Sigmoid


def test_step_gradient_zero_and_straight_through():
    x = ng.tensor([-1.0, 0.2, 0.5, 2.0], requires_grad=True)
    y = F.step(x, 0.3)
    np.testing.assert_array_equal(y.numpy(), [0, 0, 1, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0)
    x.grad = None
    F.step(x, 0.3, straight_through=True).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 1)
    assert nn.Step(0.3)(x).numpy().tolist() == [0, 0, 1, 1]


def test_identity_and_linear_activation():
    x = ng.tensor([1.0, -2.0], requires_grad=True)
    assert F.identity(x) is x
    F.linear_activation(x, 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3, 3])
    assert repr(nn.LinearActivation(3.0)) == "LinearActivation(k=3.0)"


def test_relu_gradient_zero_at_zero_like_torch():
    compare_with_torch(F.relu, TF.relu, [np.array([-1.0, 0.0, 1.0], np.float32)])


MODULES = [
    (nn.ReLU(), torch.nn.ReLU()), (nn.LeakyReLU(0.3), torch.nn.LeakyReLU(0.3)),
    (nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Tanh(), torch.nn.Tanh()),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)), (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
    (nn.ELU(0.5), torch.nn.ELU(0.5)), (nn.GELU(), torch.nn.GELU()), (nn.Softplus(), torch.nn.Softplus()),
    (nn.SiLU(), torch.nn.SiLU()), (nn.Threshold(0.5, 0.0), torch.nn.Threshold(0.5, 0.0)),
]


@pytest.mark.parametrize("mod,tmod", MODULES, ids=[type(m).__name__ for m, _ in MODULES])
def test_activation_modules_match_torch(mod, tmod, rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    compare_with_torch(mod, tmod, [x], atol=1e-6, rtol=1e-5)
    assert repr(mod) == repr(tmod)


def test_tensor_methods_bound():
    x = ng.tensor([[1.0, 2.0]])
    np.testing.assert_allclose(x.softmax(1).numpy(), F.softmax(x, 1).numpy())
    np.testing.assert_allclose(x.log_softmax(dim=1).numpy(), F.log_softmax(x, 1).numpy())
    assert x.relu().shape == x.sigmoid().shape == x.tanh().shape == (1, 2)
    assert ng.relu is F.relu


def test_softmax_rows_sum_to_one_and_dtype():
    x = ng.randn(4, 7)
    s = F.softmax(x, dim=1)
    assert s.dtype == np.float32
    np.testing.assert_allclose(s.numpy().sum(1), 1, rtol=1e-6)
    with pytest.raises(IndexError):
        F.softmax(x, dim=2)
