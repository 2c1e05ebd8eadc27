"""XOR: the perceptron cannot learn it, a 2-2-1 sigmoid MLP can.

1. Rosenblatt's perceptron (nn.Perceptron) converges on AND but never on XOR: no line separates
   {(0,1), (1,0)} from {(0,0), (1,1)}, so every epoch makes a mistake.
2. One hidden layer is enough: with step units, h_1 = OR(x), h_2 = NAND(x), y = AND(h_1, h_2) is XOR.
3. A 2-2-1 network with logistic units, trained by batch gradient descent (the whole set per step)
   with backprop, finds such a solution itself. (A 2-2-1 net has poor local minima, where it
   outputs 0.5 for two of the points; some random starts end there. This seed does not.)

Run: python examples/xor_perceptron_vs_mlp.py [--plot out.png]
"""

from __future__ import annotations

import argparse

import numpy as np

import netgrad as ng
import netgrad.nn as nn
from netgrad import optim
from netgrad.train import fit

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
Y_XOR = np.array([0, 1, 1, 0])


def perceptron_part() -> nn.Perceptron:
    p_and = nn.Perceptron(2).fit(X, [0, 0, 0, 1])
    assert p_and.converged_
    print(f"Perceptron on AND: converged after {p_and.n_epochs_} epochs, w = [w_0, w_1, w_2] = "
          f"{p_and.weight.tolist()}")
    p = nn.Perceptron(2).fit(X, Y_XOR, epochs=200)
    acc = p.score(X, Y_XOR)
    print(f"Perceptron on XOR: {'converged' if p.converged_ else 'no convergence'} in {p.n_epochs_} epochs, "
          f"mistakes per epoch {p.history_[:6]}..., accuracy {acc:.0%}")
    assert not p.converged_ and min(p.history_) >= 1 and acc < 1.0
    return p


def hand_built_xor() -> None:
    """XOR = AND(OR, NAND) with step units, weights in the notes' orientation (inputs x outputs)."""
    step = nn.Step()
    W1, b1 = ng.tensor([[1.0, -1.0], [1.0, -1.0]]), ng.tensor([-0.5, 1.5])   # h = [OR, NAND]
    W2, b2 = ng.tensor([[1.0], [1.0]]), ng.tensor([-1.5])                    # y = AND(h)
    h = step(ng.tensor(X) @ W1 + b1)
    y = step(h @ W2 + b2)
    print(f"Hand-built 2-2-1 step network: h = {h.numpy().astype(int).tolist()}, "
          f"y = {y.numpy().ravel().astype(int).tolist()}")
    assert y.numpy().ravel().tolist() == Y_XOR.tolist()


def mlp_part(epochs: int = 3000, lr: float = 2.0, seed: int = 0) -> nn.Module:
    ng.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    y = Y_XOR.reshape(-1, 1).astype(np.float32)
    hist = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=lr), (X, y), epochs=epochs,
               batch_size=len(X), verbose=0)
    with ng.no_grad():
        out = model(ng.tensor(X)).numpy().ravel()
    pred = (out > 0.5).astype(int)
    losses = hist.history["loss"]
    print(f"2-2-1 sigmoid MLP, batch GD, lr {lr}: loss {losses[0]:.4f} -> {losses[-1]:.5f} in {len(losses)} "
          f"epochs, outputs {np.round(out.astype(float), 3).tolist()}, accuracy {np.mean(pred == Y_XOR):.0%}")
    assert pred.tolist() == Y_XOR.tolist()
    assert losses[-1] < 0.01 < losses[0]
    return model


def main(plot: str | None = None) -> None:
    p = perceptron_part()
    hand_built_xor()
    model = mlp_part()
    if plot:
        import matplotlib.pyplot as plt

        from netgrad.viz import plot_decision_boundary

        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4))
        plot_decision_boundary(p.predict, X, Y_XOR, ax=a1, title="Perceptron: one line, XOR fails")
        plot_decision_boundary(model, X, Y_XOR, ax=a2, title="2-2-1 sigmoid MLP: XOR learned")
        fig.tight_layout()
        fig.savefig(plot, dpi=110)
        print(f"wrote {plot}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plot", help="write both decision boundaries to this PNG")
    main(ap.parse_args().plot)
