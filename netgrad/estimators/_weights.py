"""Sample weights for the estimators: per-sample losses and their weighted reduction.

scikit-learn's MLP with ``sample_weight``: a batch's loss is the weighted mean of its samples'
losses, sum_i w_i l_i / sum_i w_i, and the L2 term is alpha / (2 sum_i w_i) * sum ||W||^2 (the
batch size replaced by the batch's total weight). So integer weights act as repeated rows and
zero weights as dropped rows, and weights of one give the unweighted loss. The per-sample loss
l_i is what the unweighted loss averages: for 'sse' (a sum, not a mean) the weighted loss is the
weighted sum sum_i w_i l_i.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
from sklearn.utils.validation import _check_sample_weight

from . import network

# scikit-learn renamed the flag (1.6: only_non_negative -> ensure_non_negative)
_NONNEG = ("ensure_non_negative"
           if "ensure_non_negative" in inspect.signature(_check_sample_weight).parameters
           else "only_non_negative")


def check_sample_weight(sample_weight, X) -> np.ndarray | None:
    """scikit-learn's validation (a scalar or one finite, non-negative weight per row, as float64,
    not all zero); None stays None."""
    if sample_weight is None:
        return None
    sw = _check_sample_weight(sample_weight, X, dtype=np.float64, **{_NONNEG: True})
    if not sw.any():
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return np.ascontiguousarray(sw)


def per_sample_loss(obj: network.Objective, head: str) -> tuple[Callable, bool]:
    """(``losses(scores, target) -> (n,)``, ``summed``): the unweighted loss is ``losses.mean()``
    (``losses.sum()`` when ``summed``), as ``network.make_loss`` computes it."""
    import netgrad.nn as nn
    import netgrad.nn.functional as F

    name = obj.name
    if head == "softmax" and name == "cross_entropy":
        return (lambda z, y: F.cross_entropy(z, y, reduction="none")), False
    if head == "softmax" and name == "nll":
        return (lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y, reduction="none")), False
    if head == "softmax" and name == "kl_div":
        return (lambda z, y: F.kl_div(F.log_softmax(z, dim=1), y, reduction="none").sum(1)), False
    if head == "softmax" and name == "symmetric_cross_entropy":
        sce = nn.SymmetricCrossEntropyLoss(dim=1, reduction="none")
        return (lambda z, y: sce(F.softmax(z, dim=1), y)), False
    if head == "logistic" and name == "cross_entropy":
        return (lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none").sum(1)), False
    if obj.softmax_only:
        raise ValueError(f"loss {name!r} needs a softmax output (one output per class)")
    cls = {"squared_error": "HalfMSELoss", "mse": "MSELoss", "half_mse": "HalfMSELoss",
           "sse": "SSELoss", "l1": "L1Loss", "huber": "HuberLoss"}[name]
    elementwise = getattr(nn, cls)(reduction="none")
    summed = name == "sse"
    if head == "identity":
        squash = None
    elif head == "softmax":
        def squash(z):
            return F.softmax(z, dim=1)
    else:
        squash = F.sigmoid

    def losses(z, y):
        e = elementwise(z if squash is None else squash(z), y)
        return e.sum(1) if summed else e.mean(1)

    return losses, summed


def make_weighted_loss(obj: network.Objective, head: str) -> Callable:
    """``loss(scores, target, w)`` with ``w`` a (n,) tensor of weights (sum > 0)."""
    losses, summed = per_sample_loss(obj, head)
    if summed:
        return lambda z, y, w: (losses(z, y) * w).sum()
    return lambda z, y, w: (losses(z, y) * w).sum() / w.sum()
