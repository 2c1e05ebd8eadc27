"""Plots of what a network computes and how it learns (matplotlib, imported on first use).

Every function returns a matplotlib Figure and, given ``path=``, also writes it as a PNG.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["plot_history", "plot_decision_boundary", "plot_activations", "plot_confusion_matrix",
           "bump_network", "plot_universal_approximation", "activation_and_derivative", "save"]


def save(fig: Any, path: str | os.PathLike | None, dpi: int = 110, close: bool = True) -> Any:
    """Write ``fig`` to ``path`` (PNG unless the suffix says otherwise) when a path is given, and
    take it out of pyplot's list of open figures (``close``), so that a notebook shows the returned
    Figure once (as the cell's value) and not a second time at the end of the cell. The Figure
    stays usable: ``fig.savefig``, or ``display(fig)``."""
    if path is not None:
        fig.savefig(os.fspath(path), dpi=dpi, bbox_inches="tight")
    if close:
        _plt().close(fig)
    return fig


def _plt():
    from ._mpl import plt

    return plt


# ---------------------------------------------------------------------------- history
def plot_history(history: Any, metrics: Sequence[str] | None = None, path: str | os.PathLike | None = None,
                 logy: bool = False, title: str | None = None) -> Any:
    """Loss (and validation loss) per epoch, then one panel per metric and the gradient norm.

    ``history``: a ``History`` from ``netgrad.train.fit`` (its ``.history`` dict of per-epoch
    lists), or such a dict.
    """
    h = getattr(history, "history", history)
    if not isinstance(h, dict) or "loss" not in h:
        raise ValueError("plot_history: expected a History (or dict) with a 'loss' list")
    skip = {"loss", "val_loss", "lr", "seconds", "grad_norm", "epoch"}
    if metrics is None:
        metrics = [k for k, v in h.items() if k not in skip and not k.startswith("val_")
                   and isinstance(v, (list, tuple, np.ndarray)) and len(v)]
    panels = ["loss", *metrics] + (["grad_norm"] if len(h.get("grad_norm") or []) else [])
    plt = _plt()
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
    for ax, key in zip(axes[0], panels):
        vals = np.asarray(h[key], dtype=float)
        epochs = np.arange(1, len(vals) + 1)
        ax.plot(epochs, vals, marker="o" if len(vals) <= 30 else None, ms=3, label=f"train {key}")
        vkey = f"val_{key}"
        if len(h.get(vkey) or []):
            v = np.asarray(h[vkey], dtype=float)
            ax.plot(np.arange(1, len(v) + 1), v, marker="o" if len(v) <= 30 else None, ms=3,
                    label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("gradient norm ||dJ/dw||" if key == "grad_norm" else key)
        if logy or key == "grad_norm":
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    reason = getattr(history, "stop_reason", None)
    fig.suptitle(title or ("Training history" + (f" (stopped: {reason})" if reason else "")))
    fig.tight_layout()
    return save(fig, path)


# ------------------------------------------------------------------ decision boundary
def _scores(model: Any, grid: np.ndarray) -> np.ndarray:
    """Class scores or labels for each grid row, from a Module, an estimator or a function."""
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(grid))
    if hasattr(model, "predict") and not hasattr(model, "parameters"):
        return np.asarray(model.predict(grid))
    if hasattr(model, "parameters"):  # a Module: eval mode, no graph, the model's dtype
        from ..train import predict

        return np.asarray(predict(model, grid, batch_size=len(grid)), dtype=float)
    out = model(grid)
    return np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=float)


def _labels(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, float]:
    """(class per row, a continuous score for the boundary contour or None, the score's cut)."""
    if scores.ndim == 2 and scores.shape[1] > 1:
        # two classes: the boundary is where both scores are equal (logits or probabilities)
        return scores.argmax(axis=1), (scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else None), 0.0
    s = scores.reshape(-1)
    if s.dtype.kind in "iub" or np.all(np.mod(s, 1) == 0) and len(np.unique(s)) <= 10:
        return s.astype(int), None, 0.0
    cut = 0.5 if s.min() >= 0 and s.max() <= 1 else 0.0  # probabilities or logits
    return (s > cut).astype(int), s, cut


def plot_decision_boundary(model: Any, X: Any, y: Any = None, path: str | os.PathLike | None = None,
                           resolution: int = 200, padding: float = 0.5, ax: Any = None,
                           title: str | None = None) -> Any:
    """The regions a 2-D classifier assigns to each class, with the data on top.

    ``model``: an ``nn.Module`` (its outputs: one logit/probability or one score per class), an
    estimator with ``predict_proba``/``predict``, or a function of an (n, 2) array.
    """
    Xa = np.asarray(X.numpy() if hasattr(X, "numpy") else X, dtype=float)
    if Xa.ndim != 2 or Xa.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (n, 2), got {Xa.shape}")
    lo, hi = Xa.min(axis=0) - padding, Xa.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[xx.ravel(), yy.ravel()]
    cls, score, cut = _labels(_scores(model, grid))
    plt = _plt()
    own = ax is None  # a caller's axes: their figure stays open
    fig = ax.figure if ax is not None else plt.figure(figsize=(5, 4.4))
    ax = ax or fig.add_subplot(111)
    n_cls = int(max(cls.max(), 0 if y is None else np.max(np.asarray(y)))) + 1
    cmap = plt.get_cmap("coolwarm" if n_cls <= 2 else "tab10")
    ax.contourf(xx, yy, cls.reshape(xx.shape), levels=np.arange(n_cls + 1) - 0.5, cmap=cmap, alpha=0.35)
    if score is not None:
        if score.min() < cut < score.max():
            ax.contour(xx, yy, score.reshape(xx.shape), levels=[cut], colors="k", linewidths=1.2)
    if y is not None:
        ya = np.asarray(y.numpy() if hasattr(y, "numpy") else y).reshape(-1)
        if ya.dtype.kind == "f" and np.all(np.mod(ya, 1) == 0):
            ya = ya.astype(int)
        ax.scatter(Xa[:, 0], Xa[:, 1], c=ya, cmap=cmap, vmin=-0.5, vmax=n_cls - 0.5, edgecolors="k", s=22)
    else:
        ax.scatter(Xa[:, 0], Xa[:, 1], c="k", s=10)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "Decision boundary")
    return save(fig, path, close=own)


# --------------------------------------------------------------------- activations

# softmax is vector-valued: it is drawn for the logits (net, 1, -1), net on the x axis
_SOFTMAX_OTHERS = (1.0, -1.0)


def _softmax_all(t: Any) -> Any:
    """softmax over (net, 1, -1) for each net: one row of three probabilities per point."""
    import netgrad as ng

    others = ng.tensor(np.broadcast_to(_SOFTMAX_OTHERS, (t.shape[0], 2)).copy(), dtype=t.dtype)
    return ng.softmax(ng.cat([t.reshape(-1, 1), others], dim=1), dim=1)


def _softmax_first(t: Any) -> Any:
    """z_1 = e^net / (e^net + e^1 + e^-1): the first output of softmax(net, 1, -1)."""
    return _softmax_all(t)[:, 0]


def _activation_fn(name: str) -> Callable:
    import netgrad.functional as NF

    table = {"sigmoid": NF.sigmoid, "logistic": NF.sigmoid, "tanh": NF.tanh, "relu": NF.relu,
             "leaky_relu": lambda t: NF.leaky_relu(t, 0.1), "linear": NF.identity,
             "step": NF.step, "sign": NF.sign_unit, "softplus": NF.softplus, "elu": NF.elu,
             "gelu": NF.gelu, "silu": NF.silu, "softmax": _softmax_first}
    if name not in table:
        raise ValueError(f"plot_activations: unknown activation {name!r}; choose from {', '.join(table)}")
    return table[name]


def activation_and_derivative(name: str | Callable, x: Any = None
                              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, g(x), g'(x)) with g' computed by netgrad's autograd (backward of sum g(x))."""
    import netgrad as ng

    fn = _activation_fn(name) if isinstance(name, str) else name
    xs = np.linspace(-5, 5, 501) if x is None else np.asarray(x, dtype=float)
    t = ng.tensor(xs, dtype=ng.float64, requires_grad=True)
    with ng.enable_grad():
        a = fn(t)
        if a.requires_grad:
            a.sum().backward()
    grad = t.grad.numpy() if t.grad is not None else np.zeros_like(xs)
    return xs, np.asarray(a.numpy(), dtype=float), np.asarray(grad, dtype=float)


def plot_activations(names: Sequence[str | Callable] = ("sigmoid", "tanh", "relu", "leaky_relu", "linear",
                                                       "step"),
                     path: str | os.PathLike | None = None, x: Any = None) -> Any:
    """Each activation g(net) and its derivative g'(net) (by autograd), one panel each.

    Where g' is near 0 (sigmoid and tanh far from 0, ReLU below 0, the step everywhere) almost no
    gradient flows back: the vanishing-gradient and dead-unit problems. ``"softmax"``, which maps
    a vector to a vector, is drawn for the logits (net, 1, -1): its three outputs as net varies
    and dz_1/dnet (= z_1 (1 - z_1)); ``"sign"`` is the bipolar sign unit.
    """
    plt = _plt()
    n = len(names)
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        xs, a, d = activation_and_derivative(name, x)
        label = name if isinstance(name, str) else getattr(name, "__name__", "g")
        if name == "softmax":
            import netgrad as ng

            z = _softmax_all(ng.tensor(xs, dtype=ng.float64)).numpy()
            ax.plot(xs, a, lw=2, label="$z_1$ = softmax(net, 1, -1)$_1$")
            ax.plot(xs, z[:, 1], lw=1, color="C2", label="$z_2$ (logit 1)")
            ax.plot(xs, z[:, 2], lw=1, color="C4", label="$z_3$ (logit -1)")
            ax.plot(xs, d, "--", color="C1", lw=1.6, label="$\\partial z_1/\\partial net$ (autograd)")
            label = "softmax (one logit varied)"
            ax.set_ylim(-0.05, 1.55)  # room for the legend above the curves
            ax.legend(fontsize=7, loc="upper center", ncol=2)
        else:
            ax.plot(xs, a, label="g(net)", lw=2)
            ax.plot(xs, d, "--", label="g'(net) (autograd)", lw=1.6)
        ax.axhline(0, color="k", lw=0.5)
        ax.axvline(0, color="k", lw=0.5)
        ax.set_title(label)
        ax.set_xlabel("net")
        ax.grid(alpha=0.3)
        if ax.get_legend() is None:
            ax.legend(fontsize=8)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout()
    return save(fig, path)


# ------------------------------------------------------------------ confusion matrix
def plot_confusion_matrix(y_true: Any, y_pred: Any, labels: Sequence[Any] | None = None,
                          normalize: bool = False, path: str | os.PathLike | None = None,
                          title: str | None = None) -> Any:
    """Counts (or row fractions with ``normalize=True``) of true class (rows) against predicted."""
    yt = np.asarray(y_true.numpy() if hasattr(y_true, "numpy") else y_true).reshape(-1)
    yp = np.asarray(y_pred.numpy() if hasattr(y_pred, "numpy") else y_pred)
    if yp.ndim == 2:
        yp = yp.argmax(axis=1)
    yp = yp.reshape(-1)
    if yt.shape != yp.shape:
        raise ValueError(f"plot_confusion_matrix: {yt.size} true labels but {yp.size} predictions")
    classes = list(labels) if labels is not None else sorted(set(yt.tolist()) | set(yp.tolist()))
    index = {c: i for i, c in enumerate(classes)}
    cm = np.zeros((len(classes), len(classes)))
    for t, p in zip(yt.tolist(), yp.tolist()):
        if t in index and p in index:
            cm[index[t], index[p]] += 1
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    plt = _plt()
    k = len(classes)
    fig, ax = plt.subplots(figsize=(1.2 + 0.55 * k, 1.0 + 0.5 * k))
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_xticks(range(k), [str(c) for c in classes])
    ax.set_yticks(range(k), [str(c) for c in classes])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    thresh = cm.max() / 2 if cm.size else 0
    for i in range(k):
        for j in range(k):
            txt = f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
            ax.text(j, i, txt, ha="center", va="center", fontsize=8,
                    color="white" if cm[i, j] > thresh else "black")
    acc = np.trace(cm) / max(cm.sum(), 1) if not normalize else None
    ax.set_title(title or ("Confusion matrix" + (f" (accuracy {acc:.1%})" if acc is not None else "")))
    fig.tight_layout()
    return save(fig, path)


# ------------------------------------------------------------ universal approximation
def bump_network(f: Callable[[np.ndarray], np.ndarray], n_bins: int = 10, k: float = 50.0,
                 lo: float = 0.0, hi: float = 1.0) -> Any:
    """A 1-n-1 sigmoid network that approximates f on [lo, hi] by bumps, as in the notes.

    Bin i = [a_i, b_i] with centre c_i gives two hidden units, sigma(k(x - a_i)) and
    sigma(k(x - b_i)); the output weights +f(c_i) and -f(c_i) make a bump of height f(c_i):
    y_hat(x) = sum_i f(c_i) [sigma(k(x - a_i)) - sigma(k(x - b_i))]. Steeper k, more bins: closer.

    >>> import numpy as np, netgrad as ng
    >>> net = bump_network(np.sin, n_bins=50, k=2000.0, lo=0.0, hi=3.0)
    >>> x = np.array([[0.75], [1.53], [2.31]])   # bin centres c_i = 0.03 + 0.06 i
    >>> bool(np.allclose(net(ng.tensor(x, dtype=ng.float64)).numpy(), np.sin(x), atol=1e-6))
    True
    """
    import netgrad as ng

    from .. import nn

    edges = np.linspace(lo, hi, n_bins + 1)
    a, b = edges[:-1], edges[1:]
    heights = np.asarray(f((a + b) / 2), dtype=np.float64).reshape(-1)
    hidden = nn.Linear(1, 2 * n_bins)
    out = nn.Linear(2 * n_bins, 1, bias=False)
    net = nn.Sequential(hidden, nn.Sigmoid(), out).to(ng.float64)
    with ng.no_grad():
        hidden.weight.copy_(ng.tensor(np.full((2 * n_bins, 1), k), dtype=ng.float64))
        hidden.bias.copy_(ng.tensor(-k * np.concatenate([a, b]), dtype=ng.float64))
        out.weight.copy_(ng.tensor(np.concatenate([heights, -heights]).reshape(1, -1), dtype=ng.float64))
    return net


def plot_universal_approximation(f: Callable[[np.ndarray], np.ndarray] = np.sin,
                                 n_bins: Sequence[int] | int = (5, 20), k: float = 200.0,
                                 lo: float = 0.0, hi: float = 2 * np.pi,
                                 path: str | os.PathLike | None = None) -> Any:
    """The bump construction: f, its approximation by sigmoid pairs, and the bumps themselves."""
    import netgrad as ng

    bins = [n_bins] if isinstance(n_bins, int) else list(n_bins)
    plt = _plt()
    fig, axes = plt.subplots(1, len(bins) + 1, figsize=(4.5 * (len(bins) + 1), 3.4), squeeze=False)
    xs = np.linspace(lo, hi, 800).reshape(-1, 1)
    # first panel: the bumps of the coarsest network, each sigma(k(x-a)) - sigma(k(x-b)) times f(c)
    n0 = bins[0]
    edges = np.linspace(lo, hi, n0 + 1)
    ax = axes[0, 0]
    sig = lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500)))  # noqa: E731
    for a, b in zip(edges[:-1], edges[1:]):
        c = f(np.array([(a + b) / 2]))[0]
        ax.plot(xs[:, 0], c * (sig(k * (xs[:, 0] - a)) - sig(k * (xs[:, 0] - b))), lw=1)
    ax.plot(xs[:, 0], f(xs[:, 0]), "k--", lw=1, label="f(x)")
    ax.set_title(f"{n0} bumps: f(c_i) [σ(k(x-a_i)) - σ(k(x-b_i))]", fontsize=9)
    ax.legend(fontsize=8)
    for ax, n in zip(axes[0, 1:], bins):
        net = bump_network(f, n, k, lo, hi)
        with ng.no_grad():
            approx = net(ng.tensor(xs, dtype=ng.float64)).numpy()[:, 0]
        err = np.abs(approx - f(xs[:, 0])).max()
        ax.plot(xs[:, 0], f(xs[:, 0]), "k--", lw=1.2, label="f(x)")
        ax.plot(xs[:, 0], approx, lw=1.6, label=f"1-{2 * n}-1 sigmoid net")
        ax.set_title(f"{n} bins, k = {k:g}: max error {err:.3f}", fontsize=9)
        ax.legend(fontsize=8)
    for ax in axes[0]:
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
    fig.suptitle("Universal approximation: pairs of steep sigmoids make bumps")
    fig.tight_layout()
    return save(fig, path)
