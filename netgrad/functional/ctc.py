"""Connectionist temporal classification loss (PyTorch's ``F.ctc_loss``), composed of netgrad's
ops: the forward (alpha) recursion in log space over the blank-extended targets, one step per
time frame, so backward (the beta recursion) comes from the graph.

J_n = -log sum over alignments pi of target n of prod_t p_t(pi_t). ``reduction='mean'`` divides
each J_n by its target length (at least 1) and averages over the batch, as PyTorch.

Note: PyTorch's own ``ctc_loss`` returns a gradient for ``log_probs`` that is the true partial
derivative plus exp(log_probs); both agree once log_probs = log_softmax(logits) (the usual case),
which is what the tests compare. netgrad returns the true partial derivative.

>>> import netgrad as ng
>>> lp = ng.log_softmax(ng.zeros(3, 1, 2), 2)     # T=3, N=1, C=2 (blank 0), uniform
>>> round(ctc_loss(lp, ng.tensor([[1]]), [3], [1], reduction="sum").item(), 4)  # 6 paths of 1/8
0.2877
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg
from .lossutil import check_reduction
from .elementwise import where
from .reduction import logsumexp
from .shape import cat, stack

__all__ = ["ctc_loss"]

_NEG = -1e30  # stands for log 0: finite, so logsumexp's backward never meets -inf - -inf


def _lengths(v: Any, n: int, name: str) -> np.ndarray:
    a = np.asarray(v._data if isinstance(v, Tensor) else v).reshape(-1)
    if a.dtype.kind not in "iu":
        raise TypeError(f"ctc_loss: {name} must be integers, got {a.dtype}")
    if a.shape[0] != n:
        raise ShapeError(f"ctc_loss: {name} must have {n} entries (one per sequence), got {a.shape[0]}")
    return a.astype(np.int64)


def _targets(targets: Any, tl: np.ndarray) -> np.ndarray:
    """(N, L_max) padded target labels from PyTorch's padded 2-D or concatenated 1-D form."""
    t = np.asarray(targets._data if isinstance(targets, Tensor) else targets).astype(np.int64)
    n, lmax = tl.shape[0], int(tl.max(initial=0))
    out = np.zeros((n, max(lmax, 1)), dtype=np.int64)
    if t.ndim == 2:
        if t.shape[0] != n or t.shape[1] < lmax:
            raise ShapeError(f"ctc_loss: targets of shape {t.shape} do not hold {n} sequences of "
                             f"lengths {tl.tolist()}")
        for i in range(n):
            out[i, :tl[i]] = t[i, :tl[i]]
    elif t.ndim == 1:
        if t.shape[0] < tl.sum():
            raise ShapeError(f"ctc_loss: concatenated targets have {t.shape[0]} labels, target_lengths "
                             f"sum to {int(tl.sum())}")
        starts = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for i in range(n):
            out[i, :tl[i]] = t[starts[i]:starts[i] + tl[i]]
    else:
        raise ShapeError(f"ctc_loss: targets must be 1-D or 2-D, got shape {t.shape}")
    return out


def ctc_loss(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of (T, N, C) (or unbatched (T, C)) log-probabilities against target label
    sequences (no blanks), with per-sequence input and target lengths."""
    check_reduction(reduction, "ctc_loss")
    lp = as_tensor_arg(log_probs, "ctc_loss")
    unbatched = lp.ndim == 2
    if unbatched:
        lp = lp.unsqueeze(1)
        targets = np.asarray(targets._data if isinstance(targets, Tensor) else targets).reshape(1, -1)
    if lp.ndim != 3:
        raise ShapeError(f"ctc_loss: log_probs must be (T, N, C) or (T, C), got shape {lp.shape}")
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise ValueError(f"ctc_loss: blank must be in label range [0, {C}), got {blank}")
    il = _lengths(input_lengths, N, "input_lengths")
    tl = _lengths(target_lengths, N, "target_lengths")
    if np.any(il > T) or np.any(il < 1):
        raise ValueError(f"ctc_loss: Expected input_lengths to be in [1, {T}], got {il.tolist()}")
    if np.any(tl < 0):
        raise ValueError(f"ctc_loss: target_lengths must be non-negative, got {tl.tolist()}")
    tg = _targets(targets, tl)
    if np.any(tg < 0) or np.any(tg >= C):
        raise ValueError(f"ctc_loss: target labels must be in [0, {C}), got {tg.min()}..{tg.max()}")
    S = 2 * tg.shape[1] + 1
    ext = np.full((N, S), blank, dtype=np.int64)  # blank, l1, blank, l2, ..., blank
    ext[:, 1::2] = tg
    # l'(s) may be reached from s - 2 when it is a label different from l'(s - 2)
    skip = np.zeros((N, S), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    dt = lp.dtype
    emit = lp[:, np.arange(N)[:, None], ext]  # (T, N, S): log p_t(l'(s))
    neg1 = Tensor._make(np.full((N, 1), _NEG, dtype=dt))
    neg2 = Tensor._make(np.full((N, 2), _NEG, dtype=dt))
    start = np.full((N, S), _NEG, dtype=dt)
    start[:, 0] = 0.0
    start[:, 1] = np.where(tl > 0, 0.0, _NEG)
    alpha = emit[0] + start
    alphas = [alpha]
    for t in range(1, T):
        a1 = cat([neg1, alpha[:, :-1]], 1)
        a2 = where(skip, cat([neg2, alpha[:, :-2]], 1), _NEG)
        alpha = logsumexp(stack([alpha, a1, a2], 0), 0) + emit[t]
        alphas.append(alpha)
    A = stack(alphas, 0)  # (T, N, S)
    rows, last = np.arange(N), 2 * tl
    end_blank = A[il - 1, rows, last]
    end_label = where(tl > 0, A[il - 1, rows, np.maximum(last - 1, 0)], _NEG)
    loss = -logsumexp(stack([end_blank, end_label], 0), 0)
    impossible = loss._data > 1e29
    if impossible.any():
        loss = where(impossible, 0.0 if zero_infinity else np.inf, loss)
    if reduction == "mean":
        return (loss / np.maximum(tl, 1).astype(dt)).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.reshape(()) if unbatched else loss
