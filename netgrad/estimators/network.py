"""The network and objective behind the estimators and the command line (no scikit-learn here).

An MLP is ``Linear -> g -> [Dropout] -> ... -> Linear``: it returns scores (logits); the
objective puts the output activation (softmax, logistic or identity) and the loss together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

import netgrad as ng

# activation name (sklearn's names first) -> netgrad.nn class name
ACTIVATIONS: dict[str, str] = {
    "identity": "Identity", "logistic": "Sigmoid", "tanh": "Tanh", "relu": "ReLU",
    "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU", "softplus": "Softplus",
    "silu": "SiLU", "sigmoid": "Sigmoid", "linear": "Identity",
}

CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclass(frozen=True)
class Objective:
    """A named objective: which tasks it serves and how it reads the network's scores.

    ``softmax_only``: it needs one output per class (binary problems get two outputs).
    A regression loss used for classification compares probabilities (softmax/logistic of the
    scores) with one-hot targets, as the notes' squared-error classifier does (see ``make_loss``).
    """

    name: str
    tasks: tuple[str, ...]
    softmax_only: bool = False


OBJECTIVES: dict[str, Objective] = {o.name: o for o in (
    Objective("cross_entropy", (CLASSIFICATION,)),
    Objective("nll", (CLASSIFICATION,), softmax_only=True),
    Objective("kl_div", (CLASSIFICATION,), softmax_only=True),
    Objective("symmetric_cross_entropy", (CLASSIFICATION,), softmax_only=True),
    Objective("squared_error", (REGRESSION, CLASSIFICATION)),
    Objective("mse", (REGRESSION, CLASSIFICATION)),
    Objective("half_mse", (REGRESSION, CLASSIFICATION)),
    Objective("sse", (REGRESSION, CLASSIFICATION)),
    Objective("l1", (REGRESSION, CLASSIFICATION)),
    Objective("huber", (REGRESSION, CLASSIFICATION)),
)}
LOSS_ALIASES = {
    "log_loss": "cross_entropy", "ce": "cross_entropy", "crossentropy": "cross_entropy",
    "nll_loss": "nll", "kl": "kl_div", "kldiv": "kl_div", "sce": "symmetric_cross_entropy",
    "squared_loss": "squared_error", "rss": "sse", "mae": "l1", "absolute_error": "l1",
    "halfmse": "half_mse", "half_squared_error": "squared_error",
}


def objective(name: str, task: str) -> Objective:
    key = LOSS_ALIASES.get(str(name).lower().replace("-", "_"), str(name).lower().replace("-", "_"))
    obj = OBJECTIVES.get(key)
    if obj is None:
        raise ValueError(f"unknown loss {name!r}; choose from {', '.join(loss_names(task))}")
    if task not in obj.tasks:
        raise ValueError(f"loss {name!r} is for {' or '.join(obj.tasks)}, not {task}; "
                         f"choose from {', '.join(loss_names(task))}")
    return obj


def loss_names(task: str | None = None) -> list[str]:
    return [n for n, o in OBJECTIVES.items() if task is None or task in o.tasks]


def activation_names() -> list[str]:
    import netgrad.nn as nn

    return [n for n, cls in ACTIVATIONS.items() if hasattr(nn, cls)]


def make_activation(name: str):
    import netgrad.nn as nn

    cls = ACTIVATIONS.get(str(name).lower().replace("-", "_"))
    if cls is None or not hasattr(nn, cls):
        raise ValueError(f"unknown activation {name!r}; choose from {', '.join(activation_names())}")
    return getattr(nn, cls)()


def build_mlp(n_in: int, hidden: list[int] | tuple[int, ...], n_out: int, activation: str = "relu",
              dropout: float = 0.0):
    """``Linear(n_in, h1) -> g -> [Dropout] -> ... -> Linear(h_last, n_out)`` (scores out), in
    float32 whatever netgrad's default dtype is."""
    import netgrad.nn as nn

    layers, width = [], n_in
    for h in hidden:
        layers += [nn.Linear(width, int(h)), make_activation(activation)]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = int(h)
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers).float()


def linear_layers(model) -> list:
    import netgrad.nn as nn

    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def glorot_init_(model, activation: str, random_state: np.random.RandomState) -> None:
    """scikit-learn's initialisation: W, b ~ U(-r, r), r = sqrt(k / (fan_in + fan_out)), k = 6
    (2 for the logistic activation), drawn in sklearn's order so a ``random_state`` means the same.
    """
    k = 2.0 if activation in ("logistic", "sigmoid") else 6.0
    with ng.no_grad():
        for layer in linear_layers(model):
            fan_out, fan_in = layer.weight.shape
            r = np.sqrt(k / (fan_in + fan_out))
            w = random_state.uniform(-r, r, (fan_in, fan_out))
            b = random_state.uniform(-r, r, fan_out)
            layer.weight.copy_(ng.tensor(w.T.astype(np.float32)))
            layer.bias.copy_(ng.tensor(b.astype(np.float32)))


def make_loss(obj: Objective, head: str) -> Callable:
    """``loss(scores, target)``. ``head``: 'softmax' (target: class indices; one-hot for
    probability losses), 'logistic' (target: 0/1 matrix, binary or multilabel) or 'identity'.

    Reductions follow scikit-learn: mean over samples, summed over the logistic outputs; the
    squared error is half the mean over all entries.
    """
    import netgrad.nn as nn
    import netgrad.nn.functional as F

    name = obj.name
    if head == "softmax" and name == "cross_entropy":
        return nn.CrossEntropyLoss()
    if head == "softmax" and name == "nll":
        nll = nn.NLLLoss()
        return lambda z, y: nll(F.log_softmax(z, dim=1), y)
    if head == "softmax" and name == "kl_div":
        kl = nn.KLDivLoss(reduction="batchmean")
        return lambda z, y: kl(F.log_softmax(z, dim=1), y)
    if head == "softmax" and name == "symmetric_cross_entropy":  # on probabilities, one-hot targets
        sce = nn.SymmetricCrossEntropyLoss(dim=1)
        return lambda z, y: sce(F.softmax(z, dim=1), y)
    if head == "logistic" and name == "cross_entropy":
        bce = nn.BCEWithLogitsLoss()
        return lambda z, y: bce(z, y) * z.shape[1]
    if obj.softmax_only:
        raise ValueError(f"loss {name!r} needs a softmax output (one output per class)")
    base = {"squared_error": None, "mse": "MSELoss", "half_mse": "HalfMSELoss", "sse": "SSELoss",
            "l1": "L1Loss", "huber": "HuberLoss"}[name]
    inner = (lambda p, y: nn.MSELoss()(p, y) * 0.5) if base is None else getattr(nn, base)()
    if head == "identity":
        return inner
    squash = (lambda z: F.softmax(z, dim=1)) if head == "softmax" else F.sigmoid
    return lambda z, y: inner(squash(z), y)


def target_format(obj: Objective, head: str) -> str:
    """'index' (int64 class indices) or 'dense' (float32 one-hot / 0-1 / values)."""
    if head == "softmax" and obj.name in ("cross_entropy", "nll"):
        return "index"
    return "dense"


def probabilities(scores: np.ndarray, head: str) -> np.ndarray:
    """The output activation (softmax, logistic or identity) on scores, in float64."""
    import netgrad.nn.functional as F

    s = ng.tensor(np.asarray(scores, dtype=np.float64))
    with ng.no_grad():
        if head == "softmax":
            return F.softmax(s, dim=1).numpy()
        if head == "logistic":
            return F.sigmoid(s).numpy()
    return s.numpy()
