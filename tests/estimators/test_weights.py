"""Estimators: sample_weight in fit/partial_fit, solver='lbfgs', coefficient dtypes as scikit-learn."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.utils import estimator_checks as ec

from netgrad.estimators import MLPClassifier, MLPRegressor


def _data(task, n=24, seed=0):
    if task == "classification":
        X, y = make_classification(n_samples=n, n_features=5, n_informative=3, n_classes=3,
                                   n_clusters_per_class=1, random_state=seed)
    else:
        X, y = make_regression(n_samples=n, n_features=5, noise=0.1, random_state=seed)
        y = y / np.std(y)
    return X, y


def _outputs(est, X):
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


# Full batch, no shuffling: weighted and repeated data then see the same objective at every step.
_SOLVERS = {
    "sgd": dict(solver="sgd", batch_size="full", shuffle=False, learning_rate_init=0.05, max_iter=40),
    "adam": dict(solver="adam", batch_size="full", shuffle=False, learning_rate_init=0.01, max_iter=40),
    "lbfgs": dict(solver="lbfgs", max_iter=30),
}
_TOL = {"sgd": 2e-4, "adam": 2e-4, "lbfgs": 1e-6}  # float32 networks vs a float64 one


@pytest.mark.parametrize("solver", sorted(_SOLVERS))
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_integer_weights_equal_repeated_rows(cls, solver):
    task = "classification" if cls is MLPClassifier else "regression"
    X, y = _data(task)
    sw = np.random.default_rng(1).integers(1, 4, size=len(y))
    kw = dict(hidden_layer_sizes=(6,), activation="tanh", alpha=1e-3, random_state=0, **_SOLVERS[solver])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = cls(**kw).fit(X, y, sample_weight=sw)
        repeated = cls(**kw).fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    np.testing.assert_allclose(_outputs(weighted, X), _outputs(repeated, X), rtol=_TOL[solver],
                               atol=_TOL[solver])
    assert weighted.n_iter_ == repeated.n_iter_
    np.testing.assert_allclose(weighted.loss_, repeated.loss_, rtol=_TOL[solver])


@pytest.mark.parametrize("solver", sorted(_SOLVERS))
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_zero_weights_equal_dropped_rows(cls, solver):
    task = "classification" if cls is MLPClassifier else "regression"
    X, y = _data(task, n=30)
    sw = np.ones(len(y))
    sw[::3] = 0
    keep = sw > 0
    kw = dict(hidden_layer_sizes=(5,), random_state=0, **_SOLVERS[solver])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = cls(**kw).fit(X, y, sample_weight=sw)
        dropped = cls(**kw).fit(X[keep], y[keep])
    np.testing.assert_allclose(_outputs(weighted, X), _outputs(dropped, X), rtol=_TOL[solver],
                               atol=_TOL[solver])


def test_unit_and_scaled_weights_change_nothing():
    X, y = _data("classification")
    kw = dict(hidden_layer_sizes=(6,), random_state=0, max_iter=30, batch_size=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPClassifier(**kw).fit(X, y)
        ones = MLPClassifier(**kw).fit(X, y, sample_weight=np.ones(len(y)))
        scaled = MLPClassifier(**kw).fit(X, y, sample_weight=np.full(len(y), 2.5))
    np.testing.assert_allclose(ones.predict_proba(X), plain.predict_proba(X), rtol=1e-4, atol=1e-5)
    # a weighted mean: scaling all weights changes only the L2 term's denominator
    kw0 = dict(kw, alpha=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(**kw0).fit(X, y, sample_weight=np.ones(len(y)))
        b = MLPClassifier(**kw0).fit(X, y, sample_weight=np.full(len(y), 2.5))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-4, atol=1e-5)
    assert not np.array_equal(scaled.predict_proba(X), plain.predict_proba(X))  # alpha / (2 sum w)


def test_partial_fit_with_weights_equals_repeated_rows():
    X, y = _data("classification")
    sw = np.random.default_rng(2).integers(0, 3, size=len(y))
    sw[0] = 1
    kw = dict(hidden_layer_sizes=(4,), solver="sgd", batch_size="full", shuffle=False,
              learning_rate_init=0.1, random_state=0)
    a, b = MLPClassifier(**kw), MLPClassifier(**kw)
    classes = np.unique(y)
    for _ in range(5):
        a.partial_fit(X, y, sample_weight=sw, classes=classes)
        b.partial_fit(np.repeat(X, sw, axis=0), np.repeat(y, sw), classes=classes)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-4, atol=1e-5)
    r = MLPRegressor(hidden_layer_sizes=(4,), solver="sgd", batch_size="full", random_state=0)
    Xr, yr = _data("regression")
    r.partial_fit(Xr, yr, sample_weight=np.arange(len(yr)) % 2)
    assert r.n_iter_ == 1 and np.isfinite(r.loss_)


def test_weighted_loss_is_the_weighted_mean_log_loss():
    X, y = _data("classification")
    sw = np.random.default_rng(3).uniform(0.1, 3.0, size=len(y))
    clf = MLPClassifier((5,), solver="lbfgs", alpha=0.0, max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y, sample_weight=sw)
    # loss_ is the objective at the final coefficients: float64 end to end with lbfgs
    np.testing.assert_allclose(clf.loss_, log_loss(y, clf.predict_proba(X), sample_weight=sw), rtol=1e-10)


def test_early_stopping_with_weights_scores_validation_weighted():
    X, y = _data("classification", n=80)
    sw = np.random.default_rng(4).integers(1, 3, size=len(y)).astype(float)
    clf = MLPClassifier((6,), early_stopping=True, max_iter=15, n_iter_no_change=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y, sample_weight=sw)
    assert len(clf.validation_scores_) == clf.n_iter_ and all(0 <= s <= 1 for s in clf.validation_scores_)


@pytest.mark.parametrize("bad, match", [
    (np.ones(5), "sample_weight"), (np.ones((24, 2)), "1D"), (-np.ones(24), "[Nn]egative"),
    (np.zeros(24), "non-zero"), (np.r_[np.nan, np.ones(23)], "NaN|infinity"),
])
def test_bad_sample_weight_raises(bad, match):
    X, y = _data("classification")
    with pytest.raises(ValueError, match=match):
        MLPClassifier((3,), max_iter=2).fit(X, y, sample_weight=bad)


@pytest.mark.parametrize("check", [
    ec.check_sample_weights_not_an_array, ec.check_sample_weights_list, ec.check_sample_weights_shape,
    ec.check_sample_weights_not_overwritten,
])
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_sklearn_sample_weight_checks(cls, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(cls.__name__, cls(max_iter=20, hidden_layer_sizes=(5,), random_state=0))


@pytest.mark.parametrize("est", [MLPClassifier(solver="lbfgs", hidden_layer_sizes=(5,), max_iter=50),
                                 MLPRegressor(solver="lbfgs", hidden_layer_sizes=(5,), max_iter=50)])
def test_sklearn_sample_weight_equivalence_check_with_lbfgs(est):
    # the configuration scikit-learn's own suite uses for its MLPClassifier
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ec.check_sample_weight_equivalence_on_dense_data(type(est).__name__, est)


# ----------------------------------------------------------------------------- lbfgs and dtypes
def test_lbfgs_reaches_sklearns_objective():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, random_state=0)
    kw = dict(hidden_layer_sizes=(8,), solver="lbfgs", alpha=1e-2, max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**kw).fit(X, y)
        theirs = SkMLPClassifier(**kw).fit(X, y)
    # same objective (sklearn's initialisation and loss); two L-BFGS implementations
    assert ours.loss_ <= theirs.loss_ * 1.05 + 1e-3
    assert ours.score(X, y) >= theirs.score(X, y) - 0.03
    assert ours.n_iter_ > 0 and ours.stop_reason_ in ("tol", "max_iter")


def test_lbfgs_float64_coefficients_and_pickle():
    X, y = _data("regression")
    reg = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    sk_dtypes = [c.dtype for c in reg.coefs_ + reg.intercepts_]
    assert sk_dtypes == [np.dtype(np.float64)] * 4
    assert reg._model[0].weight.dtype.name == "float64"  # computed in float64, not only reported
    back = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(back.predict(X), reg.predict(X))
    assert back.coefs_[0].dtype == np.float64
    reg32 = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg32.fit(X.astype(np.float32), y)
    # scikit-learn's lbfgs gives float64 coefficients for float32 input too (SciPy works in float64)
    assert reg32.coefs_[0].dtype == np.float64 and reg32._model[0].weight.dtype.name == "float64"


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_coefficient_dtypes_follow_sklearn(solver):
    X, y = _data("classification")
    for Xd in (X, X.astype(np.float32), np.round(X * 10).astype(np.int64)):
        kw = dict(hidden_layer_sizes=(3,), solver=solver, max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours = MLPClassifier(**kw).fit(Xd, y)
            theirs = SkMLPClassifier(**kw).fit(Xd, y)
        assert [c.dtype for c in ours.coefs_] == [c.dtype for c in theirs.coefs_]
        assert [c.dtype for c in ours.intercepts_] == [c.dtype for c in theirs.intercepts_]
        if solver != "lbfgs":  # same initialisation; after a few float32 steps, close to sklearn's
            ours0 = MLPClassifier(**dict(kw, max_iter=1, learning_rate_init=1e-9))
            theirs0 = SkMLPClassifier(**dict(kw, max_iter=1, learning_rate_init=1e-9))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                ours0.fit(Xd, y)
                theirs0.fit(Xd, y)
            np.testing.assert_allclose(ours0.coefs_[0], theirs0.coefs_[0], rtol=1e-5, atol=1e-6)


def test_lbfgs_limits_warn_and_partial_fit_is_absent():
    X, y = _data("classification")
    clf = MLPClassifier((5,), solver="lbfgs", max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2 and clf.stop_reason_ == "max_iter"
    clf = MLPClassifier((5,), solver="lbfgs", max_iter=100, max_fun=4, random_state=0)
    with pytest.warns(ConvergenceWarning, match="FUNCTION EVALUATIONS"):
        clf.fit(X, y)
    assert clf.stop_reason_ == "max_fun"
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert not hasattr(MLPRegressor(solver="lbfgs"), "partial_fit")
    assert hasattr(MLPRegressor(solver="adam"), "partial_fit")
    with pytest.raises(ValueError, match="dropout"):
        MLPClassifier((5,), solver="lbfgs", dropout=0.2).fit(X, y)
    with pytest.raises(ValueError, match="max_fun"):
        MLPClassifier(solver="lbfgs", max_fun=0).fit(X, y)
