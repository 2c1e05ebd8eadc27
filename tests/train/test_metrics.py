"""Metrics against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
from netgrad.train import metrics as M

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture
def multiclass():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(200, 5))
    y = np.where(rng.random(200) < 0.6, scores.argmax(1), rng.integers(0, 5, 200))
    return scores, y


def test_classification_metrics_match_sklearn(multiclass):
    scores, y = multiclass
    pred = scores.argmax(1)
    assert M.accuracy(scores, y) == pytest.approx(sk.accuracy_score(y, pred))
    assert M.accuracy(ng.tensor(scores), ng.tensor(y)) == M.accuracy(scores, y)
    np.testing.assert_array_equal(M.confusion_matrix(scores, y), sk.confusion_matrix(y, pred))
    for avg in ("macro", "micro", None):
        p, r, f = M.precision_recall_f1(scores, y, average=avg)
        np.testing.assert_allclose(p, sk.precision_score(y, pred, average=avg, zero_division=0))
        np.testing.assert_allclose(r, sk.recall_score(y, pred, average=avg, zero_division=0))
        np.testing.assert_allclose(f, sk.f1_score(y, pred, average=avg, zero_division=0))
    assert M.f1_score(scores, y) == M.get_metric("f1")(scores, y)
    for k in (1, 2, 3):
        assert M.top_k_accuracy(scores, y, k) == pytest.approx(sk.top_k_accuracy_score(y, scores, k=k))


def test_missing_classes_and_one_hot_targets():
    y = np.array([0, 0, 2, 2])
    pred = np.array([0, 2, 2, 2])
    cm = M.confusion_matrix(pred, y, num_classes=4)
    assert cm.shape == (4, 4) and cm[0, 2] == 1 and cm.sum() == 4
    # class 1 and 3 appear nowhere: the macro average is over classes 0 and 2 (as scikit-learn's labels)
    assert M.f1_score(pred, y, num_classes=4) == pytest.approx(sk.f1_score(y, pred, average="macro"))
    onehot = np.eye(3)[y]
    assert M.accuracy(np.eye(3)[pred], onehot) == 0.75


def test_binary_outputs():
    y = np.array([0, 1, 1, 0])
    probs = np.array([[0.2], [0.7], [0.4], [0.1]])
    assert M.accuracy(probs, y) == 0.75
    logits = np.array([-1.0, 2.0, -0.5, -3.0])
    assert M.accuracy(logits, y.astype(np.float32)) == 0.75
    assert M.precision(probs, y) == pytest.approx(sk.precision_score(y, [0, 1, 0, 0], average="macro"))


def test_regression_metrics_match_sklearn():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(50, 2))
    p = y + 0.3 * rng.normal(size=(50, 2))
    assert M.mse(p, y) == pytest.approx(sk.mean_squared_error(y, p))
    assert M.mae(p, y) == pytest.approx(sk.mean_absolute_error(y, p))
    assert M.rmse(p, y) == pytest.approx(np.sqrt(sk.mean_squared_error(y, p)))
    assert M.r2_score(p, y) == pytest.approx(sk.r2_score(y, p))
    assert M.r2_score(p[:, 0], y[:, :1]) == pytest.approx(sk.r2_score(y[:, 0], p[:, 0]))
    assert M.r2_score(np.ones(3), np.ones(3)) == 1.0


def test_errors_and_names():
    with pytest.raises(ValueError, match="unknown metric 'acuracy'"):
        M.get_metric("acuracy")
    with pytest.raises(ValueError, match="3 predictions for 2 targets"):
        M.accuracy(np.zeros((3, 2)), np.zeros(2))
    assert M.metric_name("mae") == "mae" and M.metric_name(M.r2_score) == "r2_score"
