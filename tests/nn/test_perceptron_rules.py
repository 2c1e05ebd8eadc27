"""Definitions as taught: Step(k) is 1 at net = k, the bipolar sign unit, and the perceptron's two
rules (Rosenblatt's and LMS / Widrow-Hoff) on {0, 1} and {-1, +1} targets, XOR failing for both."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.functional as F
from netgrad import nn
from netgrad.nn import Perceptron

X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND01, AND_PM = [0, 0, 0, 1], [-1, -1, -1, 1]
XOR01, XOR_PM = [0, 1, 1, 0], [-1, 1, 1, -1]


# ------------------------------------------------------------------- step and sign units
@pytest.mark.parametrize("k", [0.0, 0.3, -1.5])
def test_step_is_one_at_threshold(k):
    x = np.array([k - 1.0, k - 1e-12, k, k + 1e-12, k + 2.0])
    want = torch.where(torch.tensor(x) >= k, 1.0, 0.0).numpy()
    np.testing.assert_array_equal(F.step(ng.tensor(x), k).numpy(), want)
    np.testing.assert_array_equal(nn.Step(k)(ng.tensor(x)).numpy(), [0, 0, 1, 1, 1])
    one = torch.tensor(1.0, dtype=torch.float64)
    np.testing.assert_array_equal(torch.heaviside(torch.tensor(x - k), one), want)  # 1 at 0, as the notes


@pytest.mark.parametrize("k", [0.0, 0.5])
def test_sign_unit_outputs_plus_minus_one(k):
    x = np.array([k - 2.0, k, k + 0.1, -7.0, 9.0])
    out = F.sign_unit(ng.tensor(x), k)
    want = torch.where(torch.tensor(x) >= k, 1.0, -1.0).numpy()
    np.testing.assert_array_equal(out.numpy(), want)
    assert set(out.numpy().tolist()) <= {-1.0, 1.0} and out.dtype == ng.float64
    np.testing.assert_array_equal(nn.SignUnit(k)(ng.tensor(x)).numpy(), want)
    assert ng.sign_unit(ng.tensor([0.0])).item() == 1.0 and ng.sign(ng.tensor([0.0])).item() == 0.0
    assert "threshold=0.5" in repr(nn.SignUnit(0.5))


@pytest.mark.parametrize("fn", [F.step, F.sign_unit])
def test_threshold_units_gradients(fn):
    x = ng.tensor([-1.0, 0.0, 0.4, 2.0], dtype=ng.float64, requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0.0)  # zero almost everywhere, as torch's heaviside
    xt = torch.tensor([-1.0, 0.0, 0.4, 2.0], dtype=torch.float64, requires_grad=True)
    torch.where(xt >= 0, 1.0, -1.0).mul(xt * 0 + 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    x.grad = None
    w = ng.tensor([1.0, 2.0, 3.0, 4.0], dtype=ng.float64)
    (fn(x, 0.0, straight_through=True) * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), w.numpy())  # straight-through: dJ/dnet = dJ/da
    assert ng.testing.gradcheck(lambda t: fn(t * 0 + 5.0, 0.0), (x,))


# -------------------------------------------------------------------- targets and outputs
def test_bipolar_targets_give_sign_outputs():
    p = Perceptron(2).fit(X4, AND_PM)
    assert p.bipolar and p.converged_
    assert p.predict(X4).tolist() == AND_PM and p.score(X4, AND_PM) == 1.0
    assert p(ng.tensor(X4)).numpy().tolist() == AND_PM
    q = Perceptron(2).fit(X4, AND01)
    assert q.bipolar is False and q.predict(X4).tolist() == AND01
    with pytest.raises(ValueError, match="outputs 0 or 1"):
        q.score(X4, AND_PM)
    with pytest.raises(ValueError, match="bipolar"):
        Perceptron(2, bipolar=True).fit(X4, AND01)
    with pytest.raises(ValueError, match="0 or 1, or -1 or"):
        Perceptron(2).fit(X4, [0, -1, 1, 2])
    with pytest.raises(ValueError, match="rule"):
        Perceptron(2, rule="hebb")


def test_rosenblatt_bipolar_update_is_the_formula():
    p = Perceptron(2, lr=0.5, bipolar=True)
    x = np.array([1.0, 2.0])
    assert p.update(x, -1) is True                        # sgn(0) = +1 for a -1: a mistake
    np.testing.assert_allclose(p.weight.numpy(), 0.5 * (-1 - 1) * np.array([1.0, 1.0, 2.0]))
    assert p.update(x, -1) is False                       # right now: no move
    np.testing.assert_allclose(p.weight.numpy(), [-1.0, -1.0, -2.0])


# ------------------------------------------------------------------------------ LMS
@pytest.mark.parametrize("y", [1.0, 0.0, -1.0])
def test_lms_update_is_sgd_on_half_squared_error(y):
    """One LMS step equals one SGD step on J = 1/2 (y - net)^2 (bipolar target), by autograd."""
    w0 = np.array([0.2, -0.4, 0.7])
    x = np.array([1.5, -2.0])
    bip = y == -1.0
    p = Perceptron(2, rule="lms", lr=0.1, bipolar=bip if y != 1.0 else None, dtype=ng.float64)
    p.weight.data.copy_(ng.tensor(w0))
    p.update(x, y)
    target = y if bip or y == 1.0 else 2 * y - 1                   # a 0 counts as -1
    w = torch.tensor(w0, requires_grad=True)
    xa = torch.tensor([1.0, *x])
    (0.5 * (target - xa @ w) ** 2).backward()
    np.testing.assert_allclose(p.weight.numpy(), w0 - 0.1 * w.grad.numpy(), rtol=1e-12)
    assert not np.allclose(p.weight.numpy(), w0)   # LMS moves even on a correct answer


def test_lms_settles_near_least_squares():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X @ [1.0, -2.0] + 0.3 > 0, 1, -1)
    p = Perceptron(2, rule="lms", lr=0.002, tol=1e-7, dtype=ng.float64).fit(X, y, epochs=5000)
    assert p.converged_ and not p.diverged_
    Xa = p.augment(X)
    w_ls = np.linalg.lstsq(Xa, y.astype(float), rcond=None)[0]
    np.testing.assert_allclose(p.weight.numpy(), w_ls, atol=0.02)
    assert p.loss_[-1] < p.loss_[0] and p.score(X, y) > 0.9


@pytest.mark.parametrize("y", [AND01, AND_PM])
def test_lms_learns_and(y):
    p = Perceptron(2, rule="lms", lr=0.05).fit(X4, y)
    assert p.converged_ and p.predict(X4).tolist() == list(y)


def test_lms_divergence_is_reported():
    with pytest.warns(UserWarning, match="diverged"):
        p = Perceptron(2, rule="lms", lr=5.0).fit(X4 * 10, AND01, epochs=200)
    assert p.diverged_ and not p.converged_ and p.n_epochs_ < 200


@pytest.mark.parametrize("rule", ["rosenblatt", "lms"])
@pytest.mark.parametrize("y", [XOR01, XOR_PM], ids=["01", "pm1"])
def test_xor_is_learned_by_neither_rule(rule, y):
    for shuffle in (False, True):
        p = Perceptron(2, rule=rule).fit(X4, y, epochs=300, shuffle=shuffle, seed=0)
        assert p.score(X4, y) <= 0.75                  # at least one of the four is wrong
        assert min(p.history_[-10:]) >= 1              # and every late epoch misclassifies one
        if rule == "rosenblatt":
            assert not p.converged_
    # no weights at all separate XOR: check a grid of candidates
    g = np.linspace(-2, 2, 9)
    W = np.stack(np.meshgrid(g, g, g), -1).reshape(-1, 3)
    Xa = np.c_[np.ones(4), X4]
    pred = (Xa @ W.T >= 0).astype(int)
    assert not np.any(np.all(pred == np.array(XOR01)[:, None], axis=0))


def test_estimator_rules_and_labels():
    from sklearn.exceptions import ConvergenceWarning

    from netgrad.estimators import Perceptron as P

    for rule in ("rosenblatt", "lms"):
        clf = P(rule=rule, eta0=0.05 if rule == "lms" else None).fit(X4, AND_PM)
        assert clf.converged_ and clf.predict(X4).tolist() == AND_PM and list(clf.classes_) == [-1, 1]
        assert clf.models_[0].rule == rule
    with pytest.warns(ConvergenceWarning):
        P(rule="rosenblatt", max_iter=30).fit(X4, XOR01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert P(rule="lms", max_iter=300).fit(X4, XOR01).score(X4, XOR01) <= 0.75
    with pytest.raises(ValueError, match="rule"):
        P(rule="delta").fit(X4, AND01)
