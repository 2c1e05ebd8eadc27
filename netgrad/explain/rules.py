"""The closed forms of the delta rule, on NumPy arrays in float64, in the notes' notation.

Forward:  net^(l) = a^(l-1) W^(l) + b^(l),  a^(l) = g(net^(l)),  a^(0) = x  (rows = examples,
W^(l) of shape inputs x outputs).
Backward: delta^(L) = dJ/da^(L) * g'(net^(L)),  delta^(l) = (delta^(l+1) W^(l+1)^T) * g'(net^(l)),
dJ/dW^(l) = a^(l-1)^T delta^(l),  dJ/db^(l) = sum over the examples of delta^(l).

>>> import numpy as np
>>> act = activation_rule("sigmoid")
>>> float(act.g(np.array(0.0))), float(act.dg(np.array(0.0), act.g(np.array(0.0))))
(0.5, 0.25)
>>> loss_rule("squared").dJ_da(np.array([[0.8385]]), np.array([[1.0]]))
array([[-0.323]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["ActivationRule", "LossRule", "activation_rule", "loss_rule", "LOSSES"]


@dataclass
class ActivationRule:
    """g and its derivative g'(net) in closed form (``dg(net, a)``), with the formula as text."""

    name: str
    g: Callable[[np.ndarray], np.ndarray]
    dg: Callable[[np.ndarray, np.ndarray], np.ndarray] | None  # None: softmax (a Jacobian)
    formula: str  # g'(net) in the notes' notation
    latex: str
    # delta = vjp(net, dJ/da): for activations with no closed form here (autograd, any shape rule)
    vjp: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def activation_rule(name: str, k: float = 1.0, negative_slope: float = 0.01,
                    threshold: float = 0.0, straight_through: bool = False) -> ActivationRule:
    """The closed form for an activation by name ('linear', 'sigmoid', 'tanh', 'relu', ...)."""
    n = name.lower().replace("-", "_")
    if n in ("linear", "identity", "linear_activation", "linearactivation"):
        if k == 1.0:
            return ActivationRule("linear", lambda x: x, lambda x, a: np.ones_like(x), "1", "1")
        return ActivationRule(f"linear (k={k:g})", lambda x: k * x,
                              lambda x, a: np.full_like(x, k), f"{k:g}", f"{k:g}")
    if n in ("sigmoid", "logistic"):
        return ActivationRule("sigmoid", _sigmoid, lambda x, a: a * (1 - a), "a (1 - a)",
                              r"a\,(1 - a)")
    if n == "tanh":
        return ActivationRule("tanh", np.tanh, lambda x, a: 1 - a ** 2, "1 - a^2", "1 - a^2")
    if n == "relu":
        return ActivationRule("relu", lambda x: np.maximum(x, 0),
                              lambda x, a: (x > 0).astype(np.float64), "1 if net > 0 else 0",
                              r"[\mathrm{net} > 0]")
    if n in ("leaky_relu", "leakyrelu"):
        s = negative_slope
        return ActivationRule(f"leaky relu (slope {s:g})", lambda x: np.where(x > 0, x, s * x),
                              lambda x, a: np.where(x > 0, 1.0, s),
                              f"1 if net > 0 else {s:g}",
                              rf"[\mathrm{{net}} > 0] + {s:g}\,[\mathrm{{net}} \le 0]")
    if n in ("step", "heaviside"):
        t = threshold
        if straight_through:
            return ActivationRule("step (straight-through)", lambda x: (x > t).astype(np.float64),
                                  lambda x, a: np.ones_like(x), "1 (straight-through surrogate)", "1")
        return ActivationRule("step", lambda x: (x > t).astype(np.float64),
                              lambda x, a: np.zeros_like(x), "0 (flat almost everywhere)", "0")
    if n == "softmax":
        return ActivationRule("softmax", _softmax, None, "diag(a) - a^T a (a Jacobian)",
                              r"\mathrm{diag}(a) - a^\top a")
    raise ValueError(f"explain: no closed form for activation {name!r}; known: linear, sigmoid, "
                     "tanh, relu, leaky_relu, step, softmax")


@dataclass
class LossRule:
    """J(y_hat, y) and dJ/dy_hat in closed form; ``softmax_inside``: the loss applies softmax to
    the network's output first (cross-entropy on logits, as PyTorch's CrossEntropyLoss)."""

    name: str
    J: Callable[[np.ndarray, np.ndarray], float]
    dJ_da: Callable[[np.ndarray, np.ndarray], np.ndarray]
    formula: str
    grad_formula: str
    latex: str
    softmax_inside: bool = False
    mean: bool = True  # divided by the number of examples (or elements, for mse and bce)
    maximise: bool = False  # an objective to climb (the log-likelihood): the update is +eta dJ/dW
    sigmoid_inside: bool = False  # the loss applies the logistic first (BCE on logits)
    class_targets: bool = False  # integer targets are class indices (one-hot t)
    key: str = ""  # the name it was asked by (a LOSSES entry)


def _n(y: np.ndarray) -> int:
    return y.shape[0] if y.ndim > 1 else 1


def _clip(p: np.ndarray) -> np.ndarray:
    return np.clip(p, 1e-12, 1 - 1e-12)


def loss_rule(name: str, reduction: str | None = None) -> LossRule:
    """The closed form for a loss by name: 'squared' (sum of squares), 'mse', 'half_mse',
    'cross_entropy' (on logits), 'bce', 'log_likelihood' (the notes' binary log-likelihood l, an
    objective to maximise, summed over the examples unless ``reduction='mean'``),
    'bce_with_logits', 'nll' (on log-probabilities), 'cross_entropy_probs' (on probabilities)."""
    rule = _loss_rule(name, reduction)
    rule.key = name.lower().replace("-", "_")
    return rule


def _loss_rule(name: str, reduction: str | None) -> LossRule:
    n = name.lower().replace("-", "_")
    if reduction is None:
        reduction = "sum" if n in ("log_likelihood", "loglik", "binary_log_likelihood") else "mean"
    if n in ("squared", "sse", "rss", "sum_squared") or (n == "mse" and reduction == "sum"):
        return LossRule("squared error", lambda a, y: float(((y - a) ** 2).sum()),
                        lambda a, y: 2 * (a - y), "J = sum (y - y_hat)^2", "2 (y_hat - y)",
                        r"J = \sum (y - \hat y)^2", mean=False)
    if n == "mse":
        return LossRule("mean squared error", lambda a, y: float(((y - a) ** 2).mean()),
                        lambda a, y: 2 * (a - y) / y.size, "J = 1/(N K) sum (y - y_hat)^2",
                        "2 (y_hat - y) / (N K)", r"J = \frac{1}{NK}\sum (y - \hat y)^2")
    if n in ("half_mse", "halfmse", "half_mean_squared"):
        return LossRule("half mean squared error", lambda a, y: float(((y - a) ** 2).sum() / (2 * y.size)),
                        lambda a, y: (a - y) / y.size, "J = 1/(2N) sum (y - y_hat)^2",
                        "(y_hat - y) / N", r"J = \frac{1}{2N}\sum (y - \hat y)^2")
    if n in ("cross_entropy", "crossentropy", "xent", "ce"):
        div = (lambda y: _n(y)) if reduction == "mean" else (lambda y: 1)

        def j(a: np.ndarray, t: np.ndarray) -> float:
            z = _softmax(a)
            return float(-(t * np.log(np.clip(z, 1e-300, None))).sum() / div(t))

        return LossRule("cross-entropy (softmax applied by the loss)", j,
                        lambda a, t: (_softmax(a) - t) / div(t), "J = -1/N sum t log z,  z = softmax(net)",
                        "z - t" + (" (/N)" if reduction == "mean" else ""),
                        r"J = -\frac{1}{N}\sum t \log z,\quad z = \mathrm{softmax}(\mathrm{net})",
                        softmax_inside=True, mean=reduction == "mean", class_targets=True)
    if n in ("bce", "binary_cross_entropy"):
        mean = reduction == "mean"
        div = (lambda y: y.size) if mean else (lambda y: 1)

        def jb(a: np.ndarray, y: np.ndarray) -> float:
            p = _clip(a)
            return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).sum() / div(y))

        return LossRule("binary cross-entropy", jb,
                        lambda a, y: (a - y) / (_clip(a) * (1 - _clip(a))) / div(y),
                        "J = -" + ("1/N " if mean else "") + "sum [y log y_hat + (1 - y) log(1 - y_hat)]",
                        "(y_hat - y) / (y_hat (1 - y_hat))" + (" / N" if mean else ""),
                        r"J = -" + (r"\frac{1}{N}" if mean else "")
                        + r"\sum [y \log \hat y + (1 - y)\log(1 - \hat y)]", mean=mean)
    if n in ("log_likelihood", "loglik", "binary_log_likelihood"):
        mean = reduction == "mean"
        div = (lambda y: y.size) if mean else (lambda y: 1)

        def ll(a: np.ndarray, y: np.ndarray) -> float:
            p = _clip(a)
            return float((y * np.log(p) + (1 - y) * np.log(1 - p)).sum() / div(y))

        return LossRule("log-likelihood (maximised)", ll,
                        lambda a, y: (y - a) / (_clip(a) * (1 - _clip(a))) / div(y),
                        "l = " + ("1/N " if mean else "") + "sum [y log y_hat + (1 - y) log(1 - y_hat)]",
                        "(y - y_hat) / (y_hat (1 - y_hat))" + (" / N" if mean else ""),
                        r"\ell = " + (r"\frac{1}{N}" if mean else "")
                        + r"\sum [y \log \hat y + (1 - y)\log(1 - \hat y)]", mean=mean, maximise=True)
    if n in ("cross_entropy_probs", "probability_ce", "ce_probs"):
        mean = reduction == "mean"
        div = (lambda y: _n(y)) if mean else (lambda y: 1)
        per = " / N" if mean else ""

        def jp(z: np.ndarray, t: np.ndarray) -> float:
            return float(-(t * np.log(np.maximum(z, EPS))).sum() / div(t))

        return LossRule("cross-entropy on probabilities", jp, lambda z, t: -t / np.maximum(z, EPS) / div(t),
                        "J = -" + ("1/N " if mean else "") + "sum t log z", "-t / z" + per,
                        r"J = -" + (r"\frac{1}{N}" if mean else "") + r"\sum t \log z", mean=mean,
                        class_targets=True)
    if n in ("nll", "nll_loss"):
        mean = reduction == "mean"
        div = (lambda y: _n(y)) if mean else (lambda y: 1)
        return LossRule("negative log-likelihood (on log-probabilities)",
                        lambda a, t: float(-(t * a).sum() / div(t)), lambda a, t: -t / div(t),
                        "J = -" + ("1/N " if mean else "") + "sum t a  (a = log z)",
                        "-t" + (" / N" if mean else ""),
                        r"J = -" + (r"\frac{1}{N}" if mean else "") + r"\sum t\, a,\quad a = \log z",
                        mean=mean, class_targets=True)
    if n in ("bce_with_logits", "binary_cross_entropy_with_logits"):
        mean = reduction == "mean"
        div = (lambda y: y.size) if mean else (lambda y: 1)

        def jl(a: np.ndarray, y: np.ndarray) -> float:
            # log(1 + e^-|a|) + max(a, 0) - y a, without overflow
            return float((np.log1p(np.exp(-np.abs(a))) + np.maximum(a, 0) - y * a).sum() / div(y))

        return LossRule("binary cross-entropy on logits (the loss applies the logistic)", jl,
                        lambda a, y: (_sigmoid(a) - y) / div(y),
                        "J = -" + ("1/N " if mean else "") + "sum [y log y_hat + (1 - y) log(1 - y_hat)],  "
                        "y_hat = sigma(net)", "y_hat - y" + (" (/N)" if mean else ""),
                        r"J = -" + (r"\frac{1}{N}" if mean else "")
                        + r"\sum [y \log \hat y + (1 - y)\log(1 - \hat y)],\quad \hat y = "
                          r"\sigma(\mathrm{net})",
                        mean=mean, sigmoid_inside=True)
    raise ValueError(f"explain: no closed form for loss {name!r}; known: {', '.join(LOSSES)}")


EPS = 1e-12  # the log's floor in the cross-entropy on probabilities (as nn.functional.cross_entropy_probs)
LOSSES = ("squared", "mse", "half_mse", "cross_entropy", "bce", "log_likelihood", "bce_with_logits", "nll",
          "cross_entropy_probs")
