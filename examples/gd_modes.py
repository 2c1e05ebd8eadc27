"""The three gradient-descent modes on one problem, each stopped by the gradient-norm rule.

The notes distinguish how much data each weight update sees:

* batch gradient descent: w <- w - eta dJ/dw with J averaged over all N examples (1 update/epoch);
* one-example (stochastic) gradient descent: an update after every example (N updates/epoch);
* mini-batch SGD: an update per batch of n examples (N/n updates/epoch);

and stop when the gradient is (nearly) zero: ||dJ/dw|| < tol. For SGD the gradient norm is taken
of the epoch's mean gradient, which averages out the example-to-example noise.

The problem: a 1-16-1 tanh network fitting y = sin(x) + 0.1 x^2 + noise (``make_curve``), from
the same initial weights in every mode. Batch GD takes smooth, cheap steps but many epochs;
one-example SGD needs the fewest epochs but by far the most updates (and time, in Python);
mini-batches sit in between.

Run: python examples/gd_modes.py
"""

from __future__ import annotations

import time

import netgrad as ng
from netgrad import nn, optim
from netgrad.data import make_curve
from netgrad.train import fit

MODES = (("batch GD", None, 0.1), ("one-example SGD", 1, 0.01), ("mini-batch SGD (n=20)", 20, 0.05))


def main(n_samples: int = 200, grad_tol: float = 5e-3, max_epochs: int = 5000, verbose: int = 0) -> dict:
    X, y = make_curve(n_samples, noise=0.1, seed=0, return_X_y=True)
    results = {}
    print(f"{'mode':<24}{'epochs':>8}{'updates':>9}{'final J':>10}{'||grad||':>10}{'seconds':>9}  stop")
    for name, batch_size, lr in MODES:
        ng.manual_seed(0)  # the same initial weights for every mode
        model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
        t0 = time.perf_counter()
        h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=lr), (X, y), epochs=max_epochs,
                batch_size=batch_size, grad_tol=grad_tol, generator=ng.Generator(0), verbose=verbose)
        seconds = time.perf_counter() - t0
        updates = h.epochs * h.params["batches_per_epoch"]
        results[name] = {"epochs": h.epochs, "updates": updates, "loss": h.history["loss"][-1],
                         "grad_norm": h.history["grad_norm"][-1], "seconds": seconds,
                         "stop_reason": h.stop_reason, "history": h}
        print(f"{name:<24}{h.epochs:>8}{updates:>9}{h.history['loss'][-1]:>10.4f}"
              f"{h.history['grad_norm'][-1]:>10.2e}{seconds:>9.2f}  {h.stop_reason}")
    return results


if __name__ == "__main__":
    main()
