"""Regenerate the guide's figures (docs/figures/*.png): `python docs/figures/make_figures.py`.

The PNGs are committed (small, 80 dpi) so that the guide reads on GitHub without a build; this
script is the only thing that writes them. Each comes from one public netgrad.viz function.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import netgrad as ng  # noqa: E402
from netgrad import viz  # noqa: E402

OUT = Path(__file__).resolve().parent
DPI = 80


def _small(path: Path) -> None:
    """Re-save as a 256-colour palette PNG (a third of the size; the figures have few colours)."""
    from PIL import Image

    with Image.open(path) as im:
        im.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path.name}: {path.stat().st_size // 1024} KiB")


def _save(fig, name: str) -> None:
    fig.savefig(OUT / name, dpi=DPI, bbox_inches="tight")
    _small(OUT / name)


def graph_with_values() -> None:
    x = ng.tensor([[0.35, 0.9]])
    t = ng.tensor([[0.0, 1.0]])
    W = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
    with viz.record() as rec:
        z = ng.softmax(x @ W, dim=1)
        J = -(t * z.log()).sum()
    J.backward()
    g = rec.graph(J, names={"x": x, "t": t, "W": W, "z": z, "J": J})
    g.render(OUT / "graph_values.png")
    _small(OUT / "graph_values.png")


def dead_relus_diverged() -> None:
    X = np.random.default_rng(0).normal(size=(64, 2))
    model = viz.deep_net(depth=4, width=8, activation="relu")
    _save(viz.plot_dead_relus(viz.train_and_record(model, X, 3 * X[:, 0], lr=5.0, steps=30)),
          "dead_relus_diverged.png")


def main() -> None:
    graph_with_values()
    _save(viz.plot_gd_paths(), "gd_paths.png")
    _save(viz.plot_zigzag(), "zigzag.png")
    _save(viz.plot_error_surface(), "error_surface.png")
    _save(viz.plot_sigmoid_steepening(), "sigmoid_step.png")
    _save(viz.plot_towers(), "towers.png")
    _save(viz.plot_weight_change(), "weight_change.png")
    _save(viz.plot_information(), "information.png")
    _save(viz.plot_activations(["sigmoid", "tanh", "relu", "step", "sign", "softmax"]), "activations.png")
    dead_relus_diverged()


if __name__ == "__main__":
    sys.exit(main())
