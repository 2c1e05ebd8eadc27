"""The notes' worked example: a linear 2-2-1 network, one forward and one backward pass.

x = [0.35, 0.9], beta (input -> hidden, rows = inputs) = [[0.1, 0.4], [0.8, 0.6]],
theta (hidden -> output) = [0.3, 0.9]^T, linear activations, no biases, J = (y - y_hat)^2, y = 1.

Forward:  net_h = x beta = [0.755, 0.68],  h = net_h,  y_hat = h theta = 0.8385.
Backward: dJ/dtheta = 2 h^T (y_hat - y),  dJ/dbeta = 2 x^T (y_hat - y) theta^T.

Run: python examples/worked_linear_221.py [--format text|markdown|latex]
"""

from __future__ import annotations

import argparse

import numpy as np

import netgrad as ng
from netgrad.explain import network


def main(fmt: str = "text") -> object:
    ng.set_default_dtype(ng.float64)  # exact decimals in the printout
    x = ng.tensor([0.35, 0.9])
    beta = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
    theta = ng.tensor([0.3, 0.9], requires_grad=True)
    y = 1.0

    # forward propagation
    net_h = x @ beta
    h = net_h                      # linear activation
    y_hat = h @ theta
    J = (y - y_hat) ** 2
    print(f"net_h = {np.round(net_h.numpy(), 4).tolist()}, y_hat = {y_hat.item():.4f}, J = {J.item():.8f}")
    assert np.allclose(net_h.numpy(), [0.755, 0.68], atol=1e-12)
    assert abs(y_hat.item() - 0.8385) < 1e-12
    assert abs(J.item() - 0.02608225) < 1e-12

    # backward: autograd against the notes' closed forms
    J.backward()
    err = y_hat.item() - y                                           # y_hat - y = -0.1615
    d_theta = 2 * h.numpy() * err                                    # 2 h^T (y_hat - y)
    d_beta = 2 * np.outer(x.numpy(), theta.numpy()) * err            # 2 x^T (y_hat - y) theta^T
    print(f"dJ/dtheta = {np.round(theta.grad.numpy(), 6).tolist()}")
    print(f"dJ/dbeta  = {np.round(beta.grad.numpy(), 6).tolist()}")
    assert np.allclose(theta.grad.numpy(), d_theta, atol=1e-12)
    assert np.allclose(beta.grad.numpy(), d_beta, atol=1e-12)
    assert np.allclose(theta.grad.numpy(), [-0.243865, -0.21964], atol=1e-12)
    assert np.allclose(beta.grad.numpy(), [[-0.033915, -0.101745], [-0.08721, -0.26163]], atol=1e-12)

    # the same step as a backprop trace, with the deltas and the update -eta dJ/dW
    net = network([2, 2, 1], weights=[beta.numpy(), theta.numpy().reshape(2, 1)])
    trace = ng.explain(net, x.numpy(), y, loss="squared", lr=0.1)
    assert trace.max_diff < 1e-12
    assert np.allclose(trace.layers[1].delta, [[2 * err]])                  # delta^(2) = -0.323
    assert np.allclose(trace.layers[0].delta, [[2 * err * 0.3, 2 * err * 0.9]])
    assert np.allclose(trace.layers[1].dW[:, 0], d_theta)
    assert np.allclose(trace.layers[0].dW, d_beta)
    print()
    print({"text": trace.to_text, "markdown": trace.to_markdown, "latex": trace.to_latex}[fmt]())
    return trace


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", default="text", choices=("text", "markdown", "latex"))
    main(ap.parse_args().format)
