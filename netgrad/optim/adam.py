"""Adam and AdamW (decoupled weight decay), as ``torch.optim.Adam`` / ``AdamW``::

    m = beta1 * m + (1 - beta1) * g         v = beta2 * v + (1 - beta2) * g^2
    w = w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

Adam adds ``weight_decay * w`` to g; AdamW multiplies w by ``1 - lr * weight_decay`` first.

>>> import netgrad as ng
>>> from netgrad import optim
>>> w = ng.tensor([1.0, -1.0], requires_grad=True)
>>> opt = optim.Adam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> w                                   # the first Adam step moves each weight by about lr
tensor([ 0.9000, -0.9000], requires_grad=True)
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ._checks import check_betas, check_hyper
from .optimizer import Optimizer, _buf

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam: steps by bias-corrected running means of g and g^2 (module docstring);
    ``torch.optim.Adam``'s arguments, ``weight_decay`` added to the gradient (L2)."""

    _decoupled = False

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False):
        name = type(self).__name__
        check_hyper(name, lr=lr, eps=eps, weight_decay=weight_decay)
        check_betas(name, tuple(betas))
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _init_state(self, p, group):
        state = {"step": 0, "exp_avg": _buf(p), "exp_avg_sq": _buf(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _buf(p)
        return state

    def _update(self, w, g, state, group, scratch) -> None:
        s0, s1 = scratch
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        state["step"] += 1
        t = state["step"]
        if self._decoupled:
            if wd:
                w *= 1 - lr * wd
            d = np.negative(g, out=s0) if group["maximize"] else g
        else:
            d = self._grad_with_decay(w, g, wd, group["maximize"], s0)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m += np.multiply(np.subtract(d, m, out=s1), 1 - b1, out=s1)       # m.lerp_(d, 1 - beta1)
        v *= b2
        v += np.multiply(np.multiply(d, 1 - b2, out=s1), d, out=s1)      # v.addcmul_(d, d, 1 - beta2)
        if group["amsgrad"]:
            vmax = state["max_exp_avg_sq"]._data
            np.maximum(vmax, v, out=vmax)
            v = vmax
        step_size = lr / (1 - b1 ** t)
        denom = np.sqrt(v, out=s1)
        denom /= math.sqrt(1 - b2 ** t)
        denom += eps
        w += np.multiply(np.divide(m, denom, out=s1), -step_size, out=s1)


class AdamW(Adam):
    """Adam with decoupled weight decay: w <- w (1 - lr weight_decay) before the Adam step."""

    _decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
