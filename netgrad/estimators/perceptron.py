"""``Perceptron``: the perceptron as a scikit-learn estimator (fit / predict / score).

The model is :class:`netgrad.nn.Perceptron` (threshold unit, bias as the weight w_0 on an input
fixed at 1) trained by Rosenblatt's rule w <- w + eta (y - y_hat) x (``rule="rosenblatt"``, stop at
the first epoch with no mistake) or the LMS / Widrow-Hoff rule w <- w + eta (y - net) x
(``rule="lms"``, squared error of net against +-1 targets; stop when the weights settle). Any two
class labels work (``classes_[1]`` is the positive class, coded +1; {0, 1} and {-1, +1} labels
come back as given); with more, one perceptron per class (one-vs-rest) and the largest net input
wins.

>>> from netgrad.estimators import Perceptron
>>> clf = Perceptron().fit([[0, 0], [0, 1], [1, 0], [1, 1]], ["no", "yes", "yes", "yes"])  # OR
>>> clf.predict([[0, 0], [1, 1]]).tolist(), clf.converged_, clf.score([[0, 1]], ["yes"])
(['no', 'yes'], True, 1.0)
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._compat import validate_data

__all__ = ["Perceptron"]


class Perceptron(ClassifierMixin, BaseEstimator):
    """Perceptron classifier (two classes; more by one-vs-rest, as scikit-learn's). ``eta0``: eta
    (None: 1 for Rosenblatt's rule, 0.01 for LMS); ``rule``: 'rosenblatt' or 'lms'; ``tol``: LMS
    stops once an epoch moves no weight by more than this; ``max_iter``: epochs at most; ``shuffle``
    the examples each epoch (seeded by ``random_state``).
    Fitted: ``coef_`` (1 or n_classes, n_features), ``intercept_`` (the w_0), ``n_iter_`` (epochs
    run), ``converged_``, ``mistakes_`` (per epoch), ``classes_``, ``models_`` (nn.Perceptron)."""

    _parameter_constraints: dict = {
        "eta0": [Interval(Real, 0, None, closed="neither"), None],
        "rule": [StrOptions({"rosenblatt", "lms"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, eta0: float | None = None, max_iter: int = 1000, shuffle: bool = False,
                 random_state: Any = None, rule: str = "rosenblatt", tol: float = 1e-4) -> None:
        self.eta0 = eta0
        self.rule = rule
        self.tol = tol
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> Perceptron:
        """Train one perceptron (or one per class) by the perceptron rule; warns if not converged."""
        import netgrad as ng

        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        y = column_or_1d(y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"Perceptron: needs at least two classes, got 1 class ({self.classes_[0]!r})")
        seed = int(check_random_state(self.random_state).randint(2 ** 31))
        # two classes: one perceptron for classes_[1]; more: one per class (one-vs-rest)
        targets = [self.classes_[1]] if len(self.classes_) == 2 else list(self.classes_)
        self.models_ = []
        for k, c in enumerate(targets):
            m = ng.nn.Perceptron(X.shape[1], lr=self.eta0, rule=self.rule, bipolar=True, tol=self.tol,
                                 dtype=ng.float64)
            m.fit(X, np.where(y == c, 1.0, -1.0), epochs=self.max_iter, shuffle=self.shuffle, seed=seed + k)
            self.models_.append(m)
        W = np.stack([m.weight.numpy() for m in self.models_])
        self.intercept_ = W[:, 0].copy()
        self.coef_ = W[:, 1:].copy()
        self.n_iter_ = max(m.n_epochs_ for m in self.models_)
        self.converged_ = all(m.converged_ for m in self.models_)
        self.mistakes_ = [list(m.history_) for m in self.models_]
        if len(self.models_) == 1:
            self.mistakes_ = self.mistakes_[0]
        if not self.converged_ and self.rule == "rosenblatt":
            warnings.warn(f"Perceptron: still making mistakes after {self.n_iter_} epochs; the classes "
                          "may not be linearly separable", ConvergenceWarning)
        elif not self.converged_:
            warnings.warn(f"Perceptron: the LMS rule's weights still move after {self.n_iter_} epochs "
                          "(or diverged); try a smaller eta0 or more max_iter", ConvergenceWarning)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """net = w_0 + w . x per example (per class with more than two)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """The positive class where net >= 0 (two classes), else the one with the largest net input."""
        s = self.decision_function(X)
        return self.classes_[(s >= 0).astype(int) if s.ndim == 1 else s.argmax(axis=1)]
