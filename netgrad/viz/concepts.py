"""Pictures of single ideas: a sigmoid becoming a step, 2-D towers, one weight's reach, and
entropy / cross-entropy / KL divergence. Each returns a matplotlib Figure (closed in pyplot)."""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from .plots import _plt, save

__all__ = ["plot_sigmoid_steepening", "tower", "plot_towers", "weight_change_effect",
           "plot_weight_change", "information_measures", "plot_information"]


def _sig(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), no overflow


# ------------------------------------------------------------------ sigmoid -> step
def plot_sigmoid_steepening(s: float = 0.4, weights: Sequence[float] = (1, 4, 16, 100),
                            path: str | os.PathLike | None = None) -> Any:
    """sigma(w x + b) with the step position s = -b/w held fixed (b = -w s) while w grows: the
    neuron turns into a step at x = s, the building block of the universal-approximation argument."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.0, 3.8))
    x = np.linspace(-1, 1.5, 801)
    for i, w in enumerate(weights):
        ax.plot(x, _sig(w * (x - s)), color=plt.get_cmap("viridis")(i / max(len(weights) - 1, 1)),
                lw=1.8, label=f"w = {w:g}, b = {-w * s:g}")
    ax.axvline(s, color="k", ls="--", lw=1)
    ax.annotate(f"s = -b/w = {s:g}", xy=(s, 0.5), xytext=(s + 0.15, 0.3), fontsize=9,
                arrowprops={"arrowstyle": "->"})
    ax.set_xlabel("x")
    ax.set_ylabel("σ(w x + b)")
    ax.set_title("One sigmoid neuron steepening into a step at s = -b/w")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return save(fig, path)


def tower(x1: np.ndarray, x2: np.ndarray, a: Sequence[float], b: Sequence[float], k: float = 60.0,
          ) -> np.ndarray:
    """A 2-D tower of height ~1 over [a_1, b_1] x [a_2, b_2], built from sigmoid neurons: the bumps
    h_i = sigma(k(x_i - a_i)) - sigma(k(x_i - b_i)) (two hidden units each) are added and passed
    through one more steep sigmoid, sigma(k (h_1 + h_2 - 3/2)), which is ~1 only where both are ~1."""
    h1 = _sig(k * (x1 - a[0])) - _sig(k * (x1 - b[0]))
    h2 = _sig(k * (x2 - a[1])) - _sig(k * (x2 - b[1]))
    return _sig(k * (h1 + h2 - 1.5))


def plot_towers(f: Any = None, n: int = 8, k: float = 60.0, path: str | os.PathLike | None = None) -> Any:
    """Left: one tower. Right: f(x_1, x_2) on [0, 1]^2 approximated by n x n towers, each scaled by
    f at its centre (the 2-D universal-approximation construction)."""
    f = f or (lambda u, v: np.sin(3 * u) * np.cos(2 * v) + 1.0)
    g = np.linspace(0, 1, 121)
    X1, X2 = np.meshgrid(g, g)
    one = tower(X1, X2, (0.3, 0.4), (0.6, 0.7), k)
    edges = np.linspace(0, 1, n + 1)
    approx = np.zeros_like(X1)
    for i in range(n):
        for j in range(n):
            c = f((edges[i] + edges[i + 1]) / 2, (edges[j] + edges[j + 1]) / 2)
            approx += c * tower(X1, X2, (edges[i], edges[j]), (edges[i + 1], edges[j + 1]), k * n / 2)
    target = f(X1, X2)
    plt = _plt()
    fig = plt.figure(figsize=(13, 4.0))
    ax = fig.add_subplot(1, 3, 1, projection="3d")
    ax.plot_surface(X1, X2, one, cmap="viridis", rstride=2, cstride=2, linewidth=0)
    ax.set_title("one tower: σ(k(h₁ + h₂ - 3/2))\nover [0.3, 0.6] × [0.4, 0.7]", fontsize=10)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.view_init(elev=32, azim=-60)
    lo, hi = float(min(approx.min(), target.min())), float(max(approx.max(), target.max()))
    err = float(np.abs(approx - target).mean())
    for idx, (Z, title) in enumerate(((approx, f"{n} × {n} towers, each × f(centre)\nmean |error| {err:.3f}"),
                                      (target, "target f(x₁, x₂)"))):
        ax = fig.add_subplot(1, 3, idx + 2)
        im = ax.imshow(Z, origin="lower", extent=(0, 1, 0, 1), vmin=lo, vmax=hi, cmap="viridis")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    fig.suptitle("Universal approximation in 2-D: towers built from sigmoid neurons (the dark crosses: "
                 "corners where four towers meet)", fontsize=11)
    fig.subplots_adjust(left=0.02, right=0.9, wspace=0.3, top=0.82)
    fig.colorbar(im, cax=fig.add_axes((0.92, 0.14, 0.012, 0.64)))
    return save(fig, path)


# ------------------------------------------------------------- one weight's reach
def weight_change_effect(model: Any, x: Any, layer: int, i: int, j: int, delta: float = 0.5
                         ) -> list[np.ndarray]:
    """Change weight W^(layer)[i, j] (of the ``layer``-th Linear, 0-based, PyTorch's (out, in)
    layout: to unit i from input j) by ``delta`` and return, for the input and each Linear
    layer's activation after it, the change in every unit's value |a' - a| on example ``x``."""
    import netgrad as ng

    mods = list(model.children())
    lins = [m for m in mods if type(m).__name__ == "Linear"]
    if not 0 <= layer < len(lins):
        raise ValueError(f"weight_change_effect: layer must be in 0..{len(lins) - 1}, got {layer}")
    dtype = lins[0].weight.dtype
    xa = ng.tensor(np.asarray(x, dtype=np.float64).reshape(1, -1), dtype=dtype)

    def acts() -> list[np.ndarray]:
        out, h = [xa.numpy()[0]], xa
        with ng.no_grad():
            for k, m in enumerate(mods):
                h = m(h)
                nxt = mods[k + 1] if k + 1 < len(mods) else None
                if type(m).__name__ == "Linear" and (nxt is None or type(nxt).__name__ == "Linear"):
                    out.append(h.numpy()[0])       # a linear layer's output is its activation
                elif type(m).__name__ != "Linear":
                    out.append(h.numpy()[0])
        return out

    before = acts()
    w = lins[layer].weight
    with ng.no_grad():
        old = float(w[i, j].item())
        w[i, j] = old + delta
    try:
        after = acts()
    finally:
        with ng.no_grad():
            w[i, j] = old
    return [np.abs(a - b) for a, b in zip(after, before)]


def plot_weight_change(model: Any = None, x: Any = None, layer: int = 0, i: int = 1, j: int = 0,
                       delta: float = 0.5, path: str | os.PathLike | None = None) -> Any:
    """The network as layers of circles coloured by |change| after nudging one weight (the red
    edge): the unit it feeds changes, and through it every unit of every later layer."""
    import netgrad as ng
    from matplotlib.colors import Normalize

    from .. import nn

    if model is None:
        ng.manual_seed(1)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))
    lins = [m for m in model.children() if type(m).__name__ == "Linear"]
    x = np.linspace(0.5, -0.5, lins[0].in_features) if x is None else x
    d = weight_change_effect(model, x, layer, i, j, delta)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 4.4))
    vmax = max(float(v.max()) for v in d) or 1.0
    norm, cmap = Normalize(0, vmax), plt.get_cmap("Reds")
    pos = [[(L, (len(v) - 1) / 2 - u) for u in range(len(v))] for L, v in enumerate(d)]
    for L in range(len(d) - 1):
        for a in pos[L]:
            for b in pos[L + 1]:
                ax.plot([a[0], b[0]], [a[1], b[1]], color="#cccccc", lw=0.6, zorder=1)
    (x0, y0), (x1, y1) = pos[layer][j], pos[layer + 1][i]
    ax.plot([x0, x1], [y0, y1], color="C3", lw=3, zorder=2,
            label=f"Linear {layer + 1}: weight[{i}, {j}] += {delta:g} (input {j} to unit {i})")
    for L, v in enumerate(d):
        for u, val in enumerate(v):
            px, py = pos[L][u]
            ax.scatter(px, py, s=520, color=cmap(norm(val)), edgecolors="k", zorder=3)
            ax.text(px, py - 0.42, f"{val:.2g}", ha="center", va="top", fontsize=7)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, label="|change in activation|", fraction=0.04)
    ax.set_xticks(range(len(d)), ["input"] + [f"layer {L}" for L in range(1, len(d))])
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_ylim(min(p[1] for q in pos for p in q) - 0.8, max(p[1] for q in pos for p in q) + 0.6)
    ax.set_title("Changing one weight moves the unit it feeds and every unit after it", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, 1.0))
    fig.tight_layout()
    return save(fig, path)


# ------------------------------------------------------------ entropy, CE, KL
def information_measures(p: Any, q: Any) -> dict[str, float]:
    """H(p) = -sum p log p, H(p, q) = -sum p log q and KL(p || q) = sum p log(p / q), in nats,
    computed with netgrad (0 log 0 = 0); H(p, q) = H(p) + KL(p || q)."""
    import netgrad as ng

    pt, qt = ng.tensor(np.asarray(p, dtype=np.float64)), ng.tensor(np.asarray(q, dtype=np.float64))
    if pt.shape != qt.shape or pt.dim() != 1:
        raise ValueError(f"information_measures: p and q must be 1-D of one length, got {pt.shape} "
                         f"and {qt.shape}")
    for name, t in (("p", pt), ("q", qt)):
        if (t < 0).any().item() or abs(t.sum().item() - 1) > 1e-6:
            raise ValueError(f"information_measures: {name} must be a probability distribution")
    H = -ng.xlogy(pt, pt).sum().item()
    CE = -ng.xlogy(pt, qt).sum().item()
    return {"entropy": H, "cross_entropy": CE, "kl": CE - H}


def plot_information(p: Sequence[float] = (0.7, 0.2, 0.1), q: Sequence[float] = (0.4, 0.4, 0.2),
                     path: str | os.PathLike | None = None) -> Any:
    """Three panels: p and q side by side; H(p), H(p, q), KL(p || q) as bars (H(p, q) = H(p) + KL);
    for two classes, H(p, q) as q varies with p fixed: its minimum H(p) at q = p, the gap is KL."""
    m = information_measures(p, q)
    plt = _plt()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.8))
    k = np.arange(len(p))
    a1.bar(k - 0.2, p, 0.4, label="p (true)")
    a1.bar(k + 0.2, q, 0.4, label="q (model)")
    a1.set_xticks(k, [f"class {c + 1}" for c in k])
    a1.set_ylabel("probability")
    a1.set_title("Two distributions")
    a1.legend(fontsize=8)
    names = ["entropy H(p)", "cross-entropy H(p, q)", "KL(p ‖ q)"]
    vals = [m["entropy"], m["cross_entropy"], m["kl"]]
    a2.bar([0, 1], [vals[0], vals[0]], color="C0", label="H(p)")
    a2.bar([1, 2], [vals[2], vals[2]], bottom=[vals[0], 0], color="C3", label="KL(p ‖ q)")
    for xi, v in enumerate(vals):
        a2.text(xi, v + 0.02, f"{v:.3f}", ha="center", fontsize=9)
    a2.set_xticks([0, 1, 2], names, fontsize=8)
    a2.set_ylabel("nats")
    a2.set_title("H(p, q) = H(p) + KL(p ‖ q)")
    a2.legend(fontsize=8)
    a2.set_ylim(0, max(vals) * 1.2)
    p1 = float(p[0]) if len(p) == 2 else 0.7
    qs = np.linspace(0.01, 0.99, 197)
    Hp = -(p1 * np.log(p1) + (1 - p1) * np.log(1 - p1))
    CEq = -(p1 * np.log(qs) + (1 - p1) * np.log(1 - qs))
    a3.plot(qs, CEq, "C1", label="cross-entropy H(p, q)")
    a3.axhline(Hp, color="C0", ls="--", label="entropy H(p)")
    a3.fill_between(qs, Hp, CEq, color="C3", alpha=0.2, label="KL(p ‖ q)")
    a3.axvline(p1, color="k", lw=0.6)
    a3.set_xlabel("q = model's probability of class 1")
    a3.set_ylabel("nats")
    a3.set_ylim(0, 3)
    a3.set_title(f"Two classes, p = ({p1:g}, {1 - p1:g}): least at q = p")
    a3.legend(fontsize=8, loc="upper center")
    fig.suptitle("Entropy, cross-entropy and KL divergence")
    fig.tight_layout()
    return save(fig, path)
