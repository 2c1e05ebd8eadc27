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
from .notation import Notation, as_notation
from .rules import _sigmoid, _softmax
from .walk import _Layer, _layers, _loss_rule, _np_loss_grad

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
    dead: list[int] = field(default_factory=list)        # ReLU units 0 on every traced example (0-based)
    saturated: list[int] = field(default_factory=list)   # sigmoid/tanh units with |g'| tiny on every example


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
    notation: Notation = field(default_factory=Notation)
    loss_key: str = ""            # the closed form's name (a LOSSES entry), "" for autograd's dJ/da
    sigmoid_in_loss: bool = False
    class_targets: bool = False   # y holds class indices; t is their one-hot rows
    dJ_da_autograd: np.ndarray | None = None

    @property
    def t(self) -> np.ndarray:
        """The targets as rows (one-hot for class indices)."""
        if self.class_targets:
            return np.eye(self.output.shape[1])[np.asarray(self.y, dtype=np.int64).reshape(-1)]
        return np.asarray(self.y, dtype=np.float64).reshape(self.output.shape)

    def with_notation(self, notation: Any = None, **kw: Any) -> Trace:
        """The same trace in another notation (``delta``, ``first_layer``, ``augmented``, ``names``)."""
        from dataclasses import replace

        return replace(self, notation=as_notation(notation or self.notation, **kw))

    def quantities(self, notation: Any = None) -> dict[str, np.ndarray]:
        """Every number by its name in the notation: x, t, J, y_hat, and per layer W, b, net, a, g'(net),
        delta, dJ/dW, dJ/db (one example: vectors; a batch: one row per example)."""
        from .quantities import quantities

        return quantities(self, as_notation(notation) if notation is not None else self.notation)

    def to_text(self, digits: int | None = None, notation: Any = None) -> str:
        from .render import to_text

        return to_text(self._nt(notation), digits or self.digits)

    def to_markdown(self, digits: int | None = None, notation: Any = None) -> str:
        from .render_doc import to_markdown

        return to_markdown(self._nt(notation), digits or self.digits)

    def to_html(self, digits: int | None = None, notation: Any = None) -> str:
        from .render_doc import to_html

        return to_html(self._nt(notation), digits or self.digits)

    def to_latex(self, digits: int | None = None, notation: Any = None) -> str:
        from .render import to_latex

        return to_latex(self._nt(notation), digits or self.digits)

    def _nt(self, notation: Any) -> Trace:
        return self if notation is None else self.with_notation(notation)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:  # short: a notebook's text/plain form, beside the HTML
        sizes = "-".join(str(n) for n in [self.layers[0].n_in] + [lt.n_out for lt in self.layers]) \
            if self.layers else "?"
        return f"Trace({sizes} network, {self.loss_name}, J={self.loss:.6g}; print() it for the steps)"

    def _repr_markdown_(self) -> str:  # Jupyter
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()


# ----------------------------------------------------------------------- explain
def explain(model: Any, x: Any, y: Any, loss: Any = "squared", lr: float = 0.1, digits: int = 6, *,
            notation: Any = None, delta: str | None = None, first_layer: int | None = None,
            augmented: bool | None = None, names: Any = None) -> Trace:
    """Trace one forward and backward pass of ``model`` on ``x`` (one example or a small batch).

    ``model``: an ``nn.Sequential`` of ``nn.Linear`` layers and activation modules; ``loss``: a loss
    module (``nn.MSELoss()``, ``nn.CrossEntropyLoss()``...) or a name ('squared', 'mse', 'half_mse',
    'cross_entropy', 'bce', 'log_likelihood', 'bce_with_logits', 'nll', 'cross_entropy_probs').
    Returns a :class:`Trace`; ``print`` it.

    A last layer and a loss that do not fit are never traced wrongly: a loss that would apply the
    output's softmax or logistic again is, given by name, traced as meant (Softmax with
    'cross_entropy' is the cross-entropy on probabilities, J = -sum t log z), and refused with a
    ValueError saying why when given as a module or function; so is a loss whose input the last
    layer cannot give (BCE after a linear output, NLL on anything but log-probabilities).

    Notation (see :class:`~netgrad.explain.notation.Notation`): ``delta`` '+dJ/dnet' or
    '-dJ/dnet', ``first_layer`` 0 or 1, ``augmented`` (Theta^(i) with the bias column),
    ``names`` (``["beta", "theta"]`` or ``{"W^(1)": "beta"}``); or ``notation=Notation(...)``.

    >>> import netgrad as ng
    >>> from netgrad.explain import network
    >>> net = network([2, 2, 1], weights=[[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]])
    >>> t = ng.explain(net, [0.35, 0.9], 1.0, loss="squared")
    >>> t.layers[0].net.round(4).tolist(), round(t.y_hat.item(), 4)
    ([[0.755, 0.68]], 0.8385)
    >>> t.max_diff < 1e-12
    True
    """
    nt = as_notation(notation, delta=delta, first_layer=first_layer, augmented=augmented, names=names)
    layers = _layers(model)
    notes: list[str] = []
    from ..nn.pairing import output_kind, pairing

    pair = pairing(output_kind(layers[-1].act_module), loss)
    if pair.verdict == "refuse":
        raise ValueError(f"explain: {pair.message}")
    if pair.verdict == "reinterpret":
        loss = pair.meant
        notes.append(f"Note: {pair.message}")
    elif pair.message:
        notes.append(f"Note: {pair.message}")
    rule, loss_fn = _loss_rule(loss)
    xa = np.asarray(x.numpy() if isinstance(x, Tensor) else x, dtype=np.float64)
    single = xa.ndim == 1
    X = xa.reshape(1, -1) if single else xa
    if X.ndim != 2:
        raise ValueError(f"explain: x must be one example (1-D) or a batch (2-D), got shape {xa.shape}")
    n_out = _weight(layers[-1].linear).shape[0]
    ya = np.asarray(y.numpy() if isinstance(y, Tensor) else y)
    class_targets = False
    if rule is not None and rule.class_targets and ya.dtype.kind in "iu" or (
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
        _flag_units(trs[-1], notes)
        a = out
    A_L = a

    # ---- dJ/da^(L) and the deltas, closed form
    if rule is not None and rule.maximise:
        notes.append("The log-likelihood is maximised: the step is gradient ascent, +eta dl/dW.")
    y_t = _target_tensor(T, ya, class_targets, layers)
    if rule is not None:
        y_hat = _softmax(A_L) if rule.softmax_inside else _sigmoid(A_L) if rule.sigmoid_inside else A_L
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
                     "dJ/dnet^(L) = z - t (divided by N for the mean).")
    if rule is not None and rule.sigmoid_inside:
        notes.append("The loss applies the logistic to the network's output (y_hat = sigma(net)): "
                     "dJ/dnet^(L) = y_hat - y (divided by the number of outputs for the mean).")
    if rule is not None and rule.key == "cross_entropy_probs" and layers[-1].rule.name == "softmax":
        notes.append("Softmax output with the cross-entropy on probabilities: dJ/dnet^(L) = dJ/dz (diag(z) - "
                     "z^T z)"
                     " = z - t (divided by N for the mean); the Jacobian's off-diagonal terms -z_j z_k "
                     "matter.")
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
                  notes=notes, maximise=bool(rule is not None and rule.maximise), digits=digits, notation=nt,
                  loss_key=rule.key if rule is not None else "",
                  sigmoid_in_loss=bool(rule is not None and rule.sigmoid_inside), class_targets=class_targets)
    from .crosscheck import cross_check

    cross_check(trace, layers, X, y_t, rule, loss_fn, T)
    return trace


_SATURATED = 0.01  # |g'(net)| below this fraction of its largest value (1/4 for sigmoid, 1 for tanh)


def _flag_units(lt: LayerTrace, notes: list[str]) -> None:
    """Dead ReLU units (output 0 on every traced example) and saturated sigmoid/tanh units."""
    if lt.activation == "relu":
        lt.dead = [int(j) for j in np.flatnonzero(np.all(lt.a == 0, axis=0))]
    elif lt.activation in ("sigmoid", "tanh") and lt.dg is not None:
        top = 0.25 if lt.activation == "sigmoid" else 1.0
        lt.saturated = [int(j) for j in np.flatnonzero(np.all(np.abs(lt.dg) < _SATURATED * top, axis=0))]
    n = lt.net.shape[0]
    on = "the traced example" if n == 1 else f"all {n} traced examples"
    if lt.dead:
        notes.append(f"Warning: layer {lt.index}: ReLU unit(s) {_units(lt.dead)} output 0 on {on} (dead "
                     f"there: "
                     "g'(net) = 0, no gradient reaches their weights).")
    if lt.saturated:
        notes.append(f"Warning: layer {lt.index}: {lt.activation} unit(s) {_units(lt.saturated)} saturated "
                     f"on {on}"
                     f" (|g'(net)| < {_SATURATED * (0.25 if lt.activation == 'sigmoid' else 1):g}: the "
                     f"gradient "
                     "through them almost vanishes).")


def _units(idx: list[int]) -> str:
    return ", ".join(str(j + 1) for j in idx)


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
