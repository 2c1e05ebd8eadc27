"""``make demo``: the main job on embedded data. For now, the notes' worked 2-2-1 example.

Run with ``python -m netgrad.demo``.
"""

from __future__ import annotations

import netgrad as ng


def worked_example() -> dict:
    """The notes' linear 2-2-1 network: forward, loss and gradients by autograd."""
    x = ng.tensor([0.35, 0.9])
    beta = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
    theta = ng.tensor([0.3, 0.9], requires_grad=True)
    net_h = x @ beta
    y_hat = net_h @ theta
    loss = (1.0 - y_hat) ** 2
    loss.backward()
    return {"net_h": net_h, "y_hat": y_hat, "J": loss, "dJ/dtheta": theta.grad, "dJ/dbeta": beta.grad}


def main() -> None:
    for name, value in worked_example().items():
        print(f"{name:>9} = {value.numpy().astype(float).round(4).tolist()}")


if __name__ == "__main__":
    main()
