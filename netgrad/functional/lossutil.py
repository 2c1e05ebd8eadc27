"""Helpers shared by the loss functions: reduction and input/target checks."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg

_REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str, op: str, extra: tuple = ()) -> None:
    """ValueError naming ``op`` unless ``reduction`` is 'mean', 'sum', 'none' or one of ``extra``."""
    if reduction not in _REDUCTIONS + extra:
        allowed = ", ".join(repr(r) for r in _REDUCTIONS + extra)
        raise ValueError(f"{op}: reduction must be one of {allowed}, got {reduction!r}")


def legacy_reduction(size_average: Any, reduce: Any, reduction: str, op: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` mapped to a reduction exactly as torch
    does (either given overrides ``reduction``; None counts as True): reduce False -> 'none',
    else size_average False -> 'sum', else 'mean'. Warns as torch does.

    >>> import warnings; warnings.simplefilter("ignore")
    >>> legacy_reduction(False, None, "mean", "mse_loss"), legacy_reduction(None, False, "sum", "l1")
    ('sum', 'none')
    """
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"{op}: size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", UserWarning, stacklevel=3)
    return ret


def _weighted(loss: Tensor, weight: Any, op: str) -> Tensor:
    return loss if weight is None else loss * as_tensor_arg(weight, op).to(loss.dtype)


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    check_reduction(reduction, op)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Any, target: Any, op: str) -> tuple:  # noqa: A002
    x = as_tensor_arg(input, op)
    t = target if isinstance(target, Tensor) else as_tensor_arg(target, op)
    if t.dtype != x.dtype and x.dtype.kind == "f":
        t = t.to(x.dtype)
    if x.shape != t.shape:
        try:
            np.broadcast_shapes(x.shape, t.shape)
        except ValueError:
            raise ShapeError(f"{op}: input of shape {x.shape} and target of shape {t.shape} do not "
                             "match") from None
        warnings.warn(f"{op}: target size {t.shape} differs from input size {x.shape}; they are "
                      "broadcast, which is likely not what you want", UserWarning, stacklevel=3)
    return x, t
