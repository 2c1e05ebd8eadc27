"""The universal approximation construction: pairs of steep sigmoids make bumps.

For a bin [a, b] with centre c, sigma(k(x - a)) - sigma(k(x - b)) is ~1 inside the bin and ~0
outside when k is large. Weighting each bump by f(c) and adding them gives a staircase that
approaches any continuous f on an interval as the bins shrink and k grows: a network with one
hidden layer of 2n sigmoid units (hidden weights k, biases -k a_i and -k b_i; output weights
+f(c_i) and -f(c_i)) and a linear output.

Run: python examples/universal_approximation.py [--plot out.png]
"""

from __future__ import annotations

import argparse

import numpy as np

import netgrad as ng
from netgrad.viz import bump_network


def f(x: np.ndarray) -> np.ndarray:
    return np.sin(x) + 0.1 * x ** 2          # the curve of netgrad.data.make_curve, noise-free


def main(plot: str | None = None) -> dict:
    lo, hi = -3.0, 3.0
    xs = np.linspace(lo + 0.05, hi - 0.05, 400).reshape(-1, 1)
    errors = {}
    for n_bins in (5, 20, 80):
        net = bump_network(f, n_bins=n_bins, k=40.0 * n_bins, lo=lo, hi=hi)
        assert net[0].out_features == 2 * n_bins
        with ng.no_grad():
            approx = net(ng.tensor(xs, dtype=ng.float64)).numpy()
        errors[n_bins] = float(np.abs(approx - f(xs)).max())
        print(f"{n_bins:3d} bins, {2 * n_bins:3d} hidden sigmoids: max |f - f_hat| = {errors[n_bins]:.4f}")
    # more, narrower bumps: a closer fit (the error shrinks roughly with the bin width)
    assert errors[5] > errors[20] > errors[80]
    assert errors[80] < 0.1
    # at a bin centre the network outputs f(c) itself
    net = bump_network(f, n_bins=30, k=2000.0, lo=lo, hi=hi)
    c = np.array([[lo + 0.1]])                # the first centre: width 0.2, centre lo + 0.1
    with ng.no_grad():
        assert abs(net(ng.tensor(c, dtype=ng.float64)).item() - f(c).item()) < 1e-6
    if plot:
        from netgrad.viz import plot_universal_approximation

        plot_universal_approximation(f, n_bins=(5, 20), k=200.0, lo=lo, hi=hi, path=plot)
        print(f"wrote {plot}")
    return errors


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plot", help="write the figure to this PNG")
    main(ap.parse_args().plot)
