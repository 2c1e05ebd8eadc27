"""The notes' worked example: a 2-2-1 network with linear activations, by hand and by autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng

X = [0.35, 0.9]
BETA = [[0.1, 0.4], [0.8, 0.6]]
THETA = [0.3, 0.9]


@pytest.mark.parametrize("dtype", [ng.float32, ng.float64])
def test_worked_example_forward_and_closed_form_gradients(dtype):
    x = ng.tensor(X, dtype=dtype)
    beta = ng.tensor(BETA, dtype=dtype, requires_grad=True)
    theta = ng.tensor(THETA, dtype=dtype, requires_grad=True)
    y = 1.0

    net_h = x @ beta          # forward propagation, hidden layer
    h = net_h                 # linear activation
    h.retain_grad()
    y_hat = h @ theta         # output layer, linear activation
    J = (y - y_hat) ** 2

    np.testing.assert_allclose(net_h.numpy(), [0.755, 0.68], rtol=1e-6)
    assert y_hat.item() == pytest.approx(0.8385, rel=1e-6)
    assert J.item() == pytest.approx((1 - 0.8385) ** 2, rel=1e-5)
    assert J.dtype == dtype

    J.backward()
    err = y_hat.item() - y
    h_np, x_np, th_np = net_h.numpy().astype(np.float64), np.array(X), np.array(THETA)
    tol = 1e-6 if dtype == ng.float32 else 1e-12
    # dJ/dtheta = 2 h^T (y_hat - y)
    np.testing.assert_allclose(theta.grad.numpy(), 2 * h_np * err, rtol=tol, atol=tol)
    # dJ/dbeta = 2 x^T (y_hat - y) theta^T   (an outer product: the delta rule one layer down)
    np.testing.assert_allclose(beta.grad.numpy(), 2 * np.outer(x_np, th_np) * err, rtol=tol, atol=tol)
    # the hidden layer's delta: dJ/dh = 2 (y_hat - y) theta
    np.testing.assert_allclose(h.grad.numpy(), 2 * err * th_np, rtol=tol, atol=tol)
    assert theta.grad.dtype == dtype and beta.grad.dtype == dtype


def test_worked_example_numbers_by_hand():
    x = ng.tensor(X, dtype=ng.float64)
    beta = ng.tensor(BETA, dtype=ng.float64, requires_grad=True)
    theta = ng.tensor(THETA, dtype=ng.float64, requires_grad=True)
    J = (1.0 - (x @ beta) @ theta) ** 2
    J.backward()
    # y_hat - y = -0.1615
    np.testing.assert_allclose(theta.grad.numpy(), [2 * 0.755 * -0.1615, 2 * 0.68 * -0.1615])
    np.testing.assert_allclose(beta.grad.numpy(), [[2 * 0.35 * 0.3 * -0.1615, 2 * 0.35 * 0.9 * -0.1615],
                                                   [2 * 0.9 * 0.3 * -0.1615, 2 * 0.9 * 0.9 * -0.1615]])


def test_worked_example_matches_torch_and_linear_layer_form():
    x = ng.tensor(X, dtype=ng.float64)
    beta = ng.tensor(BETA, dtype=ng.float64, requires_grad=True)
    theta = ng.tensor(THETA, dtype=ng.float64, requires_grad=True)
    # The same network written as layers: net = a W^T with W = beta^T.
    h = ng.linear(x, beta.T)
    J = (1.0 - ng.linear(h, theta.unsqueeze(0))) ** 2
    J.sum().backward()

    tx = torch.tensor(X, dtype=torch.float64)
    tb = torch.tensor(BETA, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(THETA, dtype=torch.float64, requires_grad=True)
    ((1.0 - (tx @ tb) @ tt) ** 2).backward()
    np.testing.assert_allclose(beta.grad.numpy(), tb.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(theta.grad.numpy(), tt.grad.numpy(), rtol=1e-12)
