"""``explain``: one step of backpropagation with the real numbers, in the notes' notation.

The deltas are computed by the closed-form delta rule (``rules.py``), then checked against
netgrad's autograd on the same model; the largest difference is reported.

netgrad's ``nn.Linear`` shapes its weight (out, in), like PyTorch (net = a W^T + b; in memory it
keeps W^T's transpose, the notes' W, row-major). The trace
shows W^(l) in the notes' orientation, inputs x outputs (W^(l) = weight^T), so that
net = a W + b reads as in the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import Tensor
from .rules import ActivationRule, LossRule, _softmax, activation_rule, loss_rule

__all__ = ["LayerTrace", "Trace", "explain"]


@dataclass
class LayerTrace:
    """The numbers of layer l (rows = examples): forward net, a; backward delta, dW, db, update."""

    index: int
    n_in: int
    n_out: int
    activation: str
    dg_formula: str
    W: np.ndarray              # inputs x outputs (the notes' orientation; = weight^T)
    b: np.ndarray | None
    net: np.ndarray = field(default_factory=lambda: np.zeros(0))
    a: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dg: np.ndarray | None = None          # g'(net), None for softmax
    delta: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dW: np.ndarray = field(default_factory=lambda: np.zeros(0))
    db: np.ndarray | None = None
    update_W: np.ndarray = field(default_factory=lambda: np.zeros(0))
    update_b: np.ndarray | None = None
    # autograd's numbers for the same quantities (same orientation), for the cross-check
    delta_autograd: np.ndarray | None = None
    dW_autograd: np.ndarray | None = None
    db_autograd: np.ndarray | None = None


@dataclass
class Trace:
    """A forward and backward pass with every number; render with ``to_text``, ``to_markdown``
    or ``to_latex``. ``max_diff`` is the largest |closed form - autograd| over deltas and grads."""

    x: np.ndarray
    y: np.ndarray
    y_hat: np.ndarray
    loss: float
    loss_name: str
    loss_formula: str
    loss_grad_formula: str
    loss_latex: str
    lr: float
    layers: list[LayerTrace]
    output: np.ndarray            # the network's output a^(L) (before the loss's softmax, if any)
    dJ_da: np.ndarray = field(default_factory=lambda: np.zeros(0))  # dJ/da^(L), the backward's start
    softmax_in_loss: bool = False
    maximise: bool = False        # the objective is climbed: update = +eta dJ/dW
    loss_autograd: float | None = None
    max_diff: float = float("nan")
    notes: list[str] = field(default_factory=list)
    digits: int = 6

    def to_text(self, digits: int | None = None) -> str:
        from .render import to_text

        return to_text(self, digits or self.digits)

    def to_markdown(self, digits: int | None = None) -> str:
        from .render import to_markdown

        return to_markdown(self, digits or self.digits)

    def to_latex(self, digits: int | None = None) -> str:
        from .render import to_latex

        return to_latex(self, digits or self.digits)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:  # Jupyter
        return self.to_markdown()


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


# ----------------------------------------------------------------------- explain
def explain(model: Any, x: Any, y: Any, loss: Any = "squared", lr: float = 0.1,
            digits: int = 6) -> Trace:
    """Trace one forward and backward pass of ``model`` on ``x`` (one example or a small batch).

    ``model``: an ``nn.Sequential`` of ``nn.Linear`` layers and activation modules; ``loss``: a loss
    module (``nn.MSELoss()``, ``nn.CrossEntropyLoss()``...) or a name ('squared', 'mse', 'half_mse',
    'cross_entropy', 'bce', 'log_likelihood'). Returns a :class:`Trace`; ``print`` it.

    >>> import netgrad as ng
    >>> from netgrad.explain import network
    >>> net = network([2, 2, 1], weights=[[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]])
    >>> t = ng.explain(net, [0.35, 0.9], 1.0, loss="squared")
    >>> t.layers[0].net.round(4).tolist(), round(t.y_hat.item(), 4)
    ([[0.755, 0.68]], 0.8385)
    >>> t.max_diff < 1e-12
    True
    """
    layers = _layers(model)
    rule, loss_fn = _loss_rule(loss)
    xa = np.asarray(x.numpy() if isinstance(x, Tensor) else x, dtype=np.float64)
    single = xa.ndim == 1
    X = xa.reshape(1, -1) if single else xa
    if X.ndim != 2:
        raise ValueError(f"explain: x must be one example (1-D) or a batch (2-D), got shape {xa.shape}")
    n_out = _weight(layers[-1].linear).shape[0]
    ya = np.asarray(y.numpy() if isinstance(y, Tensor) else y)
    class_targets = False
    if rule is not None and rule.softmax_inside and ya.dtype.kind in "iu" or (
            rule is None and ya.dtype.kind in "iu" and ya.size == X.shape[0] and n_out > 1):
        class_targets = True
        idx = ya.reshape(-1).astype(np.int64)
        T = np.eye(n_out)[idx]
    else:
        T = ya.astype(np.float64).reshape(X.shape[0], -1) if ya.size == X.shape[0] * n_out else None
        if T is None:
            raise ValueError(f"explain: y of shape {ya.shape} does not fit {X.shape[0]} example(s) "
                             f"with {n_out} output(s)")

    # ---- forward, closed form in float64
    trs: list[LayerTrace] = []
    a = X
    for i, lay in enumerate(layers, 1):
        W = _weight(lay.linear).T.astype(np.float64)
        b = _bias(lay.linear)
        net = a @ W + (b if b is not None else 0.0)
        act = lay.rule
        out = act.g(net)
        dg = act.dg(net, out) if act.dg is not None else None
        trs.append(LayerTrace(i, W.shape[0], W.shape[1], act.name, act.formula, W, b, net, out, dg))
        a = out
    A_L = a

    # ---- dJ/da^(L) and the deltas, closed form
    notes: list[str] = []
    if rule is not None and rule.maximise:
        notes.append("The log-likelihood is maximised: the step is gradient ascent, +eta dl/dW.")
    y_t = _target_tensor(T, ya, class_targets, layers)
    if rule is not None:
        y_hat = _softmax(A_L) if rule.softmax_inside else A_L
        J = rule.J(A_L, T)
        dJ = rule.dJ_da(A_L, T)
        name, formula, gformula, latex = rule.name, rule.formula, rule.grad_formula, rule.latex
    else:
        J, dJ = _np_loss_grad(loss_fn, A_L, y_t)
        y_hat = A_L
        name = type(loss_fn).__name__
        formula, gformula = f"J = {name}(y_hat, y)", "dJ/dy_hat (by autograd)"
        latex = rf"J = \mathrm{{{name}}}"
        notes.append(f"{name} has no closed form in netgrad.explain: dJ/dy_hat comes from autograd.")
    if rule is not None and rule.softmax_inside:
        notes.append("The loss applies softmax to the network's output (z = softmax(net)): "
                     "delta^(L) = z - t (divided by N for the mean).")
    g = dJ
    for k in range(len(trs) - 1, -1, -1):
        lt = trs[k]
        vjp = layers[k].rule.vjp
        if vjp is not None:
            delta = vjp(lt.net, g)
        elif lt.dg is None:  # softmax: the Jacobian diag(a) - a^T a, applied row by row
            delta = lt.a * (g - (g * lt.a).sum(axis=1, keepdims=True))
        else:
            delta = g * lt.dg
        lt.delta = delta
        a_prev = trs[k - 1].a if k > 0 else X
        lt.dW = a_prev.T @ delta
        lt.db = delta.sum(axis=0) if lt.b is not None else None
        step = lr if (rule is not None and rule.maximise) else -lr
        lt.update_W = step * lt.dW
        lt.update_b = step * lt.db if lt.db is not None else None
        g = delta @ lt.W.T

    trace = Trace(x=X, y=T if not class_targets else ya.reshape(-1), y_hat=y_hat, loss=J, loss_name=name,
                  loss_formula=formula, loss_grad_formula=gformula, loss_latex=latex, lr=lr, layers=trs,
                  output=A_L, dJ_da=dJ, softmax_in_loss=bool(rule is not None and rule.softmax_inside),
                  notes=notes, maximise=bool(rule is not None and rule.maximise), digits=digits)
    from .check import cross_check

    cross_check(trace, layers, X, y_t, rule, loss_fn, T)
    return trace


def _weight(linear: Any) -> np.ndarray:
    return np.asarray(linear.weight.numpy(), dtype=np.float64)


def _bias(linear: Any) -> np.ndarray | None:
    b = getattr(linear, "bias", None)
    return None if b is None else np.asarray(b.numpy(), dtype=np.float64)


def _target_tensor(T: np.ndarray, ya: np.ndarray, class_targets: bool, layers: list[_Layer]) -> Any:
    import netgrad as ng

    if class_targets:
        return ng.tensor(ya.reshape(-1).astype(np.int64))
    return ng.tensor(T, dtype=layers[0].linear.weight.dtype)
