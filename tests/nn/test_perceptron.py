"""nn.Perceptron and the estimator: the rule, convergence on separable data, failure on XOR."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import netgrad as ng
from netgrad.nn import Perceptron

X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


@pytest.mark.parametrize("y", [[0, 0, 0, 1], [0, 1, 1, 1]], ids=["AND", "OR"])
def test_converges_on_and_or(y):
    p = Perceptron(2).fit(X4, y)
    assert p.converged_ and p.history_[-1] == 0
    assert p.predict(X4).tolist() == y and p.score(X4, y) == 1.0
    assert p(ng.tensor(X4)).numpy().tolist() == y


def test_bias_is_weight_on_constant_input():
    p = Perceptron(2).fit(X4, [0, 0, 0, 1])
    assert p.weight.shape == (3,)  # [w_0, w_1, w_2]
    np.testing.assert_array_equal(p.augment(X4)[:, 0], 1.0)  # x_0 = 1
    np.testing.assert_allclose(p.net(X4), X4 @ p.weight.numpy()[1:] + p.weight.numpy()[0])
    assert p.bias == p.weight.numpy()[0] < 0
    assert "weight" in p.state_dict() and [n for n, _ in p.named_parameters()] == ["weight"]


def test_rosenblatt_rule_one_step():
    p = Perceptron(2, lr=0.5)
    assert p.update([1.0, 2.0], 0) is True           # y_hat = step(0) = 1 for a 0: a mistake
    np.testing.assert_allclose(p.weight.numpy(), 0.5 * (0 - 1) * np.array([1.0, 1.0, 2.0]))
    assert p.update([1.0, 2.0], 0) is False          # now right (net = -3): w does not move
    assert p.update([2.0, 0.0], 1) is True           # y_hat = 0 for a 1: w moves towards x
    np.testing.assert_allclose(p.weight.numpy(), [-0.5, -0.5, -1.0] + 0.5 * np.array([1.0, 2.0, 0.0]))


def test_converges_on_random_separable_set():
    rng = np.random.default_rng(0)
    w_true, b_true = rng.normal(size=5), 0.3
    X = rng.normal(size=(200, 5))
    m = X @ w_true + b_true
    X, m = X[np.abs(m) > 0.2], m[np.abs(m) > 0.2]  # keep a margin
    y = (m > 0).astype(int)
    p = Perceptron(5).fit(X, y, epochs=1000, shuffle=True, seed=1)
    assert p.converged_ and p.score(X, y) == 1.0
    # the convergence theorem's bound on the number of mistakes: (R / gamma)^2
    Xa = p.augment(X)
    u = np.concatenate([[b_true], w_true])
    gamma = np.min(np.abs(Xa @ u)) / np.linalg.norm(u)
    R = np.max(np.linalg.norm(Xa, axis=1))
    assert sum(p.history_) <= (R / gamma) ** 2


def test_never_fits_xor():
    y = [0, 1, 1, 0]
    for init, shuffle in (("zeros", False), ("random", True)):
        ng.manual_seed(0)
        p = Perceptron(2, init=init).fit(X4, y, epochs=500, shuffle=shuffle, seed=0)
        assert not p.converged_ and p.n_epochs_ == 500
        assert min(p.history_) >= 1  # every epoch makes a mistake
        assert p.score(X4, y) < 1.0
    import netgrad.nn.perceptron as mod
    assert "XOR is not linearly separable" in mod.__doc__


def test_errors():
    with pytest.raises(ng.ShapeError, match="2 features"):
        Perceptron(2).fit(np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(ValueError, match="0 or 1, or -1 or"):
        Perceptron(2).fit(X4, [0, 2, 1, 0])
    with pytest.raises(ng.ShapeError, match="targets"):
        Perceptron(2).fit(X4, [0, 1])
    with pytest.raises(ValueError, match="lr"):
        Perceptron(2, lr=0)


def test_estimator():
    from sklearn.exceptions import ConvergenceWarning

    from netgrad.estimators import Perceptron as P

    clf = P().fit(X4, ["a", "a", "a", "b"])
    assert clf.converged_ and list(clf.classes_) == ["a", "b"]
    assert clf.predict(X4).tolist() == ["a", "a", "a", "b"] and clf.score(X4, ["a", "a", "a", "b"]) == 1.0
    assert clf.coef_.shape == (1, 2) and clf.intercept_.shape == (1,)
    np.testing.assert_allclose(clf.decision_function(X4), X4 @ clf.coef_[0] + clf.intercept_[0])
    with pytest.warns(ConvergenceWarning, match="linearly separable"):
        x = P(max_iter=50, shuffle=True, random_state=0).fit(X4, [0, 1, 1, 0])
    assert x.n_iter_ == 50 and not x.converged_
    with pytest.raises(ValueError, match="two classes"):
        P().fit(X4, [1, 1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P().fit(X4, [0, 1, 1, 1])


def test_estimator_multiclass_one_vs_rest():
    from netgrad.estimators import Perceptron as P

    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 6.0], [6.0, 0.0], [-6.0, -6.0]])
    y = np.repeat([0, 1, 2], 20)
    X = centres[y] + rng.normal(size=(60, 2))
    clf = P(random_state=0).fit(X, y)
    assert clf.coef_.shape == (3, 2) and clf.intercept_.shape == (3,) and len(clf.models_) == 3
    assert clf.converged_ and clf.score(X, y) == 1.0


def test_sklearn_estimator_checks():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils.estimator_checks import check_estimator

    from netgrad.estimators import Perceptron as P

    from sklearn.exceptions import SkipTestWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SkipTestWarning)  # pandas checks, when pandas is absent
        results = check_estimator(P(max_iter=20), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed
