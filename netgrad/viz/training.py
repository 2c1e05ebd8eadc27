"""What happens inside training: per-layer gradient norms, dead ReLUs, and the three GD modes.

``vanishing_gradients`` trains a deep sigmoid network and the same ReLU network briefly and records
||dJ/dW^(l)|| for every layer at every step: with the sigmoid (g' <= 1/4) the norms shrink layer by
layer towards the input; with ReLU (g' = 1 where active) they do not. ``dead_relu_fraction``
counts the ReLU units that output 0 for every example (their gradient is 0: they no longer learn).
``compare_gd_modes`` trains one problem by batch GD, one-example SGD and mini-batch SGD.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

from .plots import _plt, save

__all__ = ["deep_net", "train_and_record", "vanishing_gradients", "plot_gradient_norms",
           "dead_relu_fraction", "plot_dead_relus", "compare_gd_modes", "plot_gd_modes"]


def _linears(model: Any) -> list:
    return [m for m in model.modules() if type(m).__name__ == "Linear"]


def deep_net(depth: int = 6, width: int = 16, activation: str = "sigmoid", n_in: int = 2, n_out: int = 1,
             seed: int = 0) -> Any:
    """``depth`` hidden layers of ``width`` units with one activation, initialised for it
    (Xavier for sigmoid/tanh, He for ReLU), and a linear output."""
    import netgrad as ng

    from .. import nn

    acts = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU}
    if activation not in acts:
        raise ValueError(f"deep_net: activation must be one of {', '.join(acts)}, got {activation!r}")
    ng.manual_seed(seed)
    mods, w = [], n_in
    for _ in range(depth):
        lin = nn.Linear(w, width)
        if activation in ("relu", "leaky_relu"):
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(lin.weight)
        nn.init.zeros_(lin.bias)
        mods += [lin, acts[activation]()]
        w = width
    mods.append(nn.Linear(w, n_out))
    return nn.Sequential(*mods)


def dead_relu_fraction(model: Any, X: Any) -> list[float]:
    """For each ReLU layer of a Sequential, the fraction of its units that output 0 on every
    example of X ("dead": their gradient is 0 for all these inputs, so they stop learning).

    NaN for a layer whose values are not all finite (training diverged): such a unit is neither
    dead nor alive, and counting it as alive would hide the divergence."""
    import netgrad as ng

    mods = list(model.children()) if hasattr(model, "children") else list(model)
    params = list(model.parameters())
    h = ng.tensor(np.asarray(X.numpy() if hasattr(X, "numpy") else X), dtype=params[0].dtype)
    out = []
    with ng.no_grad():
        for m in mods:
            h = m(h)
            if type(m).__name__ == "ReLU":
                a = h.numpy().reshape(h.shape[0], -1)
                finite = bool(np.all(np.isfinite(a)))
                out.append(float(np.mean(np.all(a <= 0, axis=0))) if finite else float("nan"))
    return out


def train_and_record(model: Any, X: Any, y: Any, loss_fn: Any = None, lr: float = 0.1, steps: int = 50,
                     batch_size: int | None = None, optimizer: Any = None, seed: int = 0) -> dict:
    """Train with SGD for ``steps`` updates, recording at each step the loss, ||dJ/dW^(l)|| for
    every Linear layer (before the update) and the dead-ReLU fraction of every ReLU layer.

    If the loss becomes NaN or infinite, training stops there: ``diverged_at`` is that step
    (None when it did not diverge), and that step's entries are the non-finite values seen."""
    import netgrad as ng

    from .. import nn, optim

    dtype = next(iter(model.parameters())).dtype
    Xa = np.asarray(X.numpy() if hasattr(X, "numpy") else X, dtype=dtype)
    ya = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
    loss_fn = loss_fn or nn.MSELoss()
    if ya.dtype.kind == "f":
        ya = ya.astype(dtype).reshape(len(Xa), -1)
    opt = optimizer or optim.SGD(model.parameters(), lr=lr)
    lins = _linears(model)
    gen = np.random.default_rng(seed)
    rec: dict[str, list] = {"loss": [], "grad_norms": [], "dead": []}
    diverged_at = None
    for step in range(int(steps)):
        idx = gen.choice(len(Xa), batch_size, replace=False) if batch_size else slice(None)
        opt.zero_grad()
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is recorded, not warned
            loss = loss_fn(model(ng.tensor(Xa[idx])), ng.tensor(ya[idx]))
            loss.backward()
            rec["loss"].append(float(loss.item()))
            rec["grad_norms"].append([float(np.linalg.norm(m.weight.grad.numpy())) if m.weight.grad
                                      is not None else 0.0 for m in lins])
            rec["dead"].append(dead_relu_fraction(model, Xa))
        if not np.isfinite(rec["loss"][-1]):
            diverged_at = step
            break
        with np.errstate(over="ignore", invalid="ignore"):
            opt.step()
    out: dict[str, Any] = {k: np.asarray(v, dtype=float) for k, v in rec.items()}
    out["diverged_at"] = diverged_at
    return out


def _toy_data(n: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1])  # a smooth target every net can learn
    return X, y


def vanishing_gradients(depth: int = 8, width: int = 16, activations: Sequence[str] = ("sigmoid", "relu"),
                        steps: int = 30, lr: float = 0.05, data: tuple | None = None, seed: int = 0) -> dict:
    """Train a ``depth``-layer net per activation for ``steps`` SGD steps on the same data and
    record per-layer gradient norms: {activation: train_and_record(...) result}."""
    X, y = data if data is not None else _toy_data(seed=seed)
    out = {}
    for act in activations:
        model = deep_net(depth, width, act, n_in=np.asarray(X).shape[1], seed=seed)
        out[act] = train_and_record(model, X, y, lr=lr, steps=steps, seed=seed)
    return out


def plot_gradient_norms(result: dict, path: str | os.PathLike | None = None) -> Any:
    """Left: ||dJ/dW^(l)|| averaged over the steps, per layer (input layer = 1), log scale.
    Right: the first and the last layer's gradient norm over the training steps."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (name, rec) in enumerate(result.items()):
        g = np.asarray(rec["grad_norms"])  # steps x layers
        color = f"C{i}"
        layers = np.arange(1, g.shape[1] + 1)
        ax1.semilogy(layers, g.mean(axis=0), "o-", color=color, label=name)
        ax2.semilogy(g[:, 0], "-", color=color, label=f"{name}: layer 1 (input side)")
        ax2.semilogy(g[:, -1], "--", color=color, label=f"{name}: layer {g.shape[1]} (output)")
    ax1.set_xlabel("layer l (1 = next to the input)")
    ax1.set_ylabel("mean ||dJ/dW^(l)||")
    ax1.set_title("Gradient norm per layer")
    ax2.set_xlabel("SGD step")
    ax2.set_ylabel("||dJ/dW^(l)||")
    ax2.set_title("Over training")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.suptitle("Vanishing gradients: deep sigmoid vs ReLU")
    fig.tight_layout()
    return save(fig, path)


def plot_dead_relus(data: Any, X: Any = None, path: str | os.PathLike | None = None) -> Any:
    """Dead-ReLU fractions: for a model and data X, a bar per ReLU layer; for a recording
    (``train_and_record``'s dict, or an array steps x layers), one line per layer over training.

    Divergence is reported as such: a layer whose values are NaN/inf is marked "diverged" (not
    counted as 0 dead units), and a recording that diverged shows the step where the loss stopped
    being finite."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.8, 3.8))
    if hasattr(data, "parameters"):
        if X is None:
            raise ValueError("plot_dead_relus: give the data X to evaluate the model on")
        frac = np.asarray(dead_relu_fraction(data, X), dtype=float)
        layers = np.arange(1, len(frac) + 1)
        bad = ~np.isfinite(frac)
        ax.bar(layers, np.where(bad, 0.0, frac), color="C3")
        for li in layers[bad]:
            ax.bar(li, 1.0, color="none", edgecolor="k", hatch="//")
            ax.text(li, 0.5, "diverged\n(NaN/inf)", ha="center", va="center", fontsize=8,
                    bbox={"fc": "white", "ec": "none"})
        ax.set_xlabel("ReLU layer")
        ax.set_xticks(layers)
        ax.set_title("Training diverged: activations are NaN/inf" if bad.any()
                     else "Dead ReLUs (output 0 on every example)")
    else:
        d = np.asarray(data["dead"] if isinstance(data, dict) else data, dtype=float)
        if d.ndim != 2 or d.shape[1] == 0:
            raise ValueError("plot_dead_relus: the recording has no ReLU layers")
        for j in range(d.shape[1]):
            ax.plot(d[:, j], label=f"ReLU layer {j + 1}")
        at = data.get("diverged_at") if isinstance(data, dict) else None
        if at is None and not np.all(np.isfinite(d)):
            at = int(np.argmax(~np.all(np.isfinite(d), axis=1)))
        if at is not None:
            ax.axvline(at, color="k", ls="--", lw=1.2, label=f"step {at}: loss NaN/inf, training stopped")
            ax.set_title(f"Dead ReLUs over training: DIVERGED at step {at}")
        else:
            ax.set_title("Dead ReLUs over training")
        ax.set_xlabel("training step")
        ax.legend(fontsize=8)
    ax.set_ylabel("fraction of units dead")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save(fig, path)


# ------------------------------------------------------------------------- GD modes
def compare_gd_modes(make_model: Callable[[], Any], X: Any, y: Any, loss_fn: Any, lr: float | dict = 0.1,
                     epochs: int = 20, batch_sizes: dict[str, int] | None = None, seed: int = 0) -> dict:
    """Train fresh models (``make_model()``, same seed) by batch GD (the whole set per step),
    one-example SGD (batch 1) and mini-batch SGD, with ``netgrad.train.fit`` one epoch at a time.

    Returns {mode: {'loss': full-data loss after each epoch, 'evals': gradient evaluations (parameter
    updates) so far, 'batch_size': ...}}; ``lr`` may be one value or one per mode.
    """
    import math

    import netgrad as ng

    from .. import optim
    from ..train import fit

    Xa = np.asarray(X.numpy() if hasattr(X, "numpy") else X)
    ya = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
    n = len(Xa)
    modes = batch_sizes or {"batch GD": n, "SGD (batch 1)": 1, "mini-batch (16)": min(16, n)}
    out: dict[str, dict] = {}
    for mode, bs in modes.items():
        ng.manual_seed(seed)
        model = make_model()
        dtype = next(iter(model.parameters())).dtype
        Xt, yt = ng.tensor(Xa, dtype=dtype), ng.tensor(ya if ya.dtype.kind in "iu" else ya.astype(dtype))
        opt = optim.SGD(model.parameters(), lr=lr[mode] if isinstance(lr, dict) else lr)
        with ng.no_grad():
            losses = [float(loss_fn(model(Xt), yt).item())]
        evals = [0]
        steps = math.ceil(n / bs)
        for _ in range(int(epochs)):
            fit(model, loss_fn, opt, (Xa, ya), epochs=1, batch_size=bs, verbose=0)
            with ng.no_grad():
                losses.append(float(loss_fn(model(Xt), yt).item()))
            evals.append(evals[-1] + steps)
        out[mode] = {"loss": np.asarray(losses), "evals": np.asarray(evals), "batch_size": bs}
    return out


def plot_gd_modes(result: dict, path: str | os.PathLike | None = None) -> Any:
    """Loss against epochs (left) and against gradient evaluations, i.e. updates (right)."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (mode, r) in enumerate(result.items()):
        ax1.plot(np.arange(len(r["loss"])), r["loss"], "o-", ms=3, color=f"C{i}", label=mode)
        ax2.plot(np.maximum(r["evals"], 1), r["loss"], "o-", ms=3, color=f"C{i}", label=mode)
    ax1.set_xlabel("epoch (one pass over the data)")
    ax2.set_xlabel("gradient evaluations (parameter updates)")
    ax2.set_xscale("log")
    for ax in (ax1, ax2):
        ax.set_ylabel("training loss (whole set)")
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle("Batch GD vs SGD vs mini-batch SGD")
    fig.tight_layout()
    return save(fig, path)
