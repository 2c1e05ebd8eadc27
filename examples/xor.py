"""XOR learned by a 2-2-1 network of logistic units with batch gradient descent.

XOR is the classic problem a single-layer perceptron cannot solve: no line separates
{(0,1), (1,0)} from {(0,0), (1,1)}. Two logistic hidden units h = sigma(x beta + b) bend the
input space so that the output unit y_hat = sigma(h theta + c) can separate it. Training uses
batch gradient descent (every update from the gradient of the squared error over all four
examples, J = 1/4 sum (y - y_hat)^2), with momentum to cross the early plateau, and stops when
J falls below a target or the gradient norm ||dJ/dw|| becomes negligible.

Run: python examples/xor.py
"""

from __future__ import annotations

import numpy as np

import netgrad as ng
from netgrad import nn, optim
from netgrad.data import make_xor
from netgrad.train import fit, predict


def main(seed: int = 0, epochs: int = 5000, verbose: int = 0) -> tuple[nn.Module, object]:
    ng.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    opt = optim.SGD(model.parameters(), lr=2.0, momentum=0.9)
    history = fit(model, nn.MSELoss(), opt, make_xor(), epochs=epochs, batch_size=None,
                  target_loss=0.005, grad_tol=1e-6, verbose=verbose)
    X, y = make_xor(return_X_y=True)
    out = predict(model, X)
    print(f"stopped after {history.epochs} epochs ({history.stop_reason}), "
          f"J = {history.history['loss'][-1]:.5f}, ||dJ/dw|| = {history.history['grad_norm'][-1]:.2e}")
    for xi, yi, oi in zip(X, y, out):
        print(f"  x = {xi.astype(int).tolist()}  y = {int(yi[0])}  y_hat = {oi[0]:.3f}")
    print("hidden weights beta:", np.round(model[0].weight.numpy().T.astype(float), 3).tolist())
    print("solved:", bool((np.round(out) == y).all()))
    return model, history


if __name__ == "__main__":
    main(verbose=1)
