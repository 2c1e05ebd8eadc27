"""Stochastic gradient descent, with momentum, dampening, Nesterov and L2 weight decay.

The notes' rule w <- w - lr * dJ/dw, extended as ``torch.optim.SGD``::

    d = g + weight_decay * w
    b = momentum * b + (1 - dampening) * d      (b = d on the first step)
    d = d + momentum * b if nesterov else b
    w = w - lr * d

>>> import netgrad as ng
>>> from netgrad import optim
>>> w = ng.tensor([1.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
>>> round(w.item(), 4)                  # 1 - 0.2 = 0.8, then 0.8 - 0.1 * (0.9 * 2 + 1.6) = 0.46
0.46
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import Tensor
from ._checks import check_hyper
from .optimizer import Optimizer, required

__all__ = ["SGD"]


class SGD(Optimizer):
    """w <- w - lr * d, d the gradient with optional weight decay, momentum and Nesterov (see the
    module docstring for the full rule); ``torch.optim.SGD``'s arguments."""

    def __init__(self, params: Iterable[Any], lr: float = required, momentum: float = 0,  # type: ignore[assignment]
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False):
        if lr is not required:
            check_hyper("SGD", lr=lr)
        check_hyper("SGD", momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, w, g, state, group, scratch) -> None:
        s0, s1 = scratch
        d = self._grad_with_decay(w, g, group["weight_decay"], group["maximize"], s0)
        mom = group["momentum"]
        if mom:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._make(d.copy("K"))  # in the weight's layout
                b = buf._data
            else:
                b = buf._data
                b *= mom
                b += np.multiply(d, 1 - group["dampening"], out=s1) if group["dampening"] else d
            if group["nesterov"]:
                d = np.add(d, np.multiply(b, mom, out=s1), out=s1)
            else:
                d = b
        w += np.multiply(d, -group["lr"], out=s1)
