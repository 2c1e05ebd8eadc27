"""Softmax output with the cross-entropy objective: the output sensitivity is t - z.

The notes' 2-2 logistic hidden layer (x = [0.35, 0.9], beta = [[0.1, 0.4], [0.8, 0.6]]) feeding
three softmax outputs z = softmax(h Theta) with one-hot target t (class 3), and the
cross-entropy J = -sum_k t_k log z_k. The softmax Jacobian diag(z) - z^T z cancels against
dJ/dz = -t / z, leaving

    dJ/dnet_o = z - t      (the notes write the sensitivity as t - z: the direction of descent),

so dJ/dTheta = h^T (z - t), and the step Theta <- Theta + eta h^T (t - z).

Run: python examples/softmax_xent.py
"""

from __future__ import annotations

import numpy as np

import netgrad as ng
import netgrad.nn as nn
from netgrad.explain import network

THETA = [[0.3, 0.9, -0.5], [0.9, -0.2, 0.4]]


def main() -> object:
    ng.set_default_dtype(ng.float64)
    x = ng.tensor([[0.35, 0.9]])
    beta = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
    Theta = ng.tensor(THETA, requires_grad=True)
    t = ng.tensor([[0.0, 0.0, 1.0]])

    h = (x @ beta).sigmoid()
    net_o = h @ Theta
    net_o.retain_grad()
    z = net_o.softmax(dim=1)
    J = -(t * z.log()).sum()
    print(f"z = {np.round(z.numpy()[0], 6).tolist()}, J = {J.item():.6f}")
    assert np.allclose(z.numpy(), [[0.46704, 0.338479, 0.194481]], atol=1e-6)
    assert abs(z.numpy().sum() - 1) < 1e-12 and abs(J.item() - 1.637423) < 1e-6

    J.backward()
    sens = t.numpy() - z.numpy()                         # the notes' sensitivity t - z
    print(f"dJ/dnet_o = z - t = {np.round(net_o.grad.numpy()[0], 6).tolist()}  (sensitivity t - z "
          f"= {np.round(sens[0], 6).tolist()})")
    assert np.allclose(net_o.grad.numpy(), -sens, atol=1e-12)
    assert np.allclose(Theta.grad.numpy(), h.numpy().T @ (z.numpy() - t.numpy()), atol=1e-12)
    assert np.allclose(Theta.grad.numpy(), [[0.317712, 0.230256, -0.547968],
                                            [0.309993, 0.224662, -0.534654]], atol=1e-6)

    # PyTorch-style: logits into nn.CrossEntropyLoss (softmax inside the loss) gives the same
    logits = (x @ beta).sigmoid() @ Theta
    ce = nn.CrossEntropyLoss()(logits, ng.tensor([2]))
    assert abs(ce.item() - J.item()) < 1e-12

    # the trace: delta^(2) = z - t
    net = network([2, 2, 3], weights=[beta.numpy(), THETA], activation="sigmoid", output_activation="linear")
    trace = ng.explain(net, x.numpy()[0], [2], loss=nn.CrossEntropyLoss(), lr=0.1)
    assert trace.max_diff < 1e-12
    assert np.allclose(trace.layers[1].delta, -sens)
    print()
    print(trace)
    return trace


if __name__ == "__main__":
    main()
