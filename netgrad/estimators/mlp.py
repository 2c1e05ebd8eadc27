"""``MLPClassifier`` and ``MLPRegressor``: scikit-learn's multilayer perceptrons, trained by netgrad.

>>> import numpy as np
>>> from netgrad.estimators import MLPClassifier
>>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]] * 8)
>>> y = np.array([0, 1, 1, 0] * 8)                    # XOR
>>> clf = MLPClassifier((8,), activation="tanh", solver="adam", learning_rate_init=0.05,
...                     max_iter=300, random_state=0).fit(X, y)
>>> clf.predict([[0, 1], [1, 1]]).tolist(), clf.score(X, y)
([1, 0], 1.0)
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d

from . import network
from ._compat import validate_data
from .base import BaseMLP

_COMMON_DOC = """
    Parameters follow scikit-learn's ``MLP*`` (see its documentation) with these differences:

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', 'gelu',
        'softplus', 'silu'}, default='relu'
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        'lbfgs' is full-batch L-BFGS with a strong-Wolfe line search (``netgrad.optim.LBFGS``),
        run in float64; ``max_fun`` bounds its loss evaluations.
    sample_weight (in ``fit`` and ``partial_fit``): each batch's loss is the weighted mean of the
        sample losses, the L2 term divided by the batch's total weight, as scikit-learn.
    batch_size : 'auto' (min(200, n)), int, or 'full' / None for batch gradient descent
    loss : str
        Any of the notes' objectives: %(losses)s.
    dropout : float, default=0
        Dropout probability after each hidden activation (while training).
    grad_tol : float or None, default=None
        Stop when the norm of the epoch's mean gradient falls below it (``stop_reason_`` is
        'grad_tol'); ``grad_norm_curve_`` records that norm per epoch when it is set.

    Fitted attributes: ``coefs_`` (list of (fan_in, fan_out) arrays, in the input's dtype as
    scikit-learn's: float64 unless X is float32), ``intercepts_``,
    ``loss_curve_``, ``validation_scores_``, ``best_loss_``, ``best_validation_score_``,
    ``n_iter_``, ``t_``, ``n_features_in_``, ``n_outputs_``, ``out_activation_``, and
    ``stop_reason_``: 'max_iter', 'tol', 'early_stopping', 'grad_tol', 'partial_fit',
    'interrupted' or (lbfgs) 'max_fun'.
"""


def _stochastic_solver(self) -> bool:
    """partial_fit exists for 'sgd' and 'adam' only (scikit-learn's rule)."""
    if self.solver == "lbfgs":
        raise AttributeError("partial_fit is only available for stochastic optimizers. lbfgs is not "
                             "stochastic.")
    return True


class MLPClassifier(ClassifierMixin, BaseMLP):
    _task = network.CLASSIFICATION

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001,
                 batch_size="auto", learning_rate="constant", learning_rate_init=0.001, power_t=0.5,
                 max_iter=200, shuffle=True, random_state=None, tol=1e-4, verbose=False,
                 warm_start=False, momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 loss="cross_entropy", dropout=0.0, grad_tol=None, max_fun=15000):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.loss = loss
        self.dropout = dropout
        self.grad_tol = grad_tol
        self.max_fun = max_fun

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same classes as in "
                                     f"the previous call to fit. Previously got {self.classes_}, `y` has "
                                     f"{classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{self.classes_}. 'y' has {classes}.")
        Y = self._label_binarizer.transform(y).astype(np.float32)
        if reset or not hasattr(self, "out_activation_"):
            multiclass = self._label_binarizer.y_type_ == "multiclass"
            obj = network.objective(self.loss, self._task)
            multilabel = self._label_binarizer.y_type_.startswith("multilabel")
            if obj.softmax_only and multilabel:
                raise ValueError(f"loss {self.loss!r} needs one class per sample; use 'cross_entropy' "
                                 "for multilabel targets")
            self._two_column = obj.softmax_only and not multiclass
            self.out_activation_ = "softmax" if (multiclass or self._two_column) else "logistic"
        if self._two_column:  # a binary problem under a softmax-only loss: one output per class
            Y = np.hstack([1.0 - Y, Y]).astype(np.float32)
        return X, Y

    def _decode(self, Y):
        Y = Y[:, 1:] if self._two_column else Y
        return self._label_binarizer.inverse_transform(Y)

    def _score_val(self, X, y, sample_weight=None) -> float:
        scores = self._scores(X, check_input=False)
        if not np.isfinite(scores).all():
            return np.nan
        return accuracy_score(y, self._labels(scores), sample_weight=sample_weight)

    def _proba(self, scores):
        P = network.probabilities(scores, self.out_activation_)
        return P[:, 1:] if self._two_column else P

    def _labels(self, scores):
        P = self._proba(scores)
        return self._label_binarizer.inverse_transform(P.ravel() if P.shape[1] == 1 else P)

    def predict(self, X):
        """Predicted class labels (n_samples,), or a label indicator matrix for multilabel fits."""
        check_is_fitted(self)
        return self._labels(self._scores(X))

    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``."""
        check_is_fitted(self)
        P = self._proba(self._scores(X))
        if P.shape[1] == 1:
            return np.hstack([1.0 - P, P])
        return P

    def predict_log_proba(self, X):
        P = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(P)

    @available_if(_stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``X, y``; ``classes`` (all labels) is required on the first call."""
        if _check_partial_fit_first_call(self, classes):
            self._validate_params()
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    _task = network.REGRESSION

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True, random_state=None,
                 tol=1e-4, verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, dropout=0.0, grad_tol=None, max_fun=15000):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dropout = dropout
        self.grad_tol = grad_tol
        self.max_fun = max_fun

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self.out_activation_ = "identity"
        Y = np.asarray(y, dtype=np.float32)
        return X, (Y.reshape(-1, 1) if Y.ndim == 1 else Y)

    def _score_val(self, X, y, sample_weight=None) -> float:
        pred = self._predict(X, check_input=False)
        if not np.isfinite(pred).all():
            return np.nan
        return r2_score(y, pred, sample_weight=sample_weight)

    def _predict(self, X, check_input=True):
        pred = self._scores(X, check_input=check_input)
        return pred.ravel() if pred.shape[1] == 1 else pred

    def predict(self, X):
        """Predicted values (n_samples,) or (n_samples, n_outputs)."""
        check_is_fitted(self)
        return self._predict(X)

    @available_if(_stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X, y`` (the network is created on the first call)."""
        if not hasattr(self, "_model"):
            self._validate_params()
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_losses = {t: ", ".join(repr(n) for n in network.loss_names(t)) for t in (network.CLASSIFICATION,
                                                                           network.REGRESSION)}
MLPClassifier.__doc__ = ("Multilayer perceptron classifier (softmax output; logistic for binary and "
                         "multilabel targets), trained by netgrad.\n"
                         + _COMMON_DOC % {"losses": _losses[network.CLASSIFICATION]})
MLPRegressor.__doc__ = ("Multilayer perceptron regressor (identity output), trained by netgrad. "
                        "'squared_error' is half the mean squared error, as in scikit-learn.\n"
                        + _COMMON_DOC % {"losses": _losses[network.REGRESSION]})
