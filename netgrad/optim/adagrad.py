"""Adagrad, as ``torch.optim.Adagrad``: each weight's step shrinks with its accumulated g^2::

    s = s + g^2        w = w - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

>>> import netgrad as ng
>>> from netgrad import optim
>>> w = ng.tensor([1.0], requires_grad=True)
>>> opt = optim.Adagrad([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> round(w.item(), 4)
0.9
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ._checks import check_hyper
from .optimizer import Optimizer, _buf

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """w <- w - lr_t g / (sqrt(sum of g^2) + eps) (module docstring); ``torch.optim.Adagrad``'s
    arguments."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *, maximize: bool = False):
        check_hyper("Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
                    initial_accumulator_value=initial_accumulator_value)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))

    def _init_state(self, p, group):
        return {"step": 0, "sum": _buf(p, group["initial_accumulator_value"])}

    def _update(self, w, g, state, group, scratch) -> None:
        s0, s1 = scratch
        state["step"] += 1
        d = self._grad_with_decay(w, g, group["weight_decay"], group["maximize"], s0)
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        acc = state["sum"]._data
        acc += np.multiply(d, d, out=s1)
        std = np.sqrt(acc, out=s1)
        std += group["eps"]
        w += np.multiply(np.divide(d, std, out=s1), -clr, out=s1)
