"""``solver='lbfgs'`` for the MLP estimators: full-batch L-BFGS on netgrad (``netgrad.optim.LBFGS``
with its strong-Wolfe line search), in place of scikit-learn's SciPy L-BFGS-B.

The objective is scikit-learn's: the (weighted) mean loss over all samples plus
alpha / (2 n) sum ||W||^2 (n the total sample weight). As there, ``max_iter`` bounds the
iterations, ``max_fun`` the loss evaluations, and ``tol`` is the gradient tolerance
(max |dJ/dw| <= tol ends the fit); 10 curvature pairs are kept (SciPy's default). The network runs
in float64, as SciPy's optimiser does, so the coefficients are float64 (scikit-learn's dtype for
lbfgs, whatever the input's).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import netgrad as ng

from . import network

_HISTORY = 10  # SciPy's L-BFGS-B default (maxcor)


def fit_lbfgs(est, X: np.ndarray, T: np.ndarray, loss_fn, weighted_loss, sw: np.ndarray | None) -> None:
    """Fit ``est._model`` to all of (X, T); sets ``n_iter_``, ``loss_``, ``loss_curve_``, ``stop_reason_``."""
    from netgrad.optim import LBFGS

    if est.dropout:
        raise ValueError("solver='lbfgs' needs a deterministic objective: use dropout=0 (or solver "
                         "'sgd' or 'adam' with dropout)")
    model = est._model
    params = list(model.parameters())
    weights = [layer.weight for layer in network.linear_layers(model)]
    Xt, Tt = ng.tensor(X), ng.tensor(T)
    wt = None if sw is None else ng.tensor(sw.astype(X.dtype))
    total = float(X.shape[0] if sw is None else sw.sum())
    eps = float(np.finfo(X.dtype).eps)
    opt = LBFGS(params, lr=1, max_iter=int(est.max_iter), max_eval=int(est.max_fun),
                tolerance_grad=float(est.tol), tolerance_change=max(2.2e-9, 10 * eps),
                history_size=_HISTORY, line_search_fn="strong_wolfe")

    def objective():
        out = model(Xt)
        loss = loss_fn(out, Tt) if wt is None else weighted_loss(out, Tt, wt)
        if est.alpha:
            loss = loss + (0.5 * est.alpha / total) * sum((w * w).sum() for w in weights)
        return loss

    def closure():
        opt.zero_grad()
        loss = objective()
        loss.backward()
        return loss

    model.train()
    try:
        opt.step(closure)
    finally:
        model.eval()
    _record(est, opt, params, objective)


def _record(est, opt, params, objective) -> None:
    """The fit's outcome on the estimator: iterations, final loss, why it stopped (with
    scikit-learn's warning when a limit ended it before the gradient tolerance)."""
    state = opt.state.get(params[0], {})
    est.n_iter_ = int(state.get("n_iter", 0))
    with ng.no_grad():
        est.loss_ = float(objective().item())
    est.loss_curve_.append(est.loss_)
    grad_max = max(float(np.abs(p.grad.numpy()).max()) for p in params if p.grad is not None)
    if est.n_iter_ >= est.max_iter:
        est.stop_reason_ = "max_iter"
    elif state.get("func_evals", 0) >= est.max_fun:
        est.stop_reason_ = "max_fun"
    else:
        est.stop_reason_ = "tol"
    if est.stop_reason_ != "tol" and grad_max > est.tol:
        limit = "ITERATIONS" if est.stop_reason_ == "max_iter" else "FUNCTION EVALUATIONS"
        warnings.warn(f"lbfgs failed to converge after {est.n_iter_} iteration(s) (TOTAL NO. OF "
                      f"{limit} REACHED LIMIT). Increase the number of iterations (max_iter) or "
                      "scale the data.", ConvergenceWarning)
    if est.verbose:
        print(f"L-BFGS: {est.n_iter_} iterations, loss = {est.loss_:.8f} ({est.stop_reason_})")
