"""MLPClassifier / MLPRegressor: scikit-learn's semantics on netgrad, and what netgrad adds."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_digits, make_classification, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from netgrad.estimators import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]
    return X, y


@pytest.mark.parametrize("solver,lr,rtol", [("adam", "constant", 2e-3), ("sgd", "constant", 2e-4),
                                             ("sgd", "invscaling", 2e-4)])
def test_matches_sklearn_loss_curve(digits, solver, lr, rtol):
    """Same initialisation, shuffling, loss and regularisation as scikit-learn: the same curve.
    (Adam: netgrad's is PyTorch's, eps added to sqrt(v_hat); scikit-learn's adds it to sqrt(v),
    which differs where gradients are ~1e-7, e.g. the L2 term on weights of always-zero pixels.)"""
    X, y = digits
    kw = dict(hidden_layer_sizes=(16,), solver=solver, learning_rate=lr, max_iter=5, random_state=0,
              learning_rate_init=0.01, alpha=1e-3)
    ours = MLPClassifier(**kw).fit(X, y)
    ref = SkMLPClassifier(**kw).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=rtol)
    for a, b in zip(ours.coefs_, ref.coefs_):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=100 * rtol)


def test_regressor_matches_sklearn(regression):
    X, y = regression
    kw = dict(hidden_layer_sizes=(8, 4), max_iter=5, random_state=1, learning_rate_init=0.01)
    ours, ref = MLPRegressor(**kw).fit(X, y), SkMLPRegressor(**kw).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=2e-4)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-3)


def test_fitted_attributes_and_prediction(digits):
    X, y = digits
    clf = MLPClassifier((32, 16), max_iter=40, learning_rate_init=0.01, random_state=0).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(64, 32), (32, 16), (16, 10)]
    assert [b.shape for b in clf.intercepts_] == [(32,), (16,), (10,)]
    assert clf.coefs_[0].dtype == np.float64  # scikit-learn's dtype: the input's (the network is float32)
    assert clf.n_features_in_ == 64 and clf.n_outputs_ == 10 and clf.n_layers_ == 4
    assert list(clf.classes_) == list(range(10))
    assert clf.n_iter_ == len(clf.loss_curve_) <= 40
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None
    assert clf.stop_reason_ in ("max_iter", "tol")
    assert clf.score(X, y) > 0.95
    P = clf.predict_proba(X[:5])
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
    assert (clf.classes_[P.argmax(axis=1)] == clf.predict(X[:5])).all()
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X[:5])), P)


def test_coefs_setter_changes_predictions(digits):
    X, y = digits
    clf = MLPClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    coefs = clf.coefs_
    coefs[-1] = np.zeros_like(coefs[-1])
    clf.coefs_ = coefs
    clf.intercepts_ = [b * 0 for b in clf.intercepts_]
    np.testing.assert_allclose(clf.predict_proba(X[:3]), 0.1, rtol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        clf.coefs_ = [c.T for c in coefs]


def test_string_labels_binary_and_multilabel():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    labels = np.array(["no", "yes"])[y]
    clf = MLPClassifier((8,), max_iter=200, learning_rate_init=0.05, random_state=0).fit(X, labels)
    assert clf.coefs_[-1].shape == (8, 1)  # one logistic output, as scikit-learn
    assert set(clf.predict(X)) <= {"no", "yes"} and clf.score(X, labels) > 0.85
    assert clf.predict_proba(X).shape == (120, 2)
    Xm, Ym = make_multilabel_classification(n_samples=100, n_features=6, n_classes=3, random_state=0)
    m = MLPClassifier((16,), max_iter=100, random_state=0).fit(Xm, Ym)
    assert m.predict(Xm).shape == (100, 3) and m.out_activation_ == "logistic"


@pytest.mark.parametrize("loss", ["cross_entropy", "nll", "kl_div", "symmetric_cross_entropy", "mse",
                                  "half_mse", "sse", "l1", "huber"])
def test_classifier_losses(loss):
    X, y = make_classification(n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0)
    clf = MLPClassifier((16,), loss=loss, max_iter=150, learning_rate_init=0.02, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.8, loss
    assert np.all(np.isfinite(clf.loss_curve_))


@pytest.mark.parametrize("loss", ["squared_error", "mse", "half_mse", "sse", "l1", "huber"])
def test_regressor_losses(regression, loss):
    X, y = regression
    reg = MLPRegressor(loss=loss, hidden_layer_sizes=(32,), max_iter=150, learning_rate_init=0.01,
                       random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.8, loss


def test_binary_with_softmax_only_loss_uses_two_outputs():
    X, y = make_classification(n_samples=100, n_features=4, random_state=1)
    clf = MLPClassifier((8,), loss="nll", max_iter=100, learning_rate_init=0.05, random_state=0).fit(X, y)
    assert clf.coefs_[-1].shape == (8, 2) and clf.predict_proba(X).shape == (100, 2)
    assert clf.score(X, y) > 0.85


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu",
                                        "softplus", "silu"])
def test_activations(digits, activation):
    X, y = digits
    clf = MLPClassifier((16,), activation=activation, max_iter=30, learning_rate_init=0.01,
                        random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_bad_parameters_raise():
    X, y = make_classification(n_samples=30, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    with pytest.raises(ValueError, match="activation"):
        MLPClassifier(activation="bogus").fit(X, y)
    with pytest.raises(ValueError, match="unknown loss"):
        MLPClassifier(loss="bogus", max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="for classification, not regression"):
        MLPRegressor(loss="cross_entropy", max_iter=2).fit(X, y.astype(float))
    with pytest.raises(ValueError, match="solver"):
        MLPClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)


def test_batch_sizes_and_full_batch(digits):
    X, y = digits
    full = MLPClassifier((8,), batch_size="full", solver="sgd", learning_rate_init=0.5, max_iter=3,
                         shuffle=False, random_state=0).fit(X, y)
    none = MLPClassifier((8,), batch_size=None, solver="sgd", learning_rate_init=0.5, max_iter=3,
                         shuffle=False, random_state=0).fit(X, y)
    whole = MLPClassifier((8,), batch_size=len(X), solver="sgd", learning_rate_init=0.5, max_iter=3,
                          shuffle=False, random_state=0).fit(X, y)
    np.testing.assert_allclose(full.loss_curve_, none.loss_curve_)
    np.testing.assert_allclose(full.loss_curve_, whole.loss_curve_)
    with pytest.warns(UserWarning, match="clipped"):
        MLPClassifier((4,), batch_size=10_000, max_iter=1).fit(X, y)


def test_tol_stopping_and_convergence_warning(digits):
    X, y = digits
    clf = MLPClassifier((8,), tol=10.0, n_iter_no_change=2, max_iter=100, random_state=0).fit(X, y)
    # as scikit-learn: stop once the count of epochs without improvement exceeds n_iter_no_change
    assert clf.n_iter_ == 4 and clf.stop_reason_ == "tol"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        MLPClassifier((8,), max_iter=2, random_state=0).fit(X, y)
    assert any(issubclass(x.category, ConvergenceWarning) for x in w)


def test_adaptive_learning_rate_divides_by_five(digits):
    X, y = digits
    clf = MLPClassifier((8,), solver="sgd", learning_rate="adaptive", tol=10.0, n_iter_no_change=1,
                        learning_rate_init=0.1, max_iter=8, random_state=0).fit(X, y)
    assert clf.n_iter_ == 8 and clf.stop_reason_ == "max_iter"
    assert clf._lr == pytest.approx(0.1 / 5 ** 3)  # epochs 3, 5 and 7: 2 epochs without improvement
    tiny = MLPClassifier((8,), solver="sgd", learning_rate="adaptive", tol=10.0, n_iter_no_change=1,
                         learning_rate_init=2e-6, max_iter=50, random_state=0).fit(X, y)
    assert tiny.stop_reason_ == "tol" and tiny.n_iter_ < 10


def test_early_stopping_restores_best(digits):
    X, y = digits
    clf = MLPClassifier((16,), early_stopping=True, n_iter_no_change=3, max_iter=200,
                        random_state=0).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    with pytest.raises(ValueError, match="early_stopping"):
        clf.partial_fit(X, y)


def test_grad_tol_stops(regression):
    X, y = regression
    reg = MLPRegressor(hidden_layer_sizes=(8,), grad_tol=0.05, batch_size="full", learning_rate_init=0.05,
                       max_iter=500, tol=0.0, n_iter_no_change=10_000, random_state=0).fit(X, y)
    assert reg.stop_reason_ == "grad_tol"
    assert reg.grad_norm_curve_[-1] < 0.05 <= min(reg.grad_norm_curve_[:-1])
    assert len(reg.grad_norm_curve_) == reg.n_iter_ < 500


def test_partial_fit_and_warm_start(digits):
    X, y = digits
    clf = MLPClassifier((16,), random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:50], y[:50])
    clf.partial_fit(X[:100], y[:100], classes=np.arange(10))
    for _ in range(5):
        clf.partial_fit(X, y)
    # n_iter_ counts the epochs of the last call, as in scikit-learn
    assert clf.n_iter_ == 1 and clf.stop_reason_ == "partial_fit" and len(clf.loss_curve_) == 6
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:5], y[:5] + 100)
    warm = MLPClassifier((16,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
    first = warm.coefs_[0].copy()
    warm.fit(X, y)
    assert warm.n_iter_ == 5 and len(warm.loss_curve_) == 10
    assert not np.allclose(first, warm.coefs_[0])
    reg = MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    reg.partial_fit(X[:, :3], y.astype(float))
    reg.partial_fit(X[:, :3], y.astype(float))
    assert len(reg.loss_curve_) == 2 and reg.t_ == 2 * len(X)


def test_dropout_trains_and_predicts_deterministically(digits):
    import netgrad as ng

    X, y = digits
    state = ng.get_rng_state()
    clf = MLPClassifier((32,), dropout=0.3, max_iter=25, learning_rate_init=0.01, random_state=0).fit(X, y)
    assert ng.get_rng_state() == state  # its own dropout stream: the global generator is untouched
    assert clf.score(X, y) > 0.9
    np.testing.assert_array_equal(clf.predict_proba(X[:20]), clf.predict_proba(X[:20]))
    again = MLPClassifier((32,), dropout=0.3, max_iter=25, learning_rate_init=0.01, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.coefs_[0], again.coefs_[0])
    plain = MLPClassifier((32,), max_iter=25, learning_rate_init=0.01, random_state=0).fit(X, y)
    assert not np.allclose(plain.loss_curve_, clf.loss_curve_)


def test_pickle_round_trip_and_refit(digits):
    X, y = digits
    clf = MLPClassifier((16,), max_iter=10, random_state=0).fit(X, y)
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    back.partial_fit(X, y)
    assert len(back.loss_curve_) == 11


def test_pipeline_and_grid_search(digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=30, learning_rate_init=0.01,
                                                         random_state=0))
    grid = GridSearchCV(pipe, {"mlpclassifier__hidden_layer_sizes": [(8,), (32,)],
                               "mlpclassifier__activation": ["relu", "tanh"]}, cv=2)
    grid.fit(X, y)
    assert grid.best_score_ > 0.8
    assert set(grid.best_params_) == {"mlpclassifier__hidden_layer_sizes", "mlpclassifier__activation"}
    assert grid.score(X, y) > 0.9
    reg = GridSearchCV(MLPRegressor(max_iter=50, random_state=0), {"alpha": [1e-4, 1e-1]}, cv=2)
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(80, 2))
    reg.fit(Xr, Xr @ [1.0, -2.0])
    assert reg.best_estimator_.n_iter_ >= 1


def test_float32_training_float64_prediction_batch_invariant(digits):
    X, y = digits
    clf = MLPClassifier((16,), max_iter=5, random_state=0).fit(X.astype(np.float32), y)
    full = clf.predict_proba(X)
    one = np.vstack([clf.predict_proba(X[i:i + 1]) for i in range(10)])
    np.testing.assert_allclose(full[:10], one, rtol=1e-12)
    assert full.dtype == np.float64


def test_import_netgrad_does_not_need_sklearn():
    import subprocess
    import sys

    code = ("import sys; sys.modules['sklearn'] = None; import netgrad, netgrad.estimators, netgrad.cli\n"
            "try:\n    netgrad.estimators.MLPClassifier\nexcept ModuleNotFoundError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "needs scikit-learn" in out.stdout


def test_float32_whatever_the_default_dtype():
    import netgrad as ng

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    ng.set_default_dtype(ng.float64)  # conftest restores it
    clf = MLPClassifier((8,), max_iter=20, random_state=0).fit(X, y)
    assert clf._model[0].weight.dtype == ng.float32 and clf.predict(X).shape == (60,)
    assert clf.coefs_[0].dtype == np.float64  # reported in the input's dtype, as scikit-learn
