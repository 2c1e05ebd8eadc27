"""The teaching pictures: GD paths on a contour, zig-zags, a non-convex surface, sigmoid -> step,
2-D towers, one weight's reach, entropy / cross-entropy / KL, softmax in plot_activations, and the
dead-ReLU view reporting divergence. Tests check the numbers and the returned figure's content."""

from __future__ import annotations

import numpy as np
import pytest
import torch

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import netgrad as ng  # noqa: E402
import netgrad.nn as nn  # noqa: E402
from netgrad import viz  # noqa: E402


@pytest.fixture(autouse=True)
def _no_open_figures():
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a viz function left a figure open in pyplot (shown twice in notebooks)"


def _lines(ax):
    return [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 2]


# --------------------------------------------------------------------------- GD paths
@pytest.fixture(scope="module")
def paths():
    return viz.gd_paths(steps=40)


def test_gd_paths_numbers(paths):
    x, y = paths["x"], paths["y"]
    w_ls = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)[0]

    def J(p):
        return np.mean((p[0] * x + p[1] - y) ** 2)

    batch, sgd, mini = paths["batch GD"], paths["one-example SGD"], paths["mini-batch (8)"]
    assert batch.shape == sgd.shape == mini.shape == (41, 2)
    np.testing.assert_array_equal(batch[0], [-1.0, 1.5])
    # batch GD: the whole-set loss falls at every step (lr below 2/L); its first step is -lr dJ/dp
    losses = [J(p) for p in batch]
    assert all(b < a for a, b in zip(losses, losses[1:]))
    r0 = batch[0][0] * x + batch[0][1] - y
    g = np.array([np.mean(2 * r0 * x), np.mean(2 * r0)])
    np.testing.assert_allclose(batch[1], batch[0] - 0.1 * g, rtol=1e-12)
    # one-example SGD is noisy: the whole-set loss goes up on some steps; all three get near the minimum
    assert any(J(b) > J(a) for a, b in zip(sgd, sgd[1:]))
    for p in (batch, sgd, mini):
        assert np.linalg.norm(p[-1] - w_ls) < 0.5 < np.linalg.norm(p[0] - w_ls)
    turn = lambda p: np.abs(np.diff(np.arctan2(*np.diff(p, axis=0).T[::-1]))).mean()  # noqa: E731
    assert turn(batch) < turn(mini) < turn(sgd)   # smooth, less noisy, noisiest


def test_plot_gd_paths_content(paths, tmp_path):
    fig = viz.plot_gd_paths(paths, path=tmp_path / "p.png")
    axes = [a for a in fig.axes if a.get_title()]
    assert [a.get_title() for a in axes] == ["batch GD", "one-example SGD", "mini-batch (8)"]
    for ax, mode in zip(axes, ["batch GD", "one-example SGD", "mini-batch (8)"]):
        path_line = [ln for ln in ax.get_lines() if ln.get_label() == "40 updates"][0]
        np.testing.assert_allclose(path_line.get_xydata(), paths[mode])
        assert ax.collections  # the contours of J
        assert ax.get_xlabel() == "weight w"
    assert axes[0].get_ylabel() == "bias b" and "mini-batch" in fig._suptitle.get_text()
    assert (tmp_path / "p.png").stat().st_size > 5000


# ---------------------------------------------------------------------------- zig-zag
def test_zigzag_updates_share_a_sign_with_positive_inputs():
    r = viz.zigzag_paths(steps=120)
    assert np.all(r["inputs_positive"] > 0) and abs(r["inputs_centred"].mean()) < 1e-12
    assert r["same_sign"]["positive"] == 1.0 and r["same_sign"]["centred"] < 0.8
    steps = np.diff(r["positive"], axis=0)
    assert np.all(steps[:, 0] * steps[:, 1] >= 0)          # every update along +-a, a > 0
    # the LMS step on example k: w <- w - lr (w . a - w* . a) a
    a0 = r["inputs_positive"][0]
    np.testing.assert_allclose(r["positive"][1], -0.5 * (0 - a0 @ r["target"]) * a0, rtol=1e-12)
    # the positive-input path is longer for the same progress: it zig-zags
    length = {k: np.linalg.norm(np.diff(r[k], axis=0), axis=1).sum() for k in ("positive", "centred")}
    assert length["positive"] > 1.3 * length["centred"]
    fig = viz.plot_zigzag(r)
    titles = [a.get_title() for a in fig.axes]
    assert "100% of updates" in titles[0] and "zero-centred" in titles[1]


# ---------------------------------------------------------------------- error surface
def test_error_surface_has_local_minima_and_gd_finds_different_ones():
    r = viz.error_surface(resolution=81)
    J = r["J"]
    assert J.shape == (81, 81) and np.all(J > 0)
    mins = r["minima"]
    assert len(mins) >= 2
    vals = sorted(m[2] for m in mins)
    assert vals[1] > 10 * vals[0]                           # a worse, local minimum
    ends = [p[-1] for p in r["runs"]]
    near = [min(range(len(mins)), key=lambda i: np.hypot(e[0] - mins[i][0], e[1] - mins[i][1])) for e in ends]
    assert len(set(near)) >= 2                              # GD ends in different minima
    for e in ends:
        assert min(np.hypot(e[0] - m[0], e[1] - m[1]) for m in mins) < 0.2
    fig = viz.plot_error_surface(r)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(t.startswith("global minimum") for t in labels)
    assert any(t.startswith("local minimum") for t in labels)
    assert "non-convex" in fig.axes[0].get_title()


# ------------------------------------------------------------ sigmoid, towers
def test_sigmoid_steepening():
    fig = viz.plot_sigmoid_steepening(s=0.4, weights=(1, 10, 100))
    ax = fig.axes[0]
    lines = _lines(ax)
    assert [ln.get_label() for ln in lines] == ["w = 1, b = -0.4", "w = 10, b = -4", "w = 100, b = -40"]
    for ln in lines:
        x, yv = ln.get_xdata(), ln.get_ydata()
        np.testing.assert_allclose(np.interp(0.4, x, yv), 0.5, atol=1e-3)  # all cross 1/2 at s
    x, steep = lines[-1].get_xdata(), lines[-1].get_ydata()
    np.testing.assert_allclose(steep[x < 0.3], 0, atol=1e-4)
    np.testing.assert_allclose(steep[x > 0.5], 1, atol=1e-4)
    assert "s = -b/w" in ax.get_title()


def test_tower_and_towers_figure():
    g = np.linspace(0, 1, 101)
    X1, X2 = np.meshgrid(g, g)
    t = viz.tower(X1, X2, (0.3, 0.4), (0.6, 0.7), k=200)
    inside = (X1 > 0.33) & (X1 < 0.57) & (X2 > 0.43) & (X2 < 0.67)
    outside = (X1 < 0.25) | (X1 > 0.65) | (X2 < 0.35) | (X2 > 0.75)
    assert t[inside].min() > 0.99 and t[outside].max() < 0.01
    fig = viz.plot_towers(n=6)
    titles = [a.get_title() for a in fig.axes]
    assert titles[0].startswith("one tower") and titles[1].startswith("6 × 6 towers")
    assert titles[2].startswith("target")
    err = float(titles[1].split("mean |error| ")[1])
    assert 0 < err < 0.3
    assert fig.axes[1].get_images()[0].get_array().shape == (121, 121)


# ------------------------------------------------------------------- one weight's reach
def test_weight_change_reaches_only_later_units():
    ng.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2))
    before = model[0].weight.numpy().copy()
    d = viz.weight_change_effect(model, [0.5, -0.2, 0.1], layer=0, i=2, j=1, delta=0.5)
    np.testing.assert_array_equal(model[0].weight.numpy(), before)     # restored
    assert [len(v) for v in d] == [3, 4, 5, 2]
    assert np.all(d[0] == 0)                                          # the input does not move
    assert d[1][2] > 0 and np.all(np.delete(d[1], 2) == 0)            # only the unit it feeds
    assert np.all(d[2] > 0) and np.all(d[3] > 0)                      # and everything after it
    # the first hidden unit's change, by hand: tanh(net + 0.5 x_1) - tanh(net)
    net = (model[0].weight.numpy() @ np.array([0.5, -0.2, 0.1]) + model[0].bias.numpy())[2]
    np.testing.assert_allclose(d[1][2], abs(np.tanh(net - 0.1) - np.tanh(net)), rtol=1e-5)
    d2 = viz.weight_change_effect(model, [0.5, -0.2, 0.1], layer=1, i=0, j=3)
    assert np.all(d2[1] == 0) and d2[2][0] > 0 and np.all(d2[2][1:] == 0)
    with pytest.raises(ValueError, match="layer"):
        viz.weight_change_effect(model, [0, 0, 0], layer=3, i=0, j=0)
    fig = viz.plot_weight_change(model, [0.5, -0.2, 0.1], layer=0, i=2, j=1)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["input", "layer 1", "layer 2", "layer 3"]
    assert "weight[2, 1] += 0.5" in ax.get_legend().get_texts()[0].get_text()


# ------------------------------------------------------------- entropy, CE, KL
def test_information_measures_vs_torch():
    p, q = [0.7, 0.2, 0.1, 0.0], [0.4, 0.3, 0.2, 0.1]
    m = viz.information_measures(p, q)
    pt, qt = torch.tensor(p, dtype=torch.float64), torch.tensor(q, dtype=torch.float64)
    np.testing.assert_allclose(m["entropy"], torch.distributions.Categorical(probs=pt).entropy().item())
    np.testing.assert_allclose(m["cross_entropy"], -(torch.xlogy(pt, qt)).sum().item())
    np.testing.assert_allclose(m["kl"], torch.nn.functional.kl_div(qt.log(), pt, reduction="sum").item())
    np.testing.assert_allclose(m["cross_entropy"], m["entropy"] + m["kl"])
    assert viz.information_measures(p, p)["kl"] == 0.0
    with pytest.raises(ValueError, match="probability"):
        viz.information_measures([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="one length"):
        viz.information_measures([1.0], [0.5, 0.5])


def test_plot_information_content():
    fig = viz.plot_information((0.7, 0.2, 0.1), (0.4, 0.4, 0.2))
    a1, a2, a3 = fig.axes
    m = viz.information_measures((0.7, 0.2, 0.1), (0.4, 0.4, 0.2))
    ticks = [t.get_text() for t in a2.get_xticklabels()]
    assert ticks == ["entropy H(p)", "cross-entropy H(p, q)", "KL(p ‖ q)"]
    texts = [t.get_text() for t in a2.texts]
    assert texts == [f"{m['entropy']:.3f}", f"{m['cross_entropy']:.3f}", f"{m['kl']:.3f}"]
    ce = [ln for ln in a3.get_lines() if ln.get_label() == "cross-entropy H(p, q)"][0]
    q, v = ce.get_xdata(), ce.get_ydata()
    assert abs(q[np.argmin(v)] - 0.7) < 0.01                 # least at q = p
    assert np.isclose(v.min(), -(0.7 * np.log(0.7) + 0.3 * np.log(0.3)), atol=1e-3)
    assert "p (true)" in [t.get_text() for t in a1.get_legend().get_texts()]


# ---------------------------------------------------------- softmax in plot_activations
def test_softmax_and_sign_in_plot_activations():
    x, z1, d = viz.activation_and_derivative("softmax", np.linspace(-3, 3, 13))
    ref = torch.softmax(torch.tensor(np.c_[x, np.ones_like(x), -np.ones_like(x)]), dim=1)[:, 0].numpy()
    np.testing.assert_allclose(z1, ref, rtol=1e-12)
    np.testing.assert_allclose(d, z1 * (1 - z1), rtol=1e-10)       # dz_1/dnet_1 by autograd
    _, s, ds = viz.activation_and_derivative("sign", [-1.0, 0.0, 1.0])
    assert s.tolist() == [-1.0, 1.0, 1.0] and ds.tolist() == [0.0, 0.0, 0.0]
    fig = viz.plot_activations(["softmax", "sign", "step"])
    ax = fig.axes[0]
    assert ax.get_title() == "softmax (one logit varied)"
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert sum(lab.startswith("$z_") for lab in labels) == 3 and any("autograd" in lab for lab in labels)
    total = sum(ln.get_ydata() for ln in ax.get_lines() if ln.get_label().startswith("$z_"))
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)              # the three probabilities
    step = fig.axes[2].get_lines()[0]
    assert step.get_ydata()[np.searchsorted(step.get_xdata(), 0.0)] == 1.0  # step(0) = 1


# --------------------------------------------------------------- dead ReLUs, divergence
def test_dead_relus_report_divergence():
    X = np.random.default_rng(0).normal(size=(64, 2))
    model = viz.deep_net(depth=3, width=8, activation="relu")
    r = viz.train_and_record(model, X, 3 * X[:, 0], lr=5.0, steps=30)
    assert r["diverged_at"] is not None and r["diverged_at"] < 30
    assert len(r["loss"]) == r["diverged_at"] + 1 and not np.isfinite(r["loss"][-1])
    fig = viz.plot_dead_relus(r)
    ax = fig.axes[0]
    assert ax.get_title() == f"Dead ReLUs over training: DIVERGED at step {r['diverged_at']}"
    assert any("NaN/inf" in t.get_text() for t in ax.get_legend().get_texts())
    # a model whose values are NaN: not "0 dead units"
    with ng.no_grad():
        model[0].weight.fill_(float("nan"))
    frac = viz.dead_relu_fraction(model, X)
    assert len(frac) == 3 and all(np.isnan(f) for f in frac)
    fig = viz.plot_dead_relus(model, X)
    ax = fig.axes[0]
    assert ax.get_title() == "Training diverged: activations are NaN/inf"
    assert [t.get_text() for t in ax.texts] == ["diverged\n(NaN/inf)"] * 3
    ok = viz.train_and_record(viz.deep_net(depth=2, width=4, activation="relu"), X, X[:, 0], lr=0.01, steps=3)
    assert ok["diverged_at"] is None and ok["loss"].shape == (3,)


# ------------------------------------------------------------------------ display once
@pytest.mark.parametrize("call", [
    lambda: viz.plot_activations(["relu"]),
    lambda: viz.plot_history({"loss": [1.0, 0.5]}),
    lambda: viz.plot_confusion_matrix([0, 1], [0, 1]),
    lambda: viz.plot_decision_boundary(lambda g: g[:, 0], np.zeros((3, 2)), resolution=10),
    lambda: viz.plot_universal_approximation(n_bins=3),
    lambda: viz.plot_gd_modes({"a": {"loss": np.array([1.0, 0.5]), "evals": np.array([0, 1])}}),
    lambda: viz.plot_gradient_norms({"relu": {"grad_norms": np.ones((2, 3))}}),
    lambda: viz.plot_sigmoid_steepening(),
    lambda: viz.plot_information(),
    lambda: viz.graph((ng.tensor([1.0], requires_grad=True) * 2).sum()).to_figure(),
], ids=["activations", "history", "confusion", "boundary", "ua", "gd_modes", "grad_norms", "steepening",
        "information", "graph_figure"])
def test_figures_are_returned_closed(call):
    from matplotlib.figure import Figure

    fig = call()
    assert isinstance(fig, Figure) and fig.axes
    assert plt.get_fignums() == []                    # not left for Jupyter to show a second time
    fig.canvas.draw()                                 # still drawable (shown once, as the value)


def test_caller_axes_figure_left_open():
    fig, ax = plt.subplots()
    viz.plot_decision_boundary(lambda g: g[:, 0], np.zeros((3, 2)), resolution=10, ax=ax)
    assert plt.get_fignums() == [fig.number]
    plt.close(fig)
