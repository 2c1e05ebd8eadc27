"""Loss landscapes: the paths gradient descent takes on them, zig-zags, and local minima.

Each ``*_paths``/``error_surface`` function computes with netgrad's autograd and returns numbers;
the ``plot_*`` function draws them and returns the Figure (closed in pyplot, written to ``path``).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from .plots import _plt, save

__all__ = ["gd_paths", "plot_gd_paths", "zigzag_paths", "plot_zigzag", "error_surface",
           "plot_error_surface"]


def _regression_data(n: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x, 2.0 * x - 1.0 + rng.normal(0, 0.4, n)  # y = w x + b with w = 2, b = -1, plus noise


def _mse_grid(x: np.ndarray, y: np.ndarray, W: np.ndarray, B: np.ndarray) -> np.ndarray:
    """J(w, b) = mean (w x + b - y)^2 on a grid of (w, b)."""
    r = W[..., None] * x + B[..., None] - y
    return np.mean(r * r, axis=-1)


def gd_paths(x: Any = None, y: Any = None, lr: float = 0.1, steps: int = 40,
             batch_sizes: dict[str, int] | None = None, start: Sequence[float] = (-1.0, 1.5),
             seed: int = 0) -> dict:
    """Fit y_hat = w x + b by J = mean (y_hat - y)^2 with batch GD (every example each step),
    one-example SGD and mini-batch SGD, the same number of ``steps`` (updates) each.

    Returns {'x', 'y', and per mode: array (steps + 1, 2) of (w, b) after each update}. Gradients
    by netgrad's autograd; examples drawn by a seeded generator, without replacement each epoch.
    """
    import netgrad as ng

    if x is None or y is None:
        x, y = _regression_data(seed=seed)
    x, y = np.asarray(x, dtype=np.float64).reshape(-1), np.asarray(y, dtype=np.float64).reshape(-1)
    n = len(x)
    modes = batch_sizes or {"batch GD": n, "one-example SGD": 1, "mini-batch (8)": min(8, n)}
    out: dict[str, Any] = {"x": x, "y": y}
    for mode, bs in modes.items():
        gen = np.random.default_rng(seed)
        p = ng.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
        path, order, pos = [p.numpy().copy()], gen.permutation(n), 0
        for _ in range(int(steps)):
            if pos + bs > n:
                order, pos = gen.permutation(n), 0
            idx = order[pos:pos + bs]
            pos += bs
            xb, yb = ng.tensor(x[idx]), ng.tensor(y[idx])
            J = ((p[0] * xb + p[1] - yb) ** 2).mean()
            p.grad = None
            J.backward()
            with ng.no_grad():
                p -= lr * p.grad
            path.append(p.numpy().copy())
        out[mode] = np.asarray(path)
    return out


def _contour(ax: Any, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    W, B = np.meshgrid(np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160))
    J = _mse_grid(x, y, W, B)
    levels = np.quantile(J, np.linspace(0.0, 0.95, 14) ** 2)
    ax.contour(W, B, J, levels=np.unique(levels), cmap="Greys", linewidths=0.8)
    # the least-squares minimum
    A = np.c_[x, np.ones_like(x)]
    w_ls = np.linalg.lstsq(A, y, rcond=None)[0]
    ax.plot(*w_ls, "k*", ms=12, label="minimum of J")


def plot_gd_paths(result: dict | None = None, path: str | os.PathLike | None = None) -> Any:
    """One panel per mode: the (w, b) path of each update on the contours of the whole-set loss."""
    r = result if result is not None else gd_paths()
    modes = [k for k in r if k not in ("x", "y")]
    pts = np.concatenate([r[m] for m in modes])
    lo, hi = pts.min(axis=0) - 0.4, pts.max(axis=0) + 0.4
    plt = _plt()
    fig, axes = plt.subplots(1, len(modes), figsize=(4.2 * len(modes), 4.0), squeeze=False,
                             sharex=True, sharey=True)
    for i, (ax, m) in enumerate(zip(axes[0], modes)):
        _contour(ax, r["x"], r["y"], lo, hi)
        p = r[m]
        ax.plot(p[:, 0], p[:, 1], "o-", color=f"C{i}", ms=2.5, lw=1.2, label=f"{len(p) - 1} updates")
        ax.plot(*p[0], "s", color="k", ms=6, label="start")
        ax.set_title(m)
        ax.set_xlabel("weight w")
        ax.legend(fontsize=8, loc="upper right")
    axes[0, 0].set_ylabel("bias b")
    fig.suptitle("Gradient descent on J(w, b) = mean (w x + b - y)²: batch, one example, mini-batch")
    fig.tight_layout()
    return save(fig, path)


# ----------------------------------------------------------------------------- zig-zag
def zigzag_paths(lr: float = 0.5, steps: int = 120, target: Sequence[float] = (1.0, -1.0), n: int = 64,
                 seed: int = 0) -> dict:
    """Per-example SGD on one linear neuron y_hat = w . a (no bias), targets y = w* . a, twice:
    with inputs a > 0 (sigmoid outputs, in (0, 1)) and with the same inputs centred on 0.

    dJ/dw = (y_hat - y) a: when every a_i > 0, all components of an update share one sign, so
    reaching w* = (1, -1), where one weight must grow and the other shrink, takes a zig-zag.
    Returns {'positive': path, 'centred': path, 'target': w*, 'same_sign': fraction of updates
    with all components of one sign, per input kind}.
    """
    import netgrad as ng

    rng = np.random.default_rng(seed)
    a_pos = 1 / (1 + np.exp(-rng.normal(0, 1.5, size=(n, 2))))  # sigmoid outputs: all positive
    a_cen = a_pos - a_pos.mean(axis=0)
    w_star = np.asarray(target, dtype=np.float64)
    out: dict[str, Any] = {"target": w_star, "same_sign": {}}
    for name, A in (("positive", a_pos), ("centred", a_cen)):
        w = ng.zeros(2, dtype=ng.float64, requires_grad=True)
        path, same = [w.numpy().copy()], 0
        for k in range(int(steps)):
            a = ng.tensor(A[k % n])
            J = 0.5 * ((w * a).sum() - float(A[k % n] @ w_star)) ** 2
            w.grad = None
            J.backward()
            g = w.grad.numpy()
            same += bool(np.all(g >= 0) or np.all(g <= 0))
            with ng.no_grad():
                w -= lr * w.grad
            path.append(w.numpy().copy())
        out[name] = np.asarray(path)
        out["same_sign"][name] = same / steps
        out[f"inputs_{name}"] = A
    return out


def plot_zigzag(result: dict | None = None, path: str | os.PathLike | None = None) -> Any:
    """The two SGD paths in weight space, with the target w*."""
    r = result if result is not None else zigzag_paths()
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(9.4, 4.3), sharex=True, sharey=True)
    titles = {"positive": "inputs a > 0 (sigmoid outputs)", "centred": "zero-centred inputs"}
    for i, (ax, name) in enumerate(zip(axes, ("positive", "centred"))):
        p = r[name]
        ax.plot(p[:, 0], p[:, 1], "o-", ms=2.5, lw=1.1, color=f"C{i}", label="SGD path from w = 0")
        ax.plot(*r["target"], "k*", ms=13, label="target w*")
        ax.axhline(0, color="k", lw=0.5)
        ax.axvline(0, color="k", lw=0.5)
        ax.set_title(f"{titles[name]}\n{r['same_sign'][name]:.0%} of updates move both weights "
                     "the same way", fontsize=10)
        ax.set_xlabel("$w_1$")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
    axes[0].set_ylabel("$w_2$")
    fig.suptitle("Zig-zag: with all-positive inputs every update Δw = -η δ a has one sign in all "
                 "components", fontsize=10)
    fig.tight_layout()
    return save(fig, path)


# ------------------------------------------------------------------- non-convex surface
# A 1-2-1 tanh network y_hat = v_1 tanh(w_1 x + b_1) + v_2 tanh(w_2 x + b_2), fitted to a teacher
# of the same form; J as a function of (w_1, v_2), the other weights fixed, has two basins.
_TEACHER = (-2.04, -2.95, -0.94, -0.85, -1.84, -0.58)   # w1, b1, w2, b2, v1, v2
_STUDENT = (-0.49, -4.12, -2.39, -0.42, -2.11, -0.74)


def error_surface(resolution: int = 121, span: float = 4.0, starts: Sequence[Sequence[float]] = (
                  (-3.0, 3.0), (3.5, -3.5), (2.5, 1.5)), lr: float = 0.02, steps: int = 600) -> dict:
    """J(w_1, v_2) = mean (y_hat - y)^2 of a 1-2-1 tanh network on a grid (other weights fixed),
    its grid-local minima, and gradient-descent runs (netgrad autograd) from ``starts``.

    Returns {'w1', 'v2' (grid axes), 'J' (grid), 'minima': [(w1, v2, J)], 'runs': [path arrays]}.
    """
    import netgrad as ng

    x = np.linspace(-2, 2, 40)
    tw1, tb1, tw2, tb2, tv1, tv2 = _TEACHER
    y = tv1 * np.tanh(tw1 * x + tb1) + tv2 * np.tanh(tw2 * x + tb2)
    _, b1, w2, b2, v1, _ = _STUDENT
    g = np.linspace(-span, span, resolution)
    A, V = np.meshgrid(g, g)
    yh = v1 * np.tanh(A[..., None] * x + b1) + V[..., None] * np.tanh(w2 * x + b2)
    J = np.mean((yh - y) ** 2, axis=-1)
    P = np.pad(J, 1, constant_values=np.inf)
    neigh = np.stack([P[1 + di:1 + di + resolution, 1 + dj:1 + dj + resolution]
                      for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj])
    is_min = J < neigh.min(axis=0)
    is_min[[0, -1], :] = is_min[:, [0, -1]] = False  # a minimum on the edge is not one
    minima = sorted((float(A[i, j]), float(V[i, j]), float(J[i, j])) for i, j in np.argwhere(is_min))
    xt, yt = ng.tensor(x), ng.tensor(y)
    runs = []
    for s in starts:
        p = ng.tensor(np.asarray(s, dtype=np.float64), requires_grad=True)
        path = [p.numpy().copy()]
        for _ in range(int(steps)):
            Jt = ((v1 * (p[0] * xt + b1).tanh() + p[1] * (w2 * xt + b2).tanh() - yt) ** 2).mean()
            p.grad = None
            Jt.backward()
            with ng.no_grad():
                p -= lr * p.grad
            path.append(p.numpy().copy())
        runs.append(np.asarray(path))
    return {"w1": g, "v2": g, "J": J, "minima": minima, "runs": runs}


def plot_error_surface(result: dict | None = None, path: str | os.PathLike | None = None) -> Any:
    """Contours of the non-convex J (log scale), its local minima, and where GD from each start ends."""
    from matplotlib.colors import LogNorm

    r = result if result is not None else error_surface()
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.2, 5.0))
    A, V = np.meshgrid(r["w1"], r["v2"])
    J = r["J"]
    cs = ax.contourf(A, V, J, levels=np.geomspace(J.min(), J.max(), 25), norm=LogNorm(), cmap="viridis")
    fig.colorbar(cs, ax=ax, label="J (log scale)", format="%.2g")
    best = min(m[2] for m in r["minima"])
    for w1, v2, j in r["minima"]:
        kind = "global" if j == best else "local"
        ax.plot(w1, v2, "*", ms=15, color="gold" if kind == "global" else "red", mec="k",
                label=f"{kind} minimum, J = {j:.3g}")
    for i, p in enumerate(r["runs"]):
        ax.plot(p[:, 0], p[:, 1], "-", color="white", lw=1.3)
        ax.plot(*p[0], "o", color="white", mec="k", ms=6, label="GD start" if i == 0 else None)
    ax.set_xlabel("$w_1$ (input weight of hidden unit 1)")
    ax.set_ylabel("$v_2$ (output weight of hidden unit 2)")
    ax.set_title("A non-convex error surface: where GD ends depends on where it starts\n"
                 "(1-2-1 tanh net, the other weights fixed)", fontsize=10)
    ax.legend(fontsize=8, loc="lower left", framealpha=0.9)
    fig.tight_layout()
    return save(fig, path)
