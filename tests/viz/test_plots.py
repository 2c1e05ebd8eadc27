"""netgrad.viz plots: each returns a Figure and writes a non-empty PNG; the numbers behind them."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn
from netgrad import viz

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _png(path) -> None:
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000


def test_history(tmp_path):
    class H:
        history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.9],
                   "val_accuracy": [0.4, 0.6, 0.8], "grad_norm": [1.0, 0.1, 0.01], "lr": [0.1] * 3,
                   "seconds": [0.1] * 3}
        stop_reason = "max_epochs"

    fig = viz.plot_history(H(), path=tmp_path / "h.png")
    assert isinstance(fig, Figure) and len(fig.axes) == 3  # loss, accuracy, grad_norm
    _png(tmp_path / "h.png")
    assert isinstance(viz.plot_history({"loss": [3, 2, 1]}), Figure)
    with pytest.raises(ValueError, match="loss"):
        viz.plot_history({"acc": [1]})


def test_decision_boundary_module_estimator_function(tmp_path):
    ng.manual_seed(0)
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
    fig = viz.plot_decision_boundary(model, X, y, path=tmp_path / "db.png", resolution=40)
    assert isinstance(fig, Figure)
    _png(tmp_path / "db.png")
    assert model.training  # restored after eval() for plotting

    class Est:
        def predict(self, Z):
            return (Z[:, 0] > 0).astype(int)

    viz.plot_decision_boundary(Est(), X, y, resolution=30)
    viz.plot_decision_boundary(lambda Z: 1 / (1 + np.exp(-Z[:, 1])), X, resolution=30)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        viz.plot_decision_boundary(model, np.zeros((3, 3)))


def test_activations_and_autograd_derivatives(tmp_path):
    x, a, d = viz.activation_and_derivative("sigmoid", [-2.0, 0.0, 3.0])
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(d, s * (1 - s), atol=1e-12)  # sigma' = sigma (1 - sigma)
    _, a, d = viz.activation_and_derivative("tanh", [0.5])
    np.testing.assert_allclose(d, 1 - np.tanh(0.5) ** 2)
    _, _, d = viz.activation_and_derivative("relu", [-1.0, 2.0])
    assert d.tolist() == [0.0, 1.0]
    _, _, d = viz.activation_and_derivative("step", [-1.0, 2.0])
    assert d.tolist() == [0.0, 0.0]
    fig = viz.plot_activations(path=tmp_path / "a.png")
    assert isinstance(fig, Figure)
    _png(tmp_path / "a.png")
    with pytest.raises(ValueError, match="unknown activation"):
        viz.plot_activations(["swish2"])


def test_confusion_matrix(tmp_path):
    fig = viz.plot_confusion_matrix([0, 1, 2, 2], [[0.9, 0.1, 0], [0.2, 0.7, 0.1], [0, 0, 1], [0, 1, 0]],
                                    path=tmp_path / "cm.png")
    assert isinstance(fig, Figure) and "75.0%" in fig.axes[0].get_title()
    _png(tmp_path / "cm.png")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1", "0", "0", "0", "1", "0", "0", "1", "1"]
    viz.plot_confusion_matrix(["a", "b"], ["b", "b"], normalize=True)
    with pytest.raises(ValueError, match="predictions"):
        viz.plot_confusion_matrix([0, 1], [0])


def test_universal_approximation(tmp_path):
    net = viz.bump_network(np.sin, n_bins=40, k=500.0, lo=0.0, hi=np.pi)
    assert net[0].weight.shape == (80, 1)  # two sigmoids per bin
    xs = np.linspace(0.1, np.pi - 0.1, 50).reshape(-1, 1)
    with ng.no_grad():
        approx = net(ng.tensor(xs, dtype=ng.float64)).numpy()
    assert np.abs(approx - np.sin(xs)).max() < 0.1
    coarse = viz.bump_network(np.sin, n_bins=4, k=500.0, lo=0.0, hi=np.pi)
    with ng.no_grad():
        err_coarse = np.abs(coarse(ng.tensor(xs, dtype=ng.float64)).numpy() - np.sin(xs)).max()
    assert err_coarse > np.abs(approx - np.sin(xs)).max()  # more bins, closer
    fig = viz.plot_universal_approximation(np.sin, n_bins=(4, 16), path=tmp_path / "ua.png")
    assert isinstance(fig, Figure)
    _png(tmp_path / "ua.png")


def test_vanishing_gradients_and_dead_relus(tmp_path):
    r = viz.vanishing_gradients(depth=6, width=8, steps=5)
    sig, relu = r["sigmoid"]["grad_norms"], r["relu"]["grad_norms"]
    assert sig.shape == (5, 7) and relu.shape == (5, 7)
    # sigmoid: the input layer's gradient is orders of magnitude below the output layer's
    assert sig[:, 0].mean() < 1e-2 * sig[:, -1].mean()
    assert relu[:, 0].mean() > 10 * sig[:, 0].mean()
    assert r["relu"]["dead"].shape == (5, 6) and r["sigmoid"]["dead"].shape == (5, 0)
    fig = viz.plot_gradient_norms(r, path=tmp_path / "vg.png")
    assert isinstance(fig, Figure)
    _png(tmp_path / "vg.png")
    fig = viz.plot_dead_relus(r["relu"], path=tmp_path / "dead.png")
    _png(tmp_path / "dead.png")


def test_dead_relu_fraction_exact():
    model = nn.Sequential(nn.Linear(1, 4), nn.ReLU(), nn.Linear(4, 1)).to(ng.float64)
    with ng.no_grad():
        model[0].weight.copy_(ng.tensor([[1.0], [-1.0], [1.0], [2.0]], dtype=ng.float64))
        model[0].bias.copy_(ng.tensor([0.0, 0.0, -10.0, 1.0], dtype=ng.float64))
    X = np.array([[0.5], [1.0], [2.0]])
    assert viz.dead_relu_fraction(model, X) == [0.5]  # units 2 (negative slope) and 3 (bias -10)
    fig = viz.plot_dead_relus(model, X)
    assert isinstance(fig, Figure)
    with pytest.raises(ValueError, match="data X"):
        viz.plot_dead_relus(model)


def test_gd_modes_and_real_history(tmp_path):
    from netgrad.train import fit

    X = np.random.default_rng(0).uniform(-2, 2, size=(24, 1)).astype(np.float32)
    y = np.sin(X)

    def make():
        return nn.Sequential(nn.Linear(1, 6), nn.Tanh(), nn.Linear(6, 1))

    r = viz.compare_gd_modes(make, X, y, nn.MSELoss(), lr=0.05, epochs=4,
                             batch_sizes={"batch": 24, "sgd": 1, "mini": 8})
    assert r["batch"]["evals"].tolist() == [0, 1, 2, 3, 4]
    assert r["sgd"]["evals"].tolist() == [0, 24, 48, 72, 96]
    assert r["mini"]["evals"][-1] == 12
    assert all(len(v["loss"]) == 5 for v in r.values())
    assert r["sgd"]["loss"][0] == r["batch"]["loss"][0]  # same seed, same start
    assert r["sgd"]["loss"][-1] < r["batch"]["loss"][-1]  # more updates per epoch
    fig = viz.plot_gd_modes(r, path=tmp_path / "gd.png")
    assert isinstance(fig, Figure)
    _png(tmp_path / "gd.png")

    ng.manual_seed(0)
    model = make()
    hist = fit(model, nn.MSELoss(), ng.optim.SGD(model.parameters(), lr=0.05), (X, y), epochs=3,
               batch_size=8, verbose=0, val_data=(X, y))
    fig = viz.plot_history(hist, path=tmp_path / "hist.png")
    assert isinstance(fig, Figure)
    _png(tmp_path / "hist.png")


def test_decision_regions_follow_the_classifier():
    from netgrad.viz.plots import _labels

    cls, score, cut = _labels(np.array([[1.0, 2.0], [3.0, 0.0]]))  # logits: boundary where equal
    assert cls.tolist() == [1, 0] and score.tolist() == [1.0, -3.0] and cut == 0.0
    cls, score, cut = _labels(np.array([[0.2], [0.9]]))            # one probability: cut at 0.5
    assert cls.tolist() == [0, 1] and cut == 0.5
    cls, _, _ = _labels(np.array([[-2.0], [0.5]]))                 # one logit: cut at 0
    assert cls.tolist() == [0, 1]
