"""``solver='sgd'`` and ``solver='adam'`` for the MLP estimators: scikit-learn's ``_fit_stochastic``
on netgrad, each epoch one ``netgrad.train.run_epoch`` (the loop ``fit`` and the command line use).

The parameters mean what they mean in scikit-learn: the loss of an epoch is the mean of its batch
losses (each with the L2 term ``alpha / 2 n_batch * sum ||W||^2``), training stops when that loss
has not improved by ``tol`` for ``n_iter_no_change`` epochs (or the validation score, with
``early_stopping``), and 'adaptive' divides the step by 5 instead of stopping until it is below
1e-6. Shuffling and batches are scikit-learn's (``random_state``, ``gen_batches``), so a fit sees
the batches scikit-learn's would.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import gen_batches, shuffle

import netgrad as ng
from netgrad.autograd.random import use_generator
from netgrad.train import Step, run_epoch

from . import network

_MIN_ADAPTIVE_LR = 1e-6


class StochasticSolver:
    """The stochastic solvers' methods of ``BaseMLP`` (a mixin: it reads the estimator's
    parameters and fitted state)."""

    def _make_optimizer(self, params):
        import netgrad.optim as optim

        if self.solver == "sgd":
            return optim.SGD(params, lr=self.learning_rate_init, momentum=self.momentum,
                             nesterov=bool(self.nesterovs_momentum and self.momentum > 0))
        return optim.Adam(params, lr=self.learning_rate_init, betas=(self.beta_1, self.beta_2),
                          eps=self.epsilon)

    def _batch_size(self, n: int) -> int:
        if self.batch_size == "auto":
            return min(200, n)
        if self.batch_size in (None, "full"):
            return n
        if self.batch_size > n:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to "
                          "be clipped")
        return int(np.clip(self.batch_size, 1, n))

    def _fit_stochastic(self, X, Y, T, loss_fn, incremental: bool, sw=None, weighted=None) -> None:
        """Epochs of ``netgrad.train.run_epoch`` over shuffled mini-batches until a stopping rule fires."""
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer(list(self._model.parameters()))
            self._lr = float(self.learning_rate_init)
        self.n_iter_ = 0
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        idx_train, val = self._split_validation(X, Y, sw)
        batch_loss = self._batch_loss(loss_fn, weighted, X.dtype)
        stop = None
        self._model.train()
        # This fit's own generator for the dropout masks, current in this thread only (not a swap
        # of the global state: fits in other threads do not see each other's draws).
        own_rng = ng.Generator()
        if getattr(self, "_dropout_rng", None) is not None:
            own_rng.set_state(self._dropout_rng)
        try:
            with use_generator(own_rng):
                stop = self._run_epochs(X, T, sw, idx_train, batch_loss, val, incremental)
        except KeyboardInterrupt:
            stop = "interrupted"
            warnings.warn("Training interrupted by user.")
        finally:
            self._model.eval()
            if getattr(self, "_dropout_rng", None) is not None:
                self._dropout_rng = own_rng.get_state()
        self.stop_reason_ = stop
        if self.early_stopping and self._best_state is not None:
            self._load_state(self._best_state)

    def _split_validation(self, X, Y, sw) -> tuple[np.ndarray, tuple]:
        """The training rows, and ``(X_val, y_val, sw_val)`` held out with ``early_stopping``."""
        idx_train = np.arange(X.shape[0])
        if not self.early_stopping:
            return idx_train, (None, None, None)
        stratify = Y if (self._task == network.CLASSIFICATION and Y.shape[1] == 1) else None
        idx_train, idx_val = train_test_split(idx_train, random_state=self._random_state,
                                              test_size=self.validation_fraction, stratify=stratify)
        if idx_val.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' or "
                             "the size of your dataset.")
        return idx_train, (X[idx_val], self._decode(Y[idx_val]), None if sw is None else sw[idx_val])

    def _batch_loss(self, loss_fn, weighted, dtype):
        """``run_epoch``'s forward pass for a batch ``(x, t, w)``: the (weighted) loss plus the L2
        term ``alpha / (2 n_batch)`` (n_batch: the batch's size or total weight); a batch of zero
        total weight carries no information: no step."""
        weights = [layer.weight for layer in network.linear_layers(self._model)]
        alpha = self.alpha

        def batch_loss(model, batch) -> Step:
            x, t, w = batch
            nb = len(x)
            out = model(x)
            if w is None:
                loss, denom = loss_fn(out, t), nb
            else:
                denom = float(w.sum())
                if denom <= 0:
                    return Step(None, nb)
                loss = weighted(out, t, ng.tensor(w.astype(dtype)))
            if alpha:
                loss = loss + (0.5 * alpha / denom) * sum((v * v).sum() for v in weights)
            return Step(loss, nb)

        return batch_loss

    def _run_epochs(self, X, T, sw, idx, batch_loss, val, incremental: bool) -> str:
        """Up to ``max_iter`` epochs (one for ``partial_fit``); the reason they stopped."""
        batch_size = self._batch_size(idx.shape[0])
        for _ in range(self.max_iter):
            if self.shuffle:
                idx = shuffle(idx, random_state=self._random_state)
            stats = run_epoch(self._model, _batches(X, T, sw, idx, batch_size), None, self._optimizer,
                              epoch=self.n_iter_ + 1, track_grad=self.grad_tol is not None,
                              check_finite=False, batch_loss=batch_loss)
            self._record_epoch(stats, idx.shape[0], val)
            stop = self._stop_rule(incremental)
            if stop is not None:
                return stop
        if not incremental:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                          "and the optimization hasn't converged yet.", ConvergenceWarning)
        return "max_iter"

    def _record_epoch(self, stats, n: int, val) -> None:
        """The epoch's loss (and gradient norm), the no-improvement count, the step size."""
        self.n_iter_ += 1
        self.t_ += n
        self.loss_ = stats.loss
        self.loss_curve_.append(self.loss_)
        if stats.grad_sum is not None:
            self.grad_norm_curve_.append(stats.grad_norm)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
        self._update_no_improvement_count(*val)
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            self._set_lr(float(self.learning_rate_init) / (self.t_ + 1) ** self.power_t)

    def _stop_rule(self, incremental: bool) -> str | None:
        """'grad_tol', 'tol' / 'early_stopping' (no improvement; 'adaptive' cuts the step instead
        while it can), 'partial_fit' after one epoch, or None to go on."""
        if self.grad_tol is not None and self.grad_norm_curve_[-1] < self.grad_tol:
            if self.verbose:
                print(f"Gradient norm {self.grad_norm_curve_[-1]:.3g} below grad_tol. Stopping.")
            return "grad_tol"
        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if self.early_stopping else "Training loss"
            msg = (f"{what} did not improve more than tol={self.tol:f} for "
                   f"{self.n_iter_no_change} consecutive epochs.")
            if self.solver == "sgd" and self.learning_rate == "adaptive" and self._lr > _MIN_ADAPTIVE_LR:
                self._set_lr(self._lr / 5.0)
                self._no_improvement_count = 0
                if self.verbose:
                    print(f"{msg} Setting learning rate to {self._lr:f}")
                return None
            if self.verbose:
                print(f"{msg} Stopping.")
            return "early_stopping" if self.early_stopping else "tol"
        return "partial_fit" if incremental else None

    def _set_lr(self, lr: float) -> None:
        """Change the SGD step as scikit-learn does. Its momentum keeps the velocity v (already
        scaled by the old step: v <- mu v - lr g); netgrad's SGD keeps b (v = -lr b), so b is
        rescaled by old/new to carry the same velocity into the next step."""
        old, self._lr = self._lr, lr
        for group in self._optimizer.param_groups:
            group["lr"] = lr
            for p in group["params"]:
                buf = self._optimizer.state.get(p, {}).get("momentum_buffer")
                if buf is not None and lr > 0:
                    with ng.no_grad():
                        buf.mul_(old / lr)

    def _update_no_improvement_count(self, X_val, y_val, sw_val=None) -> None:
        if self.early_stopping:
            score = self._score_val(X_val, y_val, sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_state = self._state()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])


def _batches(X: np.ndarray, T: np.ndarray, sw: np.ndarray | None, idx: np.ndarray, batch_size: int):
    """The epoch's mini-batches ``(x, t, w)`` over the rows ``idx`` in order (scikit-learn's
    ``gen_batches``); ``w`` the rows' sample weights (float64) or None."""
    for s in gen_batches(idx.shape[0], batch_size):
        bi = idx[s]
        yield ng.tensor(X[bi]), ng.tensor(T[bi]), None if sw is None else sw[bi]
