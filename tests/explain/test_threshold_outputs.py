"""A threshold output (Step, SignUnit) with a loss that takes logs of probabilities is refused by
explain and the CLI (it gave a trace that disagreed with autograd by 4e11); other losses trace right.
And check() names a transposed answer (an out x in weight gradient) instead of listing wrong elements."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn
from netgrad.cli import main
from netgrad.nn.pairing import pairing


def _model(last):
    ng.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 2), last).to(ng.float64)


@pytest.mark.parametrize("last", [nn.Step, nn.SignUnit])
@pytest.mark.parametrize("loss", ["bce", "log_likelihood", "nll", "cross_entropy_probs"])
def test_threshold_output_with_a_log_loss_is_refused(last, loss):
    classes = loss in ("nll", "cross_entropy_probs")
    y = np.array([1, 0]) if classes else np.array([[0.2, 0.9], [0.7, 0.1]])
    with pytest.raises(ValueError, match=r"explain: .*exactly .*1 \(a (step|sign unit)\).*Fix:"):
        ng.explain(_model(last()), np.array([[0.35, 0.9], [-1.0, 0.2]]), y, loss=loss)
    assert pairing(_model(last()), nn.BCELoss() if not classes else nn.NLLLoss()).verdict == "refuse"


@pytest.mark.parametrize("last", [nn.Step, nn.SignUnit])
@pytest.mark.parametrize("loss", ["squared", "mse", "cross_entropy", "bce_with_logits"])
def test_threshold_output_with_other_losses_agrees_with_autograd(last, loss):
    y = np.array([1, 0]) if loss == "cross_entropy" else np.array([[0.2, 0.9], [0.7, 0.1]])
    t = ng.explain(_model(last()), np.array([[0.35, 0.9], [-1.0, 0.2]]), y, loss=loss)
    assert t.max_diff < 1e-12
    assert np.all(t.layers[-1].delta == 0)  # g'(net) = 0: no gradient through a threshold


def test_cli_step_output_with_bce_is_refused_in_one_line(capsys):
    rc = main(["explain", "--layers", "2,2", "--activation", "sigmoid", "--output-activation", "step",
               "--x", "0.35,0.9", "--y", "0.2,0.9", "--loss", "bce"])
    err = capsys.readouterr().err
    assert rc != 0 and "exactly 0 or 1 (a step)" in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ check: a transposed answer


def test_check_names_a_transposed_weight_gradient_instead_of_wrong_elements():
    from netgrad.explain import check, network

    weights = [[[0.1, 0.4, -0.3], [0.8, 0.6, 0.2]], [[0.3, 0.1], [0.9, -0.5], [0.2, 0.7]]]
    net = network([2, 3, 2], weights=weights, biases=[[0.1, -0.2, 0.0], [0.05, 0.1]], activation="sigmoid")
    tr = ng.explain(net, [0.35, 0.9], [1.0, 0.0], loss="squared")
    right = np.outer(tr.quantities()["a^(1)"], tr.quantities()["delta^(2)"])  # a^T delta: inputs x outputs
    r = check(tr, {"dJ/dW^(2)": lambda q: np.outer(q["delta^(2)"], q["a^(1)"]),  # out x in: transposed
                   "dJ/dW^(1)": lambda q: -np.outer(q["delta^(1)"], q["a^(0)"])})  # transposed and negated
    assert not r.ok
    assert r["dJ/dW^(2)"].slips == ["transposed"] and "yours is (2, 3), it should be (3, 2)" in str(r)
    assert "transposed back it agrees" in r["dJ/dW^(2)"].diagnosis
    assert r["dJ/dW^(1)"].slips == ["transposed", "sign"]
    np.testing.assert_allclose(r["dJ/dW^(2)"].expected, right, rtol=1e-12)
    assert r["dJ/dW^(2)"].got.shape == (2, 3)  # the learner's own array is shown as given
    tb = ng.explain(net, [[0.35, 0.9], [0.1, -0.4], [1.0, 2.0], [0.0, 0.0]], [[1.0, 0.0]] * 4, loss="mse")
    rb = check(tb, {"a^(1)": lambda q: q["a^(1)"].T, "delta^(2)": lambda q: q["delta^(2)"]})
    assert rb["a^(1)"].slips == ["transposed"] and "one row per example" in rb["a^(1)"].diagnosis
    assert rb["delta^(2)"].ok
    r1 = check(tr, {"delta^(2)": lambda q: q["delta^(2)"].reshape(1, 2)})  # (1, 2) for (2,): same numbers
    assert r1.ok
