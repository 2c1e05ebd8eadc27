"""What MLPClassifier and MLPRegressor share: parameters, validation, fitted attributes, prediction.

Training follows scikit-learn's MLP so that the parameters mean what they mean there: the
stochastic solvers ('sgd', 'adam') are in ``_sgd.py`` (each epoch a ``netgrad.train.run_epoch``),
'lbfgs' in ``_lbfgs.py``. It runs on netgrad: the network is a ``netgrad.nn`` module, gradients
come from autograd and the steps from ``netgrad.optim``.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted

import netgrad as ng
from netgrad.autograd.random import use_generator

from . import _lbfgs, network, _weights
from ._sgd import StochasticSolver
from ._compat import validate_data


class BaseMLP(StochasticSolver, BaseEstimator):
    """Base class; use :class:`MLPClassifier` or :class:`MLPRegressor`."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(network.ACTIVATIONS))],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto", "full"}), Interval(Integral, 1, None, closed="left"), None],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "loss": [str],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "grad_tol": [Interval(Real, 0, None, closed="left"), None],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

    # -- subclass hooks ---------------------------------------------------------------------
    _task = ""

    def _validate_input(self, X, y, incremental: bool, reset: bool):  # pragma: no cover
        """-> (X float, Y 2-D target matrix); sets the output head on a first pass."""
        raise NotImplementedError

    def _score_val(self, X, y) -> float:  # pragma: no cover
        raise NotImplementedError

    # -- fitted attributes, read from the network -----------------------------------------------
    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices as scikit-learn has them: ``coefs_[i]`` is (fan_in, fan_out)."""
        check_is_fitted(self, "_model")
        dt = getattr(self, "_coef_dtype", np.float32)  # scikit-learn's: the (validated) input's dtype
        return [layer.weight.detach().numpy().T.astype(dt) for layer in network.linear_layers(self._model)]

    @coefs_.setter
    def coefs_(self, values) -> None:
        self._set_params("weight", [np.asarray(v).T for v in values])

    @property
    def intercepts_(self) -> list[np.ndarray]:
        check_is_fitted(self, "_model")
        dt = getattr(self, "_coef_dtype", np.float32)
        return [layer.bias.detach().numpy().astype(dt) for layer in network.linear_layers(self._model)]

    @intercepts_.setter
    def intercepts_(self, values) -> None:
        self._set_params("bias", [np.asarray(v) for v in values])

    def _set_params(self, attr: str, values: list[np.ndarray]) -> None:
        check_is_fitted(self, "_model")
        layers = network.linear_layers(self._model)
        if len(values) != len(layers):
            raise ValueError(f"expected {len(layers)} arrays, got {len(values)}")
        with ng.no_grad():
            for layer, v in zip(layers, values):
                p = getattr(layer, attr)
                if tuple(v.shape) != tuple(p.shape):
                    raise ValueError(f"{attr} of shape {tuple(p.shape)} cannot take shape {v.shape}")
                p.copy_(ng.tensor(np.ascontiguousarray(v, dtype=p.detach().numpy().dtype)))

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "_model")

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` (n_samples, n_features) and targets ``y``; ``sample_weight``
        (n_samples,) weighs each sample's loss (see ``_weights``)."""
        self._validate_params()
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    def _hidden_sizes(self) -> list[int]:
        h = self.hidden_layer_sizes
        sizes = list(h) if hasattr(h, "__iter__") else [h]
        if any(int(s) <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _fit(self, X, y, incremental: bool, sample_weight=None):
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "_model") or (not self.warm_start and not incremental)
        if incremental and self.solver == "lbfgs":
            raise AttributeError("partial_fit is only available for stochastic optimizers. lbfgs is not "
                                 "stochastic.")
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        sw = _weights.check_sample_weight(sample_weight, X)
        if first_pass:  # coefficient dtypes as scikit-learn's; sgd/adam train in float32, lbfgs in float64
            lbfgs = self.solver == "lbfgs"
            self._coef_dtype = np.dtype(np.float64 if lbfgs else X.dtype)
            self._net_dtype = np.dtype(np.float64 if lbfgs else np.float32)
        X = _dense(X, getattr(self, "_net_dtype", np.float32))
        self._random_state = check_random_state(self.random_state)
        obj = network.objective(self.loss, self._task)
        if first_pass:
            self._initialize(X.shape[1], hidden, Y.shape[1])
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs, the network was fitted with {self.n_outputs_}")
        loss_fn = network.make_loss(obj, self.out_activation_)
        T = _targets(Y, network.target_format(obj, self.out_activation_), X.dtype)
        weighted = None if sw is None else _weights.make_weighted_loss(obj, self.out_activation_)
        if self.solver == "lbfgs":
            _lbfgs.fit_lbfgs(self, X, T, loss_fn, weighted, sw)
        else:
            self._fit_stochastic(X, Y, T, loss_fn, incremental, sw, weighted)
        if not all(np.isfinite(p.detach().numpy()).all() for p in self._model.parameters()):
            raise ValueError("Solver produced non-finite parameter weights. The input data may contain "
                             "large values and need to be preprocessed.")
        return self

    def _initialize(self, n_features: int, hidden: list[int], n_outputs: int) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(hidden) + 2
        self._model = self._build(n_features, hidden, n_outputs)
        network.glorot_init_(self._model, self.activation, self._random_state)
        # Dropout masks come from the estimator's own stream (seeded from random_state), made the
        # current generator of the fitting thread only (use_generator). Drawn only with dropout, so that
        # without it the random_state stream is scikit-learn's.
        self._dropout_rng = None
        if self.dropout:
            seed = int(self._random_state.randint(np.iinfo(np.int32).max))
            self._dropout_rng = ng.Generator(seed).get_state()
        self.loss_curve_ = []
        self.grad_norm_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self.stop_reason_ = None
        self._best_state = None

    def _build(self, n_features: int, hidden: list[int], n_outputs: int):
        """The network; its default initialisation (overwritten next) draws from a throwaway
        generator, not the user's global one."""
        with use_generator(ng.Generator(0)):
            model = network.build_mlp(n_features, hidden, n_outputs, self.activation, self.dropout)
            return model.double() if getattr(self, "_net_dtype", None) == np.float64 else model

    def _state(self) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in self._model.parameters()]

    def _load_state(self, state: list[np.ndarray]) -> None:
        with ng.no_grad():
            for p, v in zip(self._model.parameters(), state):
                p.copy_(ng.tensor(v))

    # -- prediction ---------------------------------------------------------------------------
    def _scores(self, X, check_input: bool = True) -> np.ndarray:
        """The network's output scores, computed in float64 so results do not depend on how the
        rows are batched (predicting one row or all rows gives the same numbers)."""
        check_is_fitted(self)
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False,
                              dtype=(np.float64, np.float32))
        X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
        model = self._model
        was_training = model.training
        model.eval()
        try:
            with ng.no_grad():
                h = ng.tensor(X)
                for layer in model:
                    h = _forward64(layer, h)
        finally:
            model.train(was_training)
        return h.numpy()

    def _decode(self, Y: np.ndarray):
        return Y

    # -- pickling: the module is stored as arrays, not as live tensors --------------------------
    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__.copy()
        state = dict(state)
        if "_model" in state:
            state["_model"] = [p.detach().numpy().copy() for p in self._model.parameters()]
            state.pop("_optimizer", None)
        return state

    def __setstate__(self, state):
        arrays = state.get("_model")
        super().__setstate__(state) if hasattr(super(), "__setstate__") else self.__dict__.update(state)
        if isinstance(arrays, list):
            self._model = self._build(self.n_features_in_, self._hidden_sizes(), self.n_outputs_)
            self._load_state(arrays)
            self._model.eval()


def _forward64(layer, h):
    """One layer in float64 (Linear uses float64 copies of its float32 parameters)."""
    import netgrad.nn as nn
    import netgrad.nn.functional as F

    if isinstance(layer, nn.Linear):
        w = ng.tensor(layer.weight.detach().numpy().astype(np.float64))
        b = ng.tensor(layer.bias.detach().numpy().astype(np.float64))
        return F.linear(h, w, b)
    return layer(h)


def _dense(X, dtype) -> np.ndarray:
    if hasattr(X, "toarray"):
        X = X.toarray()
    return np.ascontiguousarray(X, dtype=dtype)


def _targets(Y: np.ndarray, fmt: str, dtype=np.float32) -> np.ndarray:
    if fmt == "index":
        return np.ascontiguousarray(Y.argmax(axis=1), dtype=np.int64)
    return np.ascontiguousarray(Y, dtype=dtype)
