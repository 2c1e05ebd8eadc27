"""The cross-check: netgrad's autograd on the same model, against the closed-form trace."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from .rules import LossRule
from .trace import Trace
from .walk import _Layer

__all__ = ["cross_check"]


def _string_loss(rule: LossRule, out: Tensor, T: np.ndarray) -> Tensor:
    """The named losses built from netgrad ops, so that autograd differentiates them itself."""
    import netgrad as ng
    import netgrad.functional as NF

    t = ng.tensor(T, dtype=out.dtype)
    n = T.shape[0]
    name = rule.name
    if name == "squared error":
        return ((t - out) ** 2).sum()
    if name == "mean squared error":
        return ((t - out) ** 2).mean()
    if name == "half mean squared error":
        return ((t - out) ** 2).sum() / (2 * T.size)
    if rule.softmax_inside:
        return -(t * NF.log_softmax(out, dim=1)).sum() / (n if rule.mean else 1)
    red = "mean" if rule.mean else "sum"
    if rule.key in ("cross_entropy_probs", "probability_ce", "ce_probs"):
        from ..nn.functional import cross_entropy_probs

        return cross_entropy_probs(out, t, reduction=red)
    if rule.key in ("nll", "nll_loss"):
        return -(t * out).sum() / (n if rule.mean else 1)
    if rule.sigmoid_inside:
        return NF.binary_cross_entropy_with_logits(out, t, reduction=red)
    p = out.clamp(1e-12, 1 - 1e-12)
    ll = (t * p.log() + (1 - t) * (1 - p).log()).sum() / (T.size if rule.mean else 1)
    return ll if rule.maximise else -ll


def cross_check(trace: Trace, layers: list[_Layer], X: np.ndarray, y_t: Any, rule: LossRule | None,
                 loss_fn: Any, T: np.ndarray) -> None:
    """Run netgrad's forward and backward on the same modules; record autograd's numbers."""
    import netgrad as ng

    params = []
    for lay in layers:
        params.append(lay.linear.weight)
        if getattr(lay.linear, "bias", None) is not None:
            params.append(lay.linear.bias)
    saved = [(p, p.grad) for p in params]
    nets = []
    try:
        for p in params:
            p.grad = None
        with ng.enable_grad():
            h = ng.tensor(X, dtype=layers[0].linear.weight.dtype)
            for lay in layers:
                net = lay.linear(h)
                net.retain_grad()
                nets.append(net)
                h = lay.act_module(net) if lay.act_module is not None else net
            if h is not nets[-1]:  # a second retain_grad on the same tensor would count its grad twice
                h.retain_grad()
            if loss_fn is not None:
                J = loss_fn(h, y_t)
            else:
                J = _string_loss(rule, h, T)
            J.backward()
        trace.loss_autograd = float(J.item())
        trace.dJ_da_autograd = np.asarray(h.grad.numpy(), dtype=np.float64)
        diffs = [abs(trace.loss_autograd - trace.loss), np.abs(trace.dJ_da_autograd - trace.dJ_da).max()]
        for lt, lay, net in zip(trace.layers, layers, nets):
            lt.delta_autograd = np.asarray(net.grad.numpy(), dtype=np.float64)
            lt.dW_autograd = np.asarray(lay.linear.weight.grad.numpy(), dtype=np.float64).T
            diffs += [np.abs(lt.delta_autograd - lt.delta).max(), np.abs(lt.dW_autograd - lt.dW).max()]
            if lt.db is not None:
                lt.db_autograd = np.asarray(lay.linear.bias.grad.numpy(), dtype=np.float64)
                diffs.append(np.abs(lt.db_autograd - lt.db).max())
        trace.max_diff = float(max(diffs))
    finally:
        for p, g in saved:
            p.grad = g
