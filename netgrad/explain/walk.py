"""The model walk for ``explain``: Linear layers with their activations, and the loss's closed form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .rules import ActivationRule, LossRule, activation_rule, loss_rule

# ------------------------------------------------------------------- model walk
_ACT_NAMES = {"sigmoid": "sigmoid", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
              "leakyrelu": "leaky_relu", "softmax": "softmax", "identity": "linear",
              "linearactivation": "linear", "linear_activation": "linear", "step": "step",
              "heaviside": "step"}


@dataclass
class _Layer:
    linear: Any
    act_module: Any = None
    rule: ActivationRule | None = None


def _modules(model: Any) -> list:
    if type(model).__name__ == "Linear":
        return [model]
    if hasattr(model, "children"):
        mods = list(model.children())
        if mods:  # nested Sequentials are flattened: their layers run in the same order
            return [m for c in mods for m in (_modules(c) if type(c).__name__ == "Sequential" else [c])]
    if isinstance(model, (list, tuple)):
        return list(model)
    raise TypeError(f"explain: expected an nn.Sequential of Linear layers and activations, got "
                    f"{type(model).__name__}")


def _act_rule(m: Any) -> ActivationRule | None:
    name = _ACT_NAMES.get(type(m).__name__.lower())
    if name is None:
        return None
    if name == "linear":
        k = next((float(getattr(m, a)) for a in ("k", "slope", "scale") if hasattr(m, a)), 1.0)
        return activation_rule("linear", k=k)
    if name == "leaky_relu":
        return activation_rule(name, negative_slope=float(getattr(m, "negative_slope", 0.01)))
    if name == "step":
        return activation_rule(name, threshold=float(getattr(m, "threshold", 0.0)),
                               straight_through=bool(getattr(m, "straight_through", False)))
    if name == "softmax":
        dim = getattr(m, "dim", -1)
        if dim not in (None, -1, 1):
            raise ValueError(f"explain: softmax over dim {dim} is not over the features")
    return activation_rule(name)


def _autograd_rule(m: Any) -> ActivationRule:
    """An activation with no closed form here: g by the module, and delta = (dJ/da) (da/dnet) by
    autograd's vector-Jacobian product, right whether or not g acts elementwise (log-softmax...)."""
    import netgrad as ng

    def g(x: np.ndarray) -> np.ndarray:
        with ng.no_grad():
            return np.asarray(m(ng.tensor(x, dtype=ng.float64)).numpy(), dtype=np.float64)

    def vjp(x: np.ndarray, upstream: np.ndarray) -> np.ndarray:
        t = ng.tensor(x, dtype=ng.float64, requires_grad=True)
        with ng.enable_grad():
            (d,) = ng.autograd.grad(m(t), t, grad_outputs=ng.tensor(upstream, dtype=ng.float64))
        return np.asarray(d.numpy(), dtype=np.float64)

    name = type(m).__name__
    return ActivationRule(name, g, None, f"{name}'(net) (by autograd: delta = dJ/da . da/dnet)",
                          rf"\mathrm{{{name}}}'(\mathrm{{net}})", vjp=vjp)


def _layers(model: Any) -> list[_Layer]:
    layers: list[_Layer] = []
    for m in _modules(model):
        cname = type(m).__name__
        if cname == "Linear":
            layers.append(_Layer(m))
        elif cname in ("Flatten", "Dropout") or (cname == "Identity" and not layers):
            continue
        else:
            if any(True for _ in getattr(m, "parameters", lambda: ())()):
                raise ValueError(f"explain: handles Linear layers and activations only, got {cname}")
            if not layers:
                raise ValueError(f"explain: the network must start with a Linear layer, got {cname}")
            if layers[-1].act_module is not None:
                raise ValueError(f"explain: two activations in a row after layer {len(layers)} "
                                 f"({type(layers[-1].act_module).__name__}, {cname})")
            layers[-1].act_module = m
            layers[-1].rule = _act_rule(m) or _autograd_rule(m)
    if not layers:
        raise ValueError("explain: the model has no Linear layer")
    for lay in layers:
        if lay.rule is None:
            lay.rule = activation_rule("linear")
    return layers


_LOSS_NAMES = {"mseloss": "mse", "halfmseloss": "half_mse", "crossentropyloss": "cross_entropy",
               "bceloss": "bce", "sseloss": "squared", "rssloss": "squared",
               "binaryloglikelihood": "log_likelihood"}


def _loss_rule(loss: Any) -> tuple[LossRule | None, Any]:
    """(closed form or None, the callable autograd uses)."""
    if isinstance(loss, str):
        return loss_rule(loss), None
    cname = type(loss).__name__.lower()
    red = getattr(loss, "reduction", "mean")
    if red == "none":
        raise ValueError("explain: the loss must reduce to a number (reduction 'mean' or 'sum')")
    name = _LOSS_NAMES.get(cname)
    if name == "bce" and getattr(loss, "weight", None) is not None:
        name = None
    if name == "cross_entropy" and (getattr(loss, "label_smoothing", 0) or getattr(loss, "weight", None)
                                    is not None):
        name = None  # no closed form here for weighted or smoothed targets: autograd's dJ/da
    if name is None:
        return None, loss
    return loss_rule(name, reduction=red), loss


def _np_loss_grad(loss_fn: Any, out: np.ndarray, y_t: Any) -> tuple[float, np.ndarray]:
    import netgrad as ng

    o = ng.tensor(out, dtype=ng.float64, requires_grad=True)
    with ng.enable_grad():
        J = loss_fn(o, y_t)
        J.backward()
    return float(J.item()), np.asarray(o.grad.numpy(), dtype=np.float64)
