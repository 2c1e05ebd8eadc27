"""explain's notation options on the notes' 2-2-1 worked example (tests/autograd/test_worked_example.py):
delta's sign, the first layer's index, the augmented Theta, names; text, Markdown, LaTeX, HTML."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn
from netgrad.cli import main
from netgrad.explain import Notation, network

X = [0.35, 0.9]
W = [[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]]  # beta (input -> hidden), theta (hidden -> output)
# the published numbers: net_h, y_hat, dJ/dtheta = 2 h (y_hat - y), dJ/dbeta = 2 x^T (y_hat - y) theta^T
NET_H, Y_HAT = [0.755, 0.68], 0.8385
D_THETA = [[-0.243865], [-0.21964]]
D_BETA = [[-0.033915, -0.101745], [-0.08721, -0.26163]]
DELTA2, DELTA1 = -0.323, [-0.0969, -0.2907]


def _trace(**kw):
    return ng.explain(network([2, 2, 1], weights=W), X, 1.0, loss="squared", **kw)


def _formats(t):
    return {"text": t.to_text(), "markdown": t.to_markdown(), "latex": t.to_latex(), "html": t.to_html()}


def test_default_notation_quantities_are_the_published_numbers():
    q = _trace().quantities()
    for k in ("x", "t", "J", "W^(1)", "W^(2)", "net^(1)", "a^(1)", "delta^(1)", "delta^(2)", "dJ/dW^(1)",
              "dJ/dW^(2)", "y_hat", "dJ/dy_hat"):
        assert k in q, k
    np.testing.assert_allclose(q["net^(1)"], NET_H)
    np.testing.assert_allclose(q["y_hat"], [Y_HAT])
    np.testing.assert_allclose(q["dJ/dW^(2)"], D_THETA)
    np.testing.assert_allclose(q["dJ/dW^(1)"], D_BETA)
    np.testing.assert_allclose(q["delta^(2)"], [DELTA2])
    np.testing.assert_allclose(q["delta^(1)"], DELTA1)
    assert q["J"] == pytest.approx((1 - Y_HAT) ** 2)
    assert "b^(1)" not in q  # the example has no biases


def test_delta_sign_minus_dJ_dnet():
    t = _trace(delta="-dJ/dnet")
    q = t.quantities()
    np.testing.assert_allclose(q["delta^(2)"], [-DELTA2])           # (y - y_hat) * 2: the delta-rule sign
    np.testing.assert_allclose(q["delta^(1)"], np.negative(DELTA1))
    np.testing.assert_allclose(q["dJ/dW^(2)"], D_THETA)               # the gradient itself is unchanged
    f = _formats(t)
    assert "delta = -dJ/dnet" in f["text"] and "delta^(2) = -dJ/da^(2) * g'(net^(2)) = 0.323" in f["text"]
    assert "dJ/dW^(2) = -a^(1)^T delta^(2) = [[-0.243865], [-0.21964]]" in f["text"]
    assert "+eta a^(1)^T delta^(2)" in f["text"]
    assert "0.323" in f["markdown"] and "-\\frac{\\partial J}{\\partial a^{(2)}}" in f["latex"]
    assert "<code>0.323</code>" in f["html"]
    # the same trace re-rendered: with_notation and to_text(notation=...)
    assert _trace().with_notation(delta="-dJ/dnet").to_text() == f["text"]
    assert _trace().to_text(notation={"delta": "-dJ/dnet"}) == f["text"]


def test_first_layer_index_one():
    t = _trace(first_layer=1)
    q = t.quantities()
    np.testing.assert_allclose(q["a^(1)"], X)                          # a^(1) = x
    np.testing.assert_allclose(q["net^(2)"], NET_H)
    np.testing.assert_allclose(q["delta^(3)"], [DELTA2])
    np.testing.assert_allclose(q["dJ/dW^(3)"], D_THETA)
    assert "a^(0)" not in q
    f = _formats(t)
    assert "a^(1) = x = [0.35, 0.9]" in f["text"] and "net^(2) = [0.755, 0.68]" in f["text"]
    assert "dJ/dW^(2) = a^(1)^T delta^(2) = [[-0.033915, -0.101745], [-0.08721, -0.26163]]" in f["text"]
    assert r"a^{(1)} = x" in f["latex"] and r"\mathrm{net}^{(2)}" in f["latex"]
    assert "$a^{(1)}$ = x" in f["markdown"] and "<i>a</i><sup>(1)</sup> = x" in f["html"]


@pytest.mark.parametrize("first", [0, 1])
def test_augmented_theta_with_bias_column(first):
    b = [[0.1, -0.2], [0.05]]
    t = ng.explain(network([2, 2, 1], weights=W, biases=b), X, 1.0, loss="squared", augmented=True,
                   first_layer=first)
    q = t.quantities()
    th0, th1 = f"Theta^({first})", f"Theta^({first + 1})"
    # N_(i+1) x (N_i + 1), column 0 the bias (the weight on x_0 = 1), row k neuron k's weights
    np.testing.assert_allclose(q[th0], [[0.1, 0.1, 0.8], [-0.2, 0.4, 0.6]])
    np.testing.assert_allclose(q[th1], [[0.05, 0.3, 0.9]])
    net_h = np.array(X) @ np.array(W[0]) + b[0]
    np.testing.assert_allclose(q[th0] @ np.r_[1.0, X], net_h)          # net = Theta [1; a]
    lt = t.layers[0]
    np.testing.assert_allclose(q[f"dJ/d{th0}"], np.c_[lt.db, lt.dW.T])
    np.testing.assert_allclose(q[f"dJ/d{th0}"][:, 1:], t.layers[0].dW.T)
    assert "W^(1)" not in q and "b^(1)" not in q
    f = _formats(t)
    assert f"{th0} = [[0.1, 0.1, 0.8], [-0.2, 0.4, 0.6]]" in f["text"] and "x_0 = 1" in f["text"]
    assert "net^(i+1) = Theta^(i) [1; a^(i)]" in f["text"]
    assert f"\\Theta^{{({first})}}" in f["latex"]
    assert "<code>[[0.1, 0.1, 0.8], [-0.2, 0.4, 0.6]]</code>" in f["html"]
    assert "&Theta;<sup>" in f["html"] and f"$\\Theta^{{({first})}}$" in f["markdown"]


def test_published_example_augmented_without_bias():
    q = _trace(augmented=True, first_layer=1).quantities()
    np.testing.assert_allclose(q["Theta^(1)"], [[0, 0.1, 0.8], [0, 0.4, 0.6]])
    np.testing.assert_allclose(q["dJ/dTheta^(2)"], [[0, -0.243865, -0.21964]])
    np.testing.assert_allclose(q["dJ/dTheta^(1)"], np.c_[[0, 0], np.array(D_BETA).T])


def test_beta_theta_names():
    t = _trace(names=["beta", "theta"])
    q = t.quantities()
    np.testing.assert_allclose(q["beta"], W[0])
    np.testing.assert_allclose(q["theta"], W[1])
    np.testing.assert_allclose(q["dJ/dtheta"], D_THETA)
    np.testing.assert_allclose(q["dJ/dbeta"], D_BETA)
    f = _formats(t)
    assert "beta = [[0.1, 0.4], [0.8, 0.6]]" in f["text"] and "dJ/dbeta = a^(0)^T delta^(1)" in f["text"]
    assert "(delta^(2) theta^T)" in f["text"]
    assert r"\frac{\partial J}{\partial \theta}" in f["latex"] and r"a^{(0)} \beta" in f["latex"]
    assert "$\\beta$ = `[[0.1, 0.4], [0.8, 0.6]]`" in f["markdown"]
    assert "&part;<i>J</i>/&part;&theta;" in f["html"]
    # a dict renames any symbol; with biases the list names them beta_0, theta_0
    t2 = ng.explain(network([2, 2, 1], weights=W, biases=[[0, 0], [0]]), X, 1.0, loss="squared",
                    names={"W^(1)": "beta", "W^(2)": "theta", "a^(1)": "h", "b^(2)": "theta_0"})
    q2 = t2.quantities()
    np.testing.assert_allclose(q2["h"], NET_H)
    assert "theta_0" in q2 and "dJ/dtheta_0" in q2 and "b^(1)" in q2
    assert r"\theta_{0}" in t2.to_latex() and "h = g(net^(1)) = [0.755, 0.68]" in t2.to_text()
    t3 = ng.explain(network([2, 2, 1], weights=W, biases=[[0, 0], [0]]), X, 1.0, names=["beta", "theta"])
    assert {"beta_0", "theta_0", "dJ/dbeta_0"} <= set(t3.quantities())


def test_notation_object_and_errors():
    nt = Notation(delta="minus", first_layer=1, augmented=True, names=["beta", "theta"])
    t = _trace(notation=nt)
    assert t.notation.delta == "-dJ/dnet" and "beta" in t.quantities()
    with pytest.raises(ValueError, match="delta must be"):
        _trace(delta="dnet/dJ")
    with pytest.raises(ValueError, match="first_layer must be 0 or 1"):
        _trace(first_layer=2)
    with pytest.raises(TypeError, match="names must be"):
        _trace(names="beta")


def test_cli_notation_options(capsys):
    base = ["explain", "--layers", "2,2,1", "--weights", "[[[0.1,0.4],[0.8,0.6]],[[0.3],[0.9]]]", "--x",
            "0.35,0.9", "--y", "1", "--loss", "squared"]
    opts = ["--delta", "minus", "--first-layer", "1", "--augmented", "--names", "beta,theta"]
    assert main(base + opts) == 0
    out = capsys.readouterr().out
    assert "delta = -dJ/dnet" in out and "beta = [[0, 0.1, 0.8], [0, 0.4, 0.6]]" in out
    assert "dJ/dtheta = -delta^(3)^T [1, a^(2)] = [[0, -0.243865, -0.21964]]" in out
    assert main(base + ["--delta=-dJ/dnet", "--names", '{"a^(1)": "h"}', "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('<div class="netgrad-trace">') and "<i>h</i> = <code>[0.755, 0.68]</code>" in out
    for fmt, marker in (("markdown", "$W^{(2)}$"), ("latex", r"\begin{align*}")):
        assert main(base + ["--format", fmt, "--first-layer", "1"]) == 0
        assert marker in capsys.readouterr().out
    assert main(base + ["--names", '{"W^(1)": 3}']) != 0
    err = capsys.readouterr().err
    assert "names" in err and len(err.strip().splitlines()) == 1


def test_dead_relu_and_saturated_units_are_flagged():
    net = network([2, 3, 1], weights=[[[1.0, -1.0, 10.0], [1.0, -2.0, 10.0]], [[1.0], [1.0], [1.0]]],
                  activation="relu")
    t = ng.explain(net, [[0.5, 0.5], [1.0, 0.2]], [[1.0], [0.0]])
    assert t.layers[0].dead == [1]                 # unit 2: net < 0 on both examples
    text = t.to_text()
    assert "! dead ReLU unit(s): 2 (output 0 on every traced example)" in text
    assert "ReLU unit(s) 2 output 0 on all 2 traced examples" in text
    assert "| 2 (dead) |" in t.to_markdown() and "dead ReLU unit(s) 2" in t.to_html()
    sig = network([2, 3, 1], weights=[[[1.0, -1.0, 10.0], [1.0, -2.0, 10.0]], [[1.0], [1.0], [1.0]]],
                  activation="sigmoid")
    t = ng.explain(sig, [0.5, 0.5], 1.0)
    assert t.layers[0].saturated == [2] and t.layers[0].dead == []   # net = 10: sigma' = 4.5e-5
    assert "! saturated sigmoid unit(s): 3" in t.to_text() and "| 3 (saturated) |" in t.to_markdown()
    tanh = nn.Sequential(nn.Linear(1, 2), nn.Tanh()).to(ng.float64)
    with ng.no_grad():
        tanh[0].weight.copy_(ng.tensor([[5.0], [0.1]], dtype=ng.float64))
    t = ng.explain(tanh, [1.0], [0.0, 0.0])
    assert t.layers[0].saturated == [0] and "tanh unit(s) 1 saturated" in t.to_text()
