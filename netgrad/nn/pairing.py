"""Output activation and loss: does the loss expect what the network's last layer gives?

A loss on logits (``cross_entropy``, ``bce_with_logits``) applies softmax or the logistic itself;
after a ``Softmax`` or ``Sigmoid`` last layer it applies it a second time and trains (and explains)
something else than the textbook objective, without any error. ``pairing`` names the verdict:
'ok', 'reinterpret' (a loss given by name whose meaning is clear: traced as the learner meant, e.g.
softmax + 'cross_entropy' is the cross-entropy on probabilities) or 'refuse' (with why and a fix).

>>> from netgrad import nn
>>> p = pairing(nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1)), nn.CrossEntropyLoss())
>>> p.verdict, p.message.split(",")[0]
('refuse', 'CrossEntropyLoss applies softmax to its input')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Pairing", "pairing", "output_kind", "loss_kind", "refuse_double_application"]

_OUT = {"softmax": "softmax", "sigmoid": "sigmoid", "logistic": "sigmoid", "logsoftmax": "log_softmax",
        "tanh": "tanh", "identity": "identity", "linear": "identity", "step": "step", "signunit": "sign"}

_LOSS_MODULES = {"mseloss": "mse", "halfmseloss": "mse", "sseloss": "mse", "rssloss": "mse",
                 "l1loss": "mse", "huberloss": "mse", "smoothl1loss": "mse", "bceloss": "bce",
                 "binaryloglikelihood": "bce", "bcewithlogitsloss": "bce_with_logits",
                 "crossentropyloss": "cross_entropy", "nllloss": "nll"}
_LOSS_FUNCS = {"mse_loss": "mse", "half_mse_loss": "mse", "sse_loss": "mse", "rss_loss": "mse",
               "l1_loss": "mse", "huber_loss": "mse", "smooth_l1_loss": "mse", "binary_cross_entropy": "bce",
               "binary_log_likelihood": "bce", "binary_cross_entropy_with_logits": "bce_with_logits",
               "cross_entropy": "cross_entropy", "nll_loss": "nll",
               "cross_entropy_probs": "cross_entropy_probs"}
_LOSS_NAMES = {"squared": "mse", "mse": "mse", "half_mse": "mse", "sse": "mse", "bce": "bce",
               "log_likelihood": "bce", "bce_with_logits": "bce_with_logits",
               "cross_entropy": "cross_entropy", "nll": "nll", "cross_entropy_probs": "cross_entropy_probs",
               "probability_ce": "cross_entropy_probs"}

_WHAT = {"softmax": "probabilities (softmax)", "sigmoid": "probabilities (sigmoid)",
         "log_softmax": "log-probabilities (log_softmax)", "tanh": "values in (-1, 1) (tanh)",
         "identity": "unbounded values (a linear output)",
         "step": "exactly 0 or 1 (a step)", "sign": "exactly -1 or +1 (a sign unit)"}


@dataclass
class Pairing:
    """``verdict``: 'ok' | 'reinterpret' | 'refuse'; ``message`` says why; ``meant``: the loss
    (a name of ``netgrad.explain.LOSSES``) traced instead when reinterpreted."""

    verdict: str
    message: str = ""
    meant: str | None = None
    double: bool = False  # the loss applies the output's squashing a second time


def output_kind(module: Any) -> str:
    """'softmax', 'sigmoid', 'log_softmax', 'tanh', 'identity' or 'other' for a last layer."""
    if module is None:
        return "identity"
    name = type(module).__name__.lower()
    if name == "linearactivation" and float(getattr(module, "k", 1.0)) == 1.0:
        return "identity"
    return _OUT.get(name, "other")


def loss_kind(loss: Any) -> str | None:
    """The kind of input a loss expects, from a module, a function or a name; None if unknown."""
    if isinstance(loss, str):
        return _LOSS_NAMES.get(loss.lower().replace("-", "_"))
    name = type(loss).__name__.lower()
    if name in _LOSS_MODULES:
        return _LOSS_MODULES[name]
    fn = getattr(loss, "__name__", None)
    return _LOSS_FUNCS.get(fn) if isinstance(fn, str) else None


def last_module(model: Any) -> Any:
    """The last module of a (nested) Sequential; ``model`` itself otherwise (a custom module's
    forward may use its children in any order, so nothing is guessed from them)."""
    mods = list(model.children()) if type(model).__name__ == "Sequential" else []
    while mods:
        model = mods[-1]
        if type(model).__name__ in ("Dropout", "Flatten"):
            mods = mods[:-1]
            continue
        mods = list(model.children()) if type(model).__name__ == "Sequential" else []
    return model


def _lname(loss: Any) -> str:
    if isinstance(loss, str):
        return f"loss {loss!r}"
    return getattr(loss, "__name__", None) or type(loss).__name__


def pairing(model_or_kind: Any, loss: Any) -> Pairing:
    """The verdict for a model's last layer (or an output kind) with a loss."""
    out = model_or_kind if isinstance(model_or_kind, str) else output_kind(_last_activation(model_or_kind))
    lk = loss_kind(loss)
    if lk is None or out == "other":
        return Pairing("ok")
    by_name = isinstance(loss, str)
    ln = _lname(loss)
    what = _WHAT[out]
    if out in ("step", "sign"):
        if lk in ("bce", "nll", "cross_entropy_probs"):  # log 0 (or log of -1): no trace would be right
            return Pairing("refuse", f"{ln} takes (log-)probabilities, but the network's last layer gives "
                           f"{what}: the loss needs log 0 or the log of a negative number, and g'(net) = 0 "
                           "lets no gradient through. Fix: end the network with Sigmoid (loss='bce') or "
                           "Softmax (loss='cross_entropy_probs'), or train a threshold unit with "
                           "nn.Perceptron.")
        return Pairing("ok")
    if lk in ("cross_entropy", "bce_with_logits"):
        squash = "softmax" if lk == "cross_entropy" else "the logistic (sigmoid)"
        if out in ("softmax", "sigmoid"):
            meant = {("softmax", "cross_entropy"): "cross_entropy_probs",
                     ("sigmoid", "bce_with_logits"): "bce"}.get((out, lk))
            why = (f"{ln} applies {squash} to its input, but the network's last layer already gives {what}: "
                   f"{squash} would be applied twice")
            fix = {"cross_entropy": "remove the last Softmax (the loss takes logits) or use the "
                                    "cross-entropy "
                                    "on probabilities (netgrad.nn.functional.cross_entropy_probs, "
                                    "loss='cross_entropy_probs')",
                   "bce_with_logits": "remove the last Sigmoid (the loss takes logits) or use binary "
                                      "cross-entropy on probabilities (nn.BCELoss, loss='bce')"}[lk]
            if out == "sigmoid" and lk == "cross_entropy":
                fix = ("for a sigmoid output use binary cross-entropy (loss='bce'); for classes end the "
                       "network "
                       "with Softmax and use loss='cross_entropy_probs', or with no activation and "
                       "loss='cross_entropy'")
            if out == "softmax" and lk == "bce_with_logits":
                fix = "use loss='bce' on the probabilities, or loss='cross_entropy_probs' for classes"
            if by_name and meant:
                return Pairing("reinterpret", f"{why}; traced as meant, the {_MEANT[meant]} on the network's "
                               "probabilities.", meant, True)
            return Pairing("refuse", f"{why}. Fix: {fix}.", None, True)
        if out == "log_softmax" and lk == "bce_with_logits":
            return Pairing("refuse", f"{ln} takes logits, but the network's last layer gives {what}. Fix: "
                                     f"use "
                           "loss='nll' with LogSoftmax, or remove it and use loss='cross_entropy'.")
        if out == "log_softmax":
            return Pairing("ok", f"{ln} applies log_softmax to the network's log-probabilities again, which "
                           "changes nothing (log_softmax of log-probabilities is themselves).")
        return Pairing("ok")
    if lk == "bce" and out in ("identity", "tanh", "log_softmax"):
        return Pairing("refuse", f"{ln} takes probabilities in [0, 1], but the network's last layer gives "
                                 f"{what}. "
                       "Fix: end the network with Sigmoid, or use loss='bce_with_logits' on a linear output.")
    if lk == "nll" and out != "log_softmax":
        if out == "softmax":
            why = (f"{ln} takes log-probabilities, but the network's last layer gives {what}: the loss "
                   f"would be "
                   "-z_y, not -log z_y")
            if by_name:
                return Pairing("reinterpret", f"{why}; traced as meant, the {_MEANT['cross_entropy_probs']} "
                                              f"on "
                               "the network's probabilities.", "cross_entropy_probs", True)
            return Pairing("refuse", f"{why}. Fix: use LogSoftmax as the last layer, or the cross-entropy on "
                           "probabilities (netgrad.nn.functional.cross_entropy_probs).", None, True)
        return Pairing("refuse", f"{ln} takes log-probabilities, but the network's last layer gives {what}: "
                       "the loss would be -net_y, unbounded below. Fix: end the network with LogSoftmax, or "
                       "use loss='cross_entropy' on the logits.")
    if lk == "cross_entropy_probs" and out != "softmax":
        fix = {"sigmoid": "sigmoid outputs are not one distribution over the classes: use loss='bce', or end "
                          "the network with Softmax",
               "log_softmax": "use loss='nll' on log-probabilities",
               }.get(out, "end the network with Softmax, or use loss='cross_entropy' on the logits")
        return Pairing("refuse", f"{ln} takes probabilities that sum to 1 over the classes, but the "
                                 f"network's "
                       f"last layer gives {what}. Fix: {fix}.")
    return Pairing("ok")


_MEANT = {"cross_entropy_probs": "cross-entropy J = -sum t log z", "bce": "binary cross-entropy"}


def _last_activation(model: Any) -> Any:
    m = last_module(model)
    return None if type(m).__name__ == "Linear" else m


def refuse_double_application(model: Any, loss: Any, op: str = "fit") -> None:
    """Raise ValueError when ``loss`` applies softmax or the logistic that the model's last layer
    already applied (or takes log-probabilities from a Softmax)."""
    try:
        p = pairing(model, loss)
    except Exception:  # an exotic model or loss: nothing to say
        return
    if p.double:
        raise ValueError(f"{op}: {p.message.split('; traced as meant')[0]}")
