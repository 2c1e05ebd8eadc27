"""Logistic activations with the log-likelihood objective: the output sensitivity is (y - y_hat).

The notes' 2-2-1 network (x = [0.35, 0.9], beta = [[0.1, 0.4], [0.8, 0.6]], theta = [0.3, 0.9]^T)
with logistic hidden and output units, y = 1, and the binary log-likelihood, to be maximised,

    l = y log y_hat + (1 - y) log(1 - y_hat).

Because sigma'(net) = sigma (1 - sigma) cancels the denominator of dl/dy_hat, the output
sensitivity is simply delta = dl/dnet_o = y - y_hat, so dl/dtheta = (y - y_hat) h and
dl/dbeta = x^T [(y - y_hat) theta^T * h (1 - h)]; the step is gradient ascent, w <- w + eta dl/dw.

Run: python examples/logistic_loglik.py
"""

from __future__ import annotations

import numpy as np

import netgrad as ng
import netgrad.nn as nn
from netgrad.explain import network


def main() -> object:
    ng.set_default_dtype(ng.float64)
    x = ng.tensor([0.35, 0.9])
    beta = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
    theta = ng.tensor([0.3, 0.9], requires_grad=True)
    y = 1.0

    h = (x @ beta).sigmoid()                  # h = sigma(x beta)
    y_hat = (h @ theta).sigmoid()             # y_hat = sigma(h theta)
    ll = nn.BinaryLogLikelihood()(y_hat.reshape(1), ng.tensor([y]))
    print(f"h = {np.round(h.numpy(), 6).tolist()}, y_hat = {y_hat.item():.6f}, l = {ll.item():.6f}")
    assert np.allclose(h.numpy(), [0.680267, 0.663739], atol=1e-6)
    assert abs(y_hat.item() - 0.690283) < 1e-6
    assert abs(ll.item() - np.log(y_hat.item())) < 1e-12            # y = 1: l = log y_hat

    ll.backward()
    hv, yv, tv = h.numpy(), y_hat.item(), theta.numpy()
    d_theta = (y - yv) * hv                                          # (y - y_hat) h
    d_beta = np.outer(x.numpy(), (y - yv) * tv * hv * (1 - hv))
    print(f"dl/dtheta = (y - y_hat) h = {np.round(theta.grad.numpy(), 6).tolist()}")
    print(f"dl/dbeta = {np.round(beta.grad.numpy(), 6).tolist()}")
    assert np.allclose(theta.grad.numpy(), d_theta, atol=1e-12)
    assert np.allclose(theta.grad.numpy(), [0.21069, 0.205571], atol=1e-6)
    assert np.allclose(beta.grad.numpy(), d_beta, atol=1e-12)
    assert np.allclose(beta.grad.numpy(), [[0.007073, 0.021775], [0.018188, 0.055992]], atol=1e-6)

    # the trace: output sensitivity y - y_hat, and the ascent step +eta dl/dW
    net = network([2, 2, 1], weights=[beta.numpy(), tv.reshape(2, 1)], activation="sigmoid")
    trace = ng.explain(net, x.numpy(), y, loss=nn.BinaryLogLikelihood(), lr=0.5)
    assert trace.max_diff < 1e-12 and trace.maximise
    assert np.allclose(trace.layers[1].delta, [[y - yv]])
    assert np.allclose(trace.layers[1].update_W[:, 0], +0.5 * d_theta)
    print()
    print(trace)
    return trace


if __name__ == "__main__":
    main()
