"""``Perceptron``: Rosenblatt's perceptron as a scikit-learn estimator (fit / predict / score).

The model is :class:`netgrad.nn.Perceptron` (step activation, bias as the weight w_0 on an input
fixed at 1, the rule w <- w + eta (y - y_hat) x, stop at the first epoch with no mistake). Any two
class labels work; ``classes_[1]`` is the positive class.

>>> from netgrad.estimators import Perceptron
>>> clf = Perceptron().fit([[0, 0], [0, 1], [1, 0], [1, 1]], ["no", "yes", "yes", "yes"])  # OR
>>> clf.predict([[0, 0], [1, 1]]).tolist(), clf.converged_, clf.score([[0, 1]], ["yes"])
(['no', 'yes'], True, 1.0)
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._compat import validate_data

__all__ = ["Perceptron"]


class Perceptron(ClassifierMixin, BaseEstimator):
    """Binary perceptron. ``eta0``: eta; ``max_iter``: epochs at most; ``shuffle`` the examples
    each epoch (seeded by ``random_state``). Fitted: ``coef_`` (1, n_features), ``intercept_``
    (w_0), ``n_iter_`` (epochs run), ``converged_``, ``mistakes_`` (per epoch), ``classes_``."""

    _parameter_constraints: dict = {
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, eta0: float = 1.0, max_iter: int = 1000, shuffle: bool = False, random_state=None):
        self.eta0 = eta0
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state

    def fit(self, X, y):
        import warnings

        import netgrad as ng

        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        y = column_or_1d(y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"Perceptron: needs exactly two classes, got {len(self.classes_)}")
        t = (y == self.classes_[1]).astype(np.float64)
        seed = int(check_random_state(self.random_state).randint(2 ** 31))
        self.model_ = ng.nn.Perceptron(X.shape[1], lr=self.eta0, dtype=ng.float64)
        self.model_.fit(X, t, epochs=self.max_iter, shuffle=self.shuffle, seed=seed)
        w = self.model_.weight.numpy()
        self.intercept_ = np.array([w[0]])
        self.coef_ = w[1:].reshape(1, -1).copy()
        self.n_iter_ = self.model_.n_epochs_
        self.converged_ = self.model_.converged_
        self.mistakes_ = list(self.model_.history_)
        if not self.converged_:
            warnings.warn(f"Perceptron: still {self.mistakes_[-1]} mistake(s) after {self.n_iter_} "
                          "epochs; the classes may not be linearly separable", ConvergenceWarning)
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
