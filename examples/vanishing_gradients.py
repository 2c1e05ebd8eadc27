"""Vanishing gradients: a deep sigmoid network against the same network with ReLU.

Backprop multiplies by g'(net^(l)) at every layer: delta^(l) = (delta^(l+1) W^(l+1)^T) * g'(net^(l)).
The logistic sigmoid has g' <= 1/4, so with well-scaled weights the sensitivities shrink by a
factor of about 4 or more per layer and the layers next to the input hardly learn. ReLU has g' = 1
where a unit is active, so the gradient reaches the first layers; its own problem is units that
are never active ("dead" ReLUs, g' = 0 for every example).

Run: python examples/vanishing_gradients.py [--depth 8] [--steps 30] [--plot out.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from netgrad.viz import vanishing_gradients


def main(depth: int = 8, steps: int = 30, plot: str | None = None) -> dict:
    r = vanishing_gradients(depth=depth, width=16, steps=steps, lr=0.05)
    sig, relu = r["sigmoid"]["grad_norms"].mean(axis=0), r["relu"]["grad_norms"].mean(axis=0)
    print("layer   ||dJ/dW|| sigmoid   ||dJ/dW|| relu")
    for i, (s, q) in enumerate(zip(sig, relu), 1):
        print(f"{i:5d}   {s:17.3e}   {q:14.3e}")
    ratio_sig, ratio_relu = sig[0] / sig[-1], relu[0] / relu[-1]
    print(f"input layer / output layer: sigmoid {ratio_sig:.1e}, relu {ratio_relu:.1e}")
    dead = r["relu"]["dead"][-1]
    print(f"dead ReLUs per layer after training: {np.round(dead, 2).tolist()}")
    # the sigmoid net's first layer gets orders of magnitude less gradient than its last;
    # ReLU's does not, and every sigmoid layer shrinks the gradient on the way back
    assert ratio_sig < 1e-3 and ratio_relu > 1e-2
    assert np.all(np.diff(sig) > 0)
    assert relu[0] > 100 * sig[0]
    if plot:
        from netgrad.viz import plot_gradient_norms

        plot_gradient_norms(r, path=plot)
        print(f"wrote {plot}")
    return r


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--plot", help="write the figure to this PNG")
    a = ap.parse_args()
    main(a.depth, a.steps, a.plot)
