"""Notebook behaviour outside a notebook: the rich displays (well-formed HTML with the key numbers),
fit's progress (one bar per fit, a final line that is not 0%, a summary line), and every plotting
function returning a Figure already closed in pyplot (so that a notebook shows it once)."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import numpy as np
import pytest

import netgrad as ng
from netgrad import nn, optim, viz
from netgrad.explain import check, network
from netgrad.train import History, TrainingDivergedError, _progress, fit

_VOID = {"br", "hr", "img", "meta", "input", "col", "area", "base", "link", "param", "source", "wbr"}


class _Balanced(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def well_formed(html: str) -> str:
    """Every tag closed in order; returns the text content."""
    p = _Balanced()
    p.feed(html)
    p.close()
    assert not p.problems and not p.stack, (p.problems, p.stack, html[:500])
    return "".join(p.text)


def _line_data(n: int = 64):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(n, 1)).astype(np.float32)
    return X, (2 * X + 1 + 0.1 * rng.normal(size=(n, 1))).astype(np.float32)


# ------------------------------------------------------------------------------- rich displays
def test_trace_check_report_and_graph_html():
    net = network([2, 2, 1], weights=[[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]])
    trace = ng.explain(net, [0.35, 0.9], 1.0, loss="squared")
    text = well_formed(trace._repr_html_())
    assert "0.755" in text and "0.8385" in text  # net^(1) and y_hat of the worked 2-2-1 example
    assert "0.755" in trace._repr_markdown_()
    assert repr(trace).startswith("Trace(2-2-1 network") and len(repr(trace)) < 120

    report = check(trace, {"dJ/dy_hat": lambda q: q["y"] - q["y_hat"]})  # the sign slip
    text = well_formed(report._repr_html_())
    assert "differs" in text and "sign" in text and "-0.323" in text  # autograd: 2 (0.8385 - 1)
    assert "sign" in report._repr_markdown_()

    x = ng.tensor([[0.35, 0.9]])
    W = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
    with viz.record() as rec:
        J = (x @ W).sum()
    J.backward()
    g = rec.graph(J, names={"x": x, "W": W, "J": J})
    svg = g._repr_html_()
    text = well_formed(svg[svg.index("<svg"):])
    assert "data 1.435" in text and "grad [[0.35, 0.35], [0.9, 0.9]]" in text  # J = x W 1 and dJ/dW
    assert repr(g).startswith("Graph(") and "nodes" in repr(g)


def test_history_html_and_markdown():
    h = History()
    for i in range(30):
        h.append({"loss": 1.0 / (i + 1), "grad_norm": 0.5 ** i, "lr": 0.1, "seconds": 0.01})
    h.stop_reason, h.best_epoch = "grad_tol", 30
    text = well_formed(h._repr_html_())
    assert "30 epochs" in text and "grad_tol" in text and "best epoch 30" in text
    assert "0.03333" in text and "0.5" in text  # the last loss (1/30) and the first epochs
    assert text.count("\u2026") == 1 and "seconds" not in text  # long runs: first and last epochs
    md = h._repr_markdown_()
    assert "| epoch | loss | grad_norm | lr |" in md and "| 30 | 0.03333 |" in md
    short = History()
    short.append({"loss": 0.25, "grad_norm": 0.1, "lr": 0.1, "seconds": 0.0})
    short.stop_reason, short.best_epoch = "max_epochs", 1
    assert "\u2026" not in well_formed(short._repr_html_()) and "0.25" in short._repr_html_()


def test_summary_html():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    s = ng.summary(model, (4,), show=False)
    assert isinstance(s, str) and s.startswith("Layer (type)")
    text = well_formed(s._repr_html_())
    assert "0 (Linear)" in text and "(-1, 3)" in text and "Total params: 23" in text
    assert s.rows[0] == ("0 (Linear)", "(-1, 3)", "15") and (s.total, s.trainable) == (23, 23)
    assert "| `2 (Linear)` | (-1, 2) | 8 |" in s._repr_markdown_()


# ------------------------------------------------------------------------------- progress bars
@pytest.fixture
def bars(monkeypatch):
    """Count the tqdm bars fit makes (text bars writing to a StringIO that the test reads)."""
    from tqdm.std import tqdm as std

    made: list = []
    sink = io.StringIO()

    class Counted(std):
        def __init__(self, *a, **k):
            k["file"] = sink
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(_progress, "_tqdm_class", lambda: Counted)
    return made, sink


def _final_line(stream: io.StringIO) -> str:
    return [s for s in stream.getvalue().replace("\r", "\n").split("\n") if s.strip()][-1]


def test_one_bar_per_fit_over_all_batches(bars, capsys):
    made, sink = bars
    X, y = _line_data()
    model = nn.Linear(1, 1)
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05), (X, y), epochs=3, batch_size=8,
            metrics=["mae"], verbose=1)
    assert len(made) == 1 and made[0].total == 3 * 8 and made[0].n == 24  # not one bar per epoch
    last = _final_line(sink)
    assert last.startswith("Epoch 3/3: 100%") and "24/24" in last and "mae=" in last, last
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("Finished 3 epochs: loss=") and f"{h.last('loss'):.4g}" in out[-1]


def test_early_stop_ends_at_100_percent_with_the_reason(bars, capsys):
    made, sink = bars
    X, y = _line_data()
    model = nn.Linear(1, 1)
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.2), (X, y), epochs=300, batch_size=8,
            grad_tol=1e-2, verbose=1)
    assert h.stop_reason == "grad_tol" and h.epochs < 300
    assert len(made) == 1
    last = _final_line(sink)
    done = h.epochs * 8
    assert f"Epoch {h.epochs}/300: 100%" in last and f"{done}/{done}" in last and ": 0%|" not in last, last
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith(f"Stopped after {h.epochs} epochs: grad_tol")


def test_batch_gd_bar_counts_epochs(bars, capsys):
    made, sink = bars
    X, y = _line_data()
    model = nn.Linear(1, 1)
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=5, batch_size=None,
        verbose=1)
    assert len(made) == 1 and made[0].unit == "epoch" and made[0].total == 5
    assert _final_line(sink).startswith("Epoch 5/5: 100%|")
    assert capsys.readouterr().out.startswith("Finished 5 epochs")


def test_divergence_leaves_the_bar_short_and_closed(bars, capsys):
    made, sink = bars
    X, y = _line_data()
    model = nn.Linear(1, 1)
    with pytest.raises(TrainingDivergedError):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=1e6), (X, y * 1e3), epochs=5, batch_size=8,
            verbose=1)
    assert len(made) == 1 and made[0].n < made[0].total  # not marked complete
    assert "100%" not in _final_line(sink)
    assert made[0] not in getattr(type(made[0]), "_instances", set())  # closed
    assert "Finished" not in capsys.readouterr().out


def test_fit_called_while_handling_an_exception_still_completes(bars, capsys):
    made, sink = bars
    X, y = _line_data()
    model = nn.Linear(1, 1)
    try:
        raise KeyError("the caller's own exception")
    except KeyError:
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.2), (X, y), epochs=100, batch_size=8,
            target_loss=0.05, verbose=1)
    assert "100%" in _final_line(sink)


def test_plain_lines_and_silence(capsys, monkeypatch):
    X, y = _line_data()
    model = nn.Linear(1, 1)
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert [s.split(":")[0] for s in out] == ["Epoch 1/2", "Epoch 2/2", "Finished 2 epochs"]
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, verbose=0)
    assert capsys.readouterr() == ("", "")


# ------------------------------------------------------------------------------- figures
def test_every_plot_returns_a_closed_figure():
    from matplotlib.figure import Figure

    from netgrad.viz._mpl import plt

    plt.close("all")
    X, y = _line_data(32)
    model = nn.Linear(1, 1)
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, verbose=0)
    Xc = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    clf = nn.Sequential(nn.Linear(2, 2))
    vg = viz.vanishing_gradients(depth=3, width=4, steps=2)
    gd = viz.compare_gd_modes(lambda: nn.Linear(1, 1), X, y, nn.MSELoss(), lr=0.05, epochs=1,
                              batch_sizes={"batch GD": 32, "mini-batch 8": 8})
    t = ng.tensor([1.0, 2.0], requires_grad=True)
    calls = {
        "plot_history": lambda: viz.plot_history(h),
        "plot_decision_boundary": lambda: viz.plot_decision_boundary(clf, Xc, np.array([0, 1, 1, 0])),
        "plot_activations": lambda: viz.plot_activations(["sigmoid", "relu", "softmax"]),
        "plot_confusion_matrix": lambda: viz.plot_confusion_matrix([0, 1, 1], [0, 1, 0]),
        "plot_universal_approximation": lambda: viz.plot_universal_approximation(np.sin, n_bins=(3,)),
        "plot_gradient_norms": lambda: viz.plot_gradient_norms(vg),
        "plot_dead_relus": lambda: viz.plot_dead_relus(vg["relu"]),
        "plot_gd_modes": lambda: viz.plot_gd_modes(gd),
        "plot_gd_paths": lambda: viz.plot_gd_paths(viz.gd_paths(steps=3)),
        "plot_zigzag": lambda: viz.plot_zigzag(viz.zigzag_paths(steps=3)),
        "plot_error_surface": lambda: viz.plot_error_surface(viz.error_surface(resolution=9)),
        "plot_sigmoid_steepening": viz.plot_sigmoid_steepening,
        "plot_towers": lambda: viz.plot_towers(n=2),
        "plot_weight_change": viz.plot_weight_change,
        "plot_information": viz.plot_information,
        "Graph.to_figure": lambda: viz.graph((t * 2).sum()).to_figure(),
    }
    plots = {n for n in viz.__all__ if n.startswith("plot_")}
    assert plots <= set(calls), plots - set(calls)  # a new plot function: add it here
    for name, call in calls.items():
        fig = call()
        assert isinstance(fig, Figure), name
        assert plt.get_fignums() == [], f"{name} left its figure open in pyplot (a notebook shows it twice)"
