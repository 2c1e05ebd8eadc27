"""Gradient clipping, in place on ``p.grad`` (``torch.nn.utils.clip_grad_norm_`` / ``_value_``).

>>> import netgrad as ng
>>> from netgrad.nn.utils import clip_grad_norm_
>>> w = ng.tensor([3.0, 4.0], requires_grad=True)
>>> (w * w).sum().backward()            # grad = [6, 8], norm 10
>>> clip_grad_norm_([w], max_norm=1.0)
tensor(10.)
>>> w.grad
tensor([0.6000, 0.8000])
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ...autograd import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "grad_norm"]


def _params(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters: Any) -> list[np.ndarray]:
    return [p.grad._data for p in _params(parameters) if p.grad is not None]


def grad_norm(parameters: Iterable[Tensor] | Tensor, norm_type: float = 2.0) -> float:
    """The norm of all gradients taken together, as a Python float (0.0 when there are none)."""
    grads = _grads(parameters)
    if not grads:
        return 0.0
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        return max(float(np.abs(g).max()) if g.size else 0.0 for g in grads)
    if norm_type == 2.0:
        # vdot on the flat view: one pass, no temporary.
        return math.sqrt(sum(float(np.vdot(g.ravel(), g.ravel())) for g in grads))
    return sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients by min(1, max_norm / (total_norm + 1e-6)); return the total norm
    (before clipping) as a 0-d tensor."""
    params = _params(parameters)  # once: a generator (model.parameters()) can be read only once
    grads = _grads(params)
    dtype = grads[0].dtype if grads else np.dtype(np.float32)
    total = grad_norm(params, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                           f"non-finite ({total}), so it cannot be clipped; set error_if_nonfinite=False "
                           "to clip anyway")
    coef = float(max_norm) / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= g.dtype.type(coef)
    return Tensor._make(np.asarray(total, dtype=dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
