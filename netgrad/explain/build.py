"""Small networks from numbers, in the notes' orientation (W^(l): inputs x outputs)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["network", "ACTIVATIONS"]

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "step")


def _activation(name: str) -> Any:
    from .. import nn

    n = name.lower().replace("-", "_")
    table = {"sigmoid": "Sigmoid", "logistic": "Sigmoid", "tanh": "Tanh", "relu": "ReLU",
             "leaky_relu": "LeakyReLU", "step": "Step"}
    if n in ("linear", "identity"):
        return None
    if n == "softmax":
        return nn.Softmax(dim=1)
    if n not in table:
        raise ValueError(f"network: unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    return getattr(nn, table[n])()


def network(sizes: Sequence[int], weights: Sequence[Any] | None = None, biases: Sequence[Any] | None = None,
            activation: str = "linear", output_activation: str | None = None, dtype: Any = None) -> Any:
    """An ``nn.Sequential`` of Linear layers and activations with the given sizes and weights.

    ``weights[l]`` is W^(l+1) in the notes' orientation (inputs x outputs, net = a W + b); without
    ``biases`` the layers have none. ``dtype`` defaults to float64, so traces are exact.

    >>> net = network([2, 2, 1], weights=[[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]])
    >>> net[0].weight.numpy().tolist()   # stored as PyTorch does: out x in
    [[0.1, 0.8], [0.4, 0.6]]
    """
    import netgrad as ng

    from .. import nn

    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError(f"network: sizes must be at least two positive layer widths, got {sizes}")
    dtype = ng.float64 if dtype is None else dtype
    n_layers = len(sizes) - 1
    if weights is not None and len(weights) != n_layers:
        raise ValueError(f"network: {n_layers} weight matrices needed for sizes {sizes}, got {len(weights)}")
    if biases is not None and len(biases) != n_layers:
        raise ValueError(f"network: {n_layers} bias vectors needed for sizes {sizes}, got {len(biases)}")
    mods = []
    for i in range(n_layers):
        lin = nn.Linear(sizes[i], sizes[i + 1], bias=biases is not None)
        lin.to(dtype)
        with ng.no_grad():
            if weights is not None:
                W = np.asarray(weights[i], dtype=np.float64).reshape(sizes[i], -1) if np.size(weights[i]) == \
                    sizes[i] * sizes[i + 1] else np.asarray(weights[i], dtype=np.float64)
                if W.shape != (sizes[i], sizes[i + 1]):
                    raise ValueError(f"network: W^({i + 1}) must be {sizes[i]} x {sizes[i + 1]} "
                                     f"(inputs x outputs), got shape {W.shape}")
                lin.weight.copy_(ng.tensor(W.T, dtype=dtype))
            if biases is not None:
                b = np.asarray(biases[i], dtype=np.float64).reshape(-1)
                if b.shape != (sizes[i + 1],):
                    raise ValueError(f"network: b^({i + 1}) must have {sizes[i + 1]} values, got {b.size}")
                lin.bias.copy_(ng.tensor(b, dtype=dtype))
        mods.append(lin)
        act = _activation(output_activation if (i == n_layers - 1 and output_activation) else activation)
        if act is not None:
            mods.append(act)
    return nn.Sequential(*mods)
