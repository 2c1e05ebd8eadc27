"""The perceptron: a threshold neuron trained by Rosenblatt's rule or by the LMS rule.

A perceptron computes net = w_0 x_0 + w_1 x_1 + ... + w_n x_n with x_0 = 1 fixed, so that the bias
is just the weight w_0 of that constant input, and outputs y_hat = step(net) (1 if net >= 0, else
0) for targets in {0, 1}, or the bipolar y_hat = sgn(net) (+1 if net >= 0, else -1) for targets in
{-1, +1}. Two learning rules, one example at a time (x including x_0 = 1):

    Rosenblatt (``rule="rosenblatt"``):  w <- w + eta (y - y_hat) x
    LMS / Widrow-Hoff (``rule="lms"``):  w <- w + eta (y - net) x

Rosenblatt's rule changes w only on a mistake: towards x when it said 0 (or -1) for a 1, away from
x when it said 1 for a 0 (or -1). The step has no useful derivative, so this is not gradient
descent on a loss. The LMS (delta, ADALINE) rule is stochastic gradient descent on the squared
error J = 1/2 (y - net)^2 of the linear output net, before the threshold: dJ/dw = -(y - net) x.
It moves w on every example, also when the class is right, and settles (for a small eta) near the
least-squares weights, whether or not the classes are separable. It fits net to bipolar targets
(a 0 counts as -1), so that the threshold stays at net = 0.

Convergence theorem (Rosenblatt's rule): if the two classes are linearly separable (some w puts
every 1 on the positive side and every 0 on the other, with margin gamma, and ||x|| <= R), the
rule makes at most (R / gamma)^2 mistakes, so an epoch with no mistake comes and ``fit`` stops.

XOR is not linearly separable, so no perceptron fits it. Suppose w separated it:
(0, 0) -> 0 needs w_0 < 0 and (1, 1) -> 0 needs w_0 + w_1 + w_2 < 0; adding, 2 w_0 + w_1 + w_2 < 0.
(1, 0) -> 1 needs w_0 + w_1 >= 0 and (0, 1) -> 1 needs w_0 + w_2 >= 0; adding, 2 w_0 + w_1 + w_2 >= 0.
Both cannot hold: every w misclassifies at least one of the four points, every epoch makes a
mistake, and Rosenblatt's rule cycles for ever (``fit`` gives up after ``epochs``); the LMS rule
settles on the least-squares weights, which misclassify XOR too. A hidden layer fixes it: a
2-2-1 network computes XOR (see examples/xor_perceptron_vs_mlp.py).

>>> import netgrad as ng
>>> X = [[0, 0], [0, 1], [1, 0], [1, 1]]
>>> p = ng.nn.Perceptron(2).fit(X, [0, 0, 0, 1])          # AND is linearly separable
>>> p.converged_, p.predict(X).tolist()
(True, [0, 0, 0, 1])
>>> p.weight.tolist()                                      # [w_0 (bias, x_0 = 1), w_1, w_2]
[-3.0, 2.0, 1.0]
>>> ng.nn.Perceptron(2).fit(X, [0, 1, 1, 0], epochs=100).converged_   # XOR is not
False
>>> q = ng.nn.Perceptron(2, rule="lms", lr=0.05).fit(X, [-1, -1, -1, 1])   # bipolar AND by LMS
>>> q.predict(X).tolist(), q.converged_
([-1, -1, -1, 1], True)
"""

from __future__ import annotations

import warnings
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
    """A threshold neuron with weights ``weight = [w_0, w_1, ..., w_n]`` on ``[x_0 = 1, x_1, ..., x_n]``.

    ``lr`` is eta (default 1 for Rosenblatt's rule, 0.01 for LMS, which diverges when eta is too
    large); ``rule``: 'rosenblatt' or 'lms'; ``init``: 'zeros' (the classic start) or 'random'
    (small normal weights from netgrad's seeded generator); ``tol``: LMS stops once an epoch moves
    no weight by more than this. Targets are {0, 1} or {-1, +1}: ``bipolar`` (None: decided by the
    targets ``fit`` sees; before any fit, {0, 1}) chooses the outputs step(net) in {0, 1} or
    sgn(net) in {-1, +1}.
    """

    def __init__(self, in_features: int, lr: float | None = None, init: str = "zeros",
                 rule: str = "rosenblatt", bipolar: bool | None = None, tol: float = 1e-4,
                 dtype: Any = None) -> None:
        super().__init__()
        if int(in_features) < 1:
            raise ValueError(f"Perceptron: in_features must be >= 1, got {in_features}")
        if rule not in ("rosenblatt", "lms"):
            raise ValueError(f"Perceptron: rule must be 'rosenblatt' or 'lms' (Widrow-Hoff), got {rule!r}")
        lr = (1.0 if rule == "rosenblatt" else 0.01) if lr is None else lr
        if not lr > 0:
            raise ValueError(f"Perceptron: lr (eta) must be positive, got {lr}")
        if init not in ("zeros", "random"):
            raise ValueError(f"Perceptron: init must be 'zeros' or 'random', got {init!r}")
        self.in_features = int(in_features)
        self.lr = float(lr)
        self.rule = rule
        self.bipolar = bipolar
        self.tol = float(tol)
        d = as_dtype(dtype) if dtype is not None else get_default_dtype()
        w = np.zeros(self.in_features + 1, dtype=d)
        if init == "random":
            w[...] = _rng(None).normal(0.0, 0.01, w.shape)
        self.weight = Parameter(Tensor._make(w), requires_grad=False)
        self.history_: list[int] = []
        self.loss_: list[float] = []
        self.converged_ = False
        self.diverged_ = False
        self.n_epochs_ = 0

    @property
    def bias(self) -> float:
        """w_0, the weight on the constant input x_0 = 1."""
        return float(self.weight._data[0])

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, lr={self.lr}, rule={self.rule!r}"

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

    def _out(self, net: np.ndarray) -> np.ndarray:
        """step(net) (1 at net >= 0, else 0), or sgn(net) (+1 at net >= 0, else -1) when bipolar."""
        up = net >= 0
        return np.where(up, 1, -1) if self.bipolar else up.astype(np.int64)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        """y_hat = step(net) in {0, 1} (or sgn(net) in {-1, +1}), one value per example."""
        out = self._out(self.net(input)).astype(self.weight._data.dtype)
        a = np.asarray(input._data if isinstance(input, Tensor) else input)
        return Tensor._make(out[0] if a.ndim == 1 else out)

    def predict(self, X: Any) -> np.ndarray:
        """Labels as an int array: 0/1, or -1/+1 when bipolar."""
        return self._out(self.net(X)).astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        """The fraction of examples classified correctly."""
        t = self._targets(y, len(self.augment(X)), fitting=False)
        return float(np.mean(self.predict(X) == t))

    # --------------------------------------------------------------- learning
    def update(self, x: Any, y: float) -> bool:
        """One step of the rule on one example; True if the example was misclassified before it."""
        t = float(self._targets([y], 1, fitting=self.bipolar is None)[0])
        return self._rule(self.augment(x)[0], t, self.weight._data)

    def _rule(self, xa: np.ndarray, y: float, w: np.ndarray) -> bool:
        """One update in place on the weight's array; True when x was misclassified."""
        net = float(xa @ w)
        y_hat = 1.0 if net >= 0 else (-1.0 if self.bipolar else 0.0)
        if self.rule == "lms":  # fit net to the bipolar target: a 0 counts as -1
            w += self.lr * ((y if self.bipolar else 2.0 * y - 1.0) - net) * xa
        elif y != y_hat:
            w += self.lr * (y - y_hat) * xa
        return y != y_hat

    def fit(self, X: Any, y: Any, epochs: int = 1000, shuffle: bool = False, seed: int | None = None
            ) -> Perceptron:
        """Sweep the examples with the rule, ``epochs`` times at most.

        Rosenblatt's rule stops at the first epoch without a mistake; LMS once an epoch moves no
        weight by more than ``tol`` (or when the weights blow up: ``diverged_``, eta too large).
        Sets ``converged_``, ``n_epochs_``, ``history_`` (mistakes in each epoch, counted before
        each update) and ``loss_`` (1/2 mean (y - net)^2 after each epoch, bipolar targets for LMS).
        Continues from the current weights.
        """
        Xa = self.augment(X)
        t = self._targets(y, len(Xa), fitting=True)
        order = np.arange(len(Xa))
        gen = np.random.default_rng(seed)
        self.history_, self.loss_, self.converged_, self.diverged_ = [], [], False, False
        w = self.weight._data
        tb = t if self.bipolar or self.rule == "rosenblatt" else 2.0 * t - 1.0
        for _epoch in range(int(epochs)):
            if shuffle:
                gen.shuffle(order)
            before = w.copy()
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
                mistakes = sum(self._rule(Xa[i], t[i], w) for i in order)
                self.loss_.append(float(0.5 * np.mean((tb - Xa @ w) ** 2)))
            self.history_.append(int(mistakes))
            if not np.all(np.isfinite(w)):
                self.diverged_ = True
                warnings.warn(f"Perceptron: the LMS rule diverged (weights not finite) in epoch "
                              f"{len(self.history_)}; use a smaller lr (eta), now {self.lr}", UserWarning,
                              stacklevel=2)
                break
            done = mistakes == 0 if self.rule == "rosenblatt" else np.max(np.abs(w - before)) <= self.tol
            if done:
                self.converged_ = True
                break
        self.n_epochs_ = len(self.history_)
        return self

    def _targets(self, y: Any, n: int, fitting: bool) -> np.ndarray:
        """The targets as floats; while fitting with ``bipolar=None``, they decide the outputs."""
        t = np.asarray(y._data if isinstance(y, Tensor) else y, dtype=np.float64).reshape(-1)
        if t.shape[0] != n:
            raise ShapeError(f"Perceptron: {n} examples but {t.shape[0]} targets")
        unipolar, bip = np.all((t == 0) | (t == 1)), np.all((t == -1) | (t == 1))
        if not (unipolar or bip):
            raise ValueError("Perceptron: targets must be 0 or 1, or -1 or +1 (bipolar)")
        if fitting and self.bipolar is None and not (unipolar and bip):  # all ones decide nothing
            self.bipolar = bool(bip)
        if self.bipolar and not bip:
            raise ValueError("Perceptron: this perceptron is bipolar (outputs -1 or +1); targets must "
                             "be -1 or +1")
        if not self.bipolar and not unipolar:
            raise ValueError("Perceptron: this perceptron outputs 0 or 1; targets must be 0 or 1 "
                             "(give bipolar=True, or fit it on -1/+1 targets, for the sign unit)")
        return t
