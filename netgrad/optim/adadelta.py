"""Adadelta, as ``torch.optim.Adadelta`` (the optimiser of PyTorch's MNIST example)::

    s = rho * s + (1 - rho) * g^2
    delta = sqrt(u + eps) / sqrt(s + eps) * g
    u = rho * u + (1 - rho) * delta^2          w = w - lr * delta

>>> import netgrad as ng
>>> from netgrad import optim
>>> w = ng.tensor([1.0], requires_grad=True)
>>> opt = optim.Adadelta([w])
>>> (w * w).sum().backward(); opt.step()
>>> round(w.item(), 5)
0.99684
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ._checks import check_hyper
from .optimizer import Optimizer, _buf

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """w <- w - lr * delta, delta = sqrt(u + eps) / sqrt(s + eps) g (module docstring);
    ``torch.optim.Adadelta``'s arguments."""

    _n_scratch = 3

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, *, maximize: bool = False):
        check_hyper("Adadelta", lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        if rho > 1:
            raise ValueError(f"Adadelta: invalid rho value: {rho} (must be in [0, 1])")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _init_state(self, p, group):
        return {"step": 0, "square_avg": _buf(p), "acc_delta": _buf(p)}

    def _update(self, w, g, state, group, scratch) -> None:
        state["step"] += 1
        sq, acc = state["square_avg"]._data, state["acc_delta"]._data
        s0, s1, s2 = scratch
        rho, eps, lr = group["rho"], group["eps"], group["lr"]
        d = self._grad_with_decay(w, g, group["weight_decay"], group["maximize"], s0)
        # torch's order of operations (its addcmul is (value * a) * b), but one square root of
        # the ratio instead of two: delta = sqrt((u + eps) / (s + eps)) * g
        np.multiply(d, 1 - rho, out=s1)
        s1 *= d
        sq *= rho
        sq += s1
        np.add(acc, eps, out=s2)
        s2 /= np.add(sq, eps, out=s1)
        np.sqrt(s2, out=s2)
        s2 *= d  # delta
        np.multiply(s2, 1 - rho, out=s1)
        s1 *= s2
        acc *= rho
        acc += s1
        if lr == 1:
            w -= s2
        else:
            w += np.multiply(s2, -lr, out=s1)
