"""Rosenblatt's perceptron: a step neuron trained by the perceptron rule, not by backprop.

A perceptron computes net = w_0 x_0 + w_1 x_1 + ... + w_n x_n with x_0 = 1 fixed, so that the bias
is just the weight w_0 of that constant input, and outputs y_hat = step(net) (1 if net > 0, else
0). It learns one example at a time by Rosenblatt's rule,

    w <- w + eta (y - y_hat) x        (x including x_0 = 1),

which changes w only on a mistake: towards x when it said 0 for a 1, away from x when it said 1
for a 0. The step has no useful derivative, so this is not gradient descent on a loss.

Convergence theorem: if the two classes are linearly separable (some w puts every 1 on the positive
side and every 0 on the other, with margin gamma, and ||x|| <= R), the rule makes at most
(R / gamma)^2 mistakes, so an epoch with no mistake comes and ``fit`` stops there.

XOR is not linearly separable, so no perceptron fits it. Suppose w separated it:
(0, 0) -> 0 needs w_0 <= 0 and (1, 1) -> 0 needs w_0 + w_1 + w_2 <= 0; adding, 2 w_0 + w_1 + w_2 <= 0.
(1, 0) -> 1 needs w_0 + w_1 > 0 and (0, 1) -> 1 needs w_0 + w_2 > 0; adding, 2 w_0 + w_1 + w_2 > 0.
Both cannot hold: every w misclassifies at least one of the four points, every epoch makes a
mistake, and the rule cycles for ever (``fit`` gives up after ``epochs``). A hidden layer fixes
it: a 2-2-1 network computes XOR (see examples/xor_perceptron_vs_mlp.py).

>>> import netgrad as ng
>>> X = [[0, 0], [0, 1], [1, 0], [1, 1]]
>>> p = ng.nn.Perceptron(2).fit(X, [0, 0, 0, 1])          # AND is linearly separable
>>> p.converged_, p.predict(X).tolist()
(True, [0, 0, 0, 1])
>>> p.weight.tolist()                                      # [w_0 (bias, x_0 = 1), w_1, w_2]
[-2.0, 2.0, 1.0]
>>> ng.nn.Perceptron(2).fit(X, [0, 1, 1, 0], epochs=100).converged_   # XOR is not
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.dtypes import as_dtype, get_default_dtype
from ..autograd.errors import ShapeError
from ..autograd.random import rng as _rng
from .module import Module
from .parameter import Parameter

__all__ = ["Perceptron"]


class Perceptron(Module):
    """A step neuron with weights ``weight = [w_0, w_1, ..., w_n]`` on ``[x_0 = 1, x_1, ..., x_n]``.

    ``lr`` is eta in the rule w <- w + eta (y - y_hat) x; ``init``: 'zeros' (the classic start) or
    'random' (small normal weights from netgrad's seeded generator). Targets are 0 or 1.
    """

    def __init__(self, in_features: int, lr: float = 1.0, init: str = "zeros", dtype: Any = None) -> None:
        super().__init__()
        if int(in_features) < 1:
            raise ValueError(f"Perceptron: in_features must be >= 1, got {in_features}")
        if not lr > 0:
            raise ValueError(f"Perceptron: lr (eta) must be positive, got {lr}")
        if init not in ("zeros", "random"):
            raise ValueError(f"Perceptron: init must be 'zeros' or 'random', got {init!r}")
        self.in_features = int(in_features)
        self.lr = float(lr)
        d = as_dtype(dtype) if dtype is not None else get_default_dtype()
        w = np.zeros(self.in_features + 1, dtype=d)
        if init == "random":
            w[...] = _rng(None).normal(0.0, 0.01, w.shape)
        self.weight = Parameter(Tensor._make(w), requires_grad=False)
        self.history_: list[int] = []
        self.converged_ = False
        self.n_epochs_ = 0

    @property
    def bias(self) -> float:
        """w_0, the weight on the constant input x_0 = 1."""
        return float(self.weight._data[0])

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, lr={self.lr}"

    # ---------------------------------------------------------------- forward
    def augment(self, X: Any) -> np.ndarray:
        """[1, x_1, ..., x_n] per row: the input x_0 = 1 that carries the bias."""
        a = np.asarray(X._data if isinstance(X, Tensor) else X, dtype=self.weight._data.dtype)
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        if a2.ndim != 2 or a2.shape[1] != self.in_features:
            raise ShapeError(f"Perceptron: expected inputs with {self.in_features} features, got shape "
                             f"{a.shape}")
        return np.concatenate([np.ones((a2.shape[0], 1), dtype=a2.dtype), a2], axis=1)

    def net(self, X: Any) -> np.ndarray:
        """net = w . [1, x] per example."""
        return self.augment(X) @ self.weight._data

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        """y_hat = step(net) in {0, 1}, as a tensor (one value per example)."""
        out = (self.net(input) > 0).astype(self.weight._data.dtype)
        a = np.asarray(input._data if isinstance(input, Tensor) else input)
        return Tensor._make(out[0] if a.ndim == 1 else out)

    def predict(self, X: Any) -> np.ndarray:
        """0/1 labels as an int array."""
        return (self.net(X) > 0).astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        """The fraction of examples classified correctly."""
        return float(np.mean(self.predict(X) == _targets(y, len(self.augment(X)))))

    # --------------------------------------------------------------- learning
    def update(self, x: Any, y: float) -> bool:
        """One step of the rule on one example; True if it was a mistake (and w moved)."""
        return self._rule(self.augment(x)[0], float(y), self.weight._data)

    def _rule(self, xa: np.ndarray, y: float, w: np.ndarray) -> bool:
        """w <- w + eta (y - y_hat) xa, in place on the weight's array; True on a mistake."""
        err = y - (1.0 if xa @ w > 0 else 0.0)
        if err != 0.0:
            w += self.lr * err * xa
        return err != 0.0

    def fit(self, X: Any, y: Any, epochs: int = 1000, shuffle: bool = False, seed: int | None = None
            ) -> Perceptron:
        """Sweep the examples with the rule until an epoch makes no mistake (or ``epochs`` ran).

        Sets ``converged_`` (an epoch without mistakes came), ``n_epochs_`` and ``history_`` (the
        number of mistakes in each epoch). Continues from the current weights.
        """
        Xa = self.augment(X)
        t = _targets(y, len(Xa))
        order = np.arange(len(Xa))
        gen = np.random.default_rng(seed)
        self.history_, self.converged_ = [], False
        w = self.weight._data
        for _epoch in range(int(epochs)):
            if shuffle:
                gen.shuffle(order)
            mistakes = sum(self._rule(Xa[i], t[i], w) for i in order)
            self.history_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.n_epochs_ = len(self.history_)
        return self


def _targets(y: Any, n: int) -> np.ndarray:
    t = np.asarray(y._data if isinstance(y, Tensor) else y, dtype=np.float64).reshape(-1)
    if t.shape[0] != n:
        raise ShapeError(f"Perceptron: {n} examples but {t.shape[0]} targets")
    if not np.all((t == 0) | (t == 1)):
        raise ValueError("Perceptron: targets must be 0 or 1")
    return t
