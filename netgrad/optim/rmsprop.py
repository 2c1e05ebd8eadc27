"""RMSprop, as ``torch.optim.RMSprop``::

    s = alpha * s + (1 - alpha) * g^2      (centered: minus the square of a running mean of g)
    w = w - lr * g / (sqrt(s) + eps)       (with momentum: b = momentum * b + g / (sqrt(s) + eps))

>>> import netgrad as ng
>>> from netgrad import optim
>>> w = ng.tensor([1.0], requires_grad=True)
>>> opt = optim.RMSprop([w], lr=0.01)
>>> (w * w).sum().backward(); opt.step()
>>> round(w.item(), 3)                  # 1 - 0.01 * 2 / sqrt(0.01 * 4) = 0.9
0.9
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ._checks import check_hyper
from .optimizer import Optimizer, _buf

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """w <- w - lr g / (sqrt(running mean of g^2) + eps) (module docstring);
    ``torch.optim.RMSprop``'s arguments."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False):
        check_hyper("RMSprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _init_state(self, p, group):
        state = {"step": 0, "square_avg": _buf(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = _buf(p)
        if group["centered"]:
            state["grad_avg"] = _buf(p)
        return state

    def _update(self, w, g, state, group, scratch) -> None:
        s0, s1 = scratch
        alpha, lr = group["alpha"], group["lr"]
        state["step"] += 1
        d = self._grad_with_decay(w, g, group["weight_decay"], group["maximize"], s0)
        sq = state["square_avg"]._data
        sq *= alpha
        sq += np.multiply(np.multiply(d, 1 - alpha, out=s1), d, out=s1)
        if group["centered"]:
            ga = state["grad_avg"]._data
            ga += np.multiply(np.subtract(d, ga, out=s1), 1 - alpha, out=s1)
            avg = np.subtract(sq, np.multiply(ga, ga, out=s1), out=s1)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(sq, out=s1)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]._data
            buf *= group["momentum"]
            buf += np.divide(d, avg, out=s1)
            w += np.multiply(buf, -lr, out=s1)
        else:
            w += np.multiply(np.divide(d, avg, out=s1), -lr, out=s1)
