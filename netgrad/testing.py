"""Gradient checking: compare autograd's gradients with float64 central differences.

>>> import netgrad as ng
>>> from netgrad.testing import gradcheck
>>> x = ng.randn(3, dtype=ng.float64, requires_grad=True)
>>> gradcheck(lambda t: (t.exp() * t).sum(), [x])
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .autograd import Tensor
from .autograd.engine import grad as autograd_grad
from .autograd.errors import NetgradError
from .autograd.grad_mode import enable_grad, no_grad


class GradcheckError(NetgradError, AssertionError):
    """Analytic and numeric gradients disagree; the message names input, index and values."""


@dataclass
class Mismatch:
    """One element's analytic and numeric derivative: ``input`` (its position), ``index``."""

    input: int
    index: tuple
    analytic: float
    numeric: float

    @property
    def error(self) -> float:
        return abs(self.analytic - self.numeric)


def _scalarise(out: Any, weights: list) -> Tensor:
    """Reduce each output to a scalar with fixed random weights (one backward covers all)."""
    outs = [out] if isinstance(out, Tensor) else [o for o in out if isinstance(o, Tensor)]
    total = None
    for k, o in enumerate(outs):
        if len(weights) <= k:
            weights.append(np.random.default_rng(1234 + k).standard_normal(o.shape))
        term = (o * Tensor._make(weights[k].astype(o.dtype))).sum()
        total = term if total is None else total + term
    # No tensor output at all (e.g. every first gradient in gradgradcheck was None): a constant.
    return Tensor._make(np.zeros(())) if total is None else total


def numeric_gradients(fn: Callable, inputs: Sequence[Tensor], eps: float = 1e-6) -> tuple[list, list]:
    """Central differences (f(x+eps) - f(x-eps)) / 2 eps of the weighted output, per element;
    returns (one array or None per input, the output weights used)."""
    weights: list = []
    with no_grad():
        _scalarise(fn(*inputs), weights)
    grads = []
    for t in inputs:
        if not (isinstance(t, Tensor) and t.requires_grad):
            grads.append(None)
            continue
        g = np.zeros(t.shape)
        arr = t._data  # perturbed in place by index: reshape(-1) would copy a non-contiguous array
        for i in np.ndindex(arr.shape):
            orig = arr[i]
            with no_grad():
                arr[i] = orig + eps
                plus = float(_scalarise(fn(*inputs), weights)._data)
                arr[i] = orig - eps
                minus = float(_scalarise(fn(*inputs), weights)._data)
            arr[i] = orig
            g[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads, weights


def gradcheck(fn: Callable, inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check ``fn``'s autograd gradients against float64 central differences at every element.

    ``inputs`` that require grad must be float64 (differences in float32 are too coarse).
    Outputs are reduced with fixed random weights, so every output element is checked. On
    failure raises ``GradcheckError`` naming the worst mismatch (input, index, analytic, numeric),
    or returns False with ``raise_exception=False``.
    """
    inputs = list(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input requires grad")
    for k, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            raise TypeError(f"gradcheck: input {k} is {t.dtype}; use float64 inputs "
                            "(e.g. ng.randn(3, dtype=ng.float64, requires_grad=True))")
    numeric, weights = numeric_gradients(fn, inputs, eps)
    out = _scalarise(fn(*inputs), weights)
    # An output that does not depend on the inputs through the graph has zero analytic gradient
    # (gradgradcheck of a linear op: its first gradients are constants).
    analytic = (autograd_grad(out, diff, allow_unused=True) if out.requires_grad
                else [None] * len(diff))
    # The worst element is the one furthest beyond its tolerance, so the message always names a
    # failing element (the largest |diff| may be within rtol of a large gradient).
    worst: Mismatch | None = None
    worst_excess = -np.inf
    j = 0
    for k, t in enumerate(inputs):
        if numeric[k] is None:
            continue
        a = analytic[j]
        j += 1
        a = np.zeros(t.shape) if a is None else a._data.astype(np.float64)
        n = numeric[k]
        if not n.size:
            continue
        excess = np.abs(a - n) - (atol + rtol * np.abs(n))
        excess = np.where(np.isnan(excess), np.inf, excess)  # a NaN on either side fails, not passes
        i = np.unravel_index(int(np.argmax(excess)), excess.shape)
        if excess[i] > worst_excess:
            worst_excess = float(excess[i])
            worst = Mismatch(k, tuple(int(v) for v in i), float(a[i]), float(n[i]))
    ok = not worst_excess > 0
    if not ok and raise_exception:
        raise GradcheckError(
            f"gradcheck failed: worst mismatch at input {worst.input}, index {worst.index}: "
            f"analytic {worst.analytic:.8g} vs numeric {worst.numeric:.8g} "
            f"(|diff| {worst.error:.3g} > atol {atol} + rtol {rtol} * |numeric|)")
    return ok


def gradgradcheck(fn: Callable, inputs: Sequence[Any], **kw: Any) -> bool:
    """Check second derivatives: gradcheck of the (weighted) first gradients."""
    inputs = list(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    weights: list = []

    def first_grads(*xs):
        with enable_grad():  # the numeric pass runs under no_grad; the inner gradient needs a graph
            out = _scalarise(fn(*xs), weights)
            gs = autograd_grad(out, diff, create_graph=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs, **kw)
