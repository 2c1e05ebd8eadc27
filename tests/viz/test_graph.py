"""netgrad.viz.graph: DOT text, built-in SVG/PNG rendering, deep graphs, and the graph left intact."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
from netgrad.viz import graph


def _mlp():
    rng = np.random.default_rng(0)
    W1 = ng.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    b1 = ng.tensor(np.zeros(4), requires_grad=True)
    W2 = ng.tensor(rng.normal(size=(1, 4)), requires_grad=True)
    x = ng.tensor(rng.normal(size=(5, 3)))
    h = ng.functional.linear(x, W1, b1).tanh()
    out = ng.functional.linear(h, W2)
    loss = (out ** 2).mean()
    return loss, {"W1": W1, "b1": b1, "W2": W2}


def test_dot_has_ops_shapes_and_names():
    loss, names = _mlp()
    g = graph(loss, names=names)
    src = g.source
    assert src.startswith("digraph netgrad {") and src.rstrip().endswith("}")
    assert src == g.to_dot() == str(g)
    for op in ("Linear", "Tanh", "Pow", "Mean"):
        assert op in src
    for label in ("W1\\n(4, 3)", "b1\\n(4,)", "W2\\n(1, 4)", "(5, 4)", "(5, 1)"):
        assert label in src
    # every edge refers to declared nodes
    keys = {n.key for n in g.nodes}
    assert all(s in keys and d in keys for s, d, _ in g.edges)
    assert sum(n.kind == "param" for n in g.nodes) == 3


def test_graph_still_usable_for_backward_after_export(tmp_path):
    loss, names = _mlp()
    g = graph(loss, names=names)
    g.render(tmp_path / "g.svg", engine="builtin")
    loss.backward()
    assert names["W1"].grad is not None and names["W1"].grad.shape == (4, 3)
    with pytest.raises(ng.GraphError, match="freed"):
        graph(loss)


def test_model_names_parameters():
    class Toy:
        def __init__(self):
            self.w = ng.tensor([1.0, 2.0], requires_grad=True)

        def named_parameters(self):
            return [("layer.weight", self.w)]

    m = Toy()
    g = graph((m.w * 3).sum(), model=m)
    assert "layer.weight\\n(2,)" in g.source


def test_deep_chain_no_recursion():
    x = ng.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    g = graph(y.sum())
    assert len(g.nodes) == 5002
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_builtin_svg_and_png(tmp_path):
    loss, names = _mlp()
    g = graph(loss, names=names)
    svg = g.to_svg(engine="builtin")
    assert svg.startswith("<svg") and "Linear" in svg and "W1" in svg
    p = g.render(tmp_path / "g.png", engine="builtin")
    data = open(p, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    d = g.render(tmp_path / "g.dot")
    assert open(d).read() == g.source


def test_errors():
    with pytest.raises(ng.GraphError, match="requires_grad"):
        graph(ng.tensor([1.0]) * 2)
    with pytest.raises(TypeError):
        graph([1.0])
    loss, _ = _mlp()
    with pytest.raises(ValueError, match="format"):
        graph(loss).render("x.gif")


def test_module_parameter_names_and_multi_output():
    import netgrad.nn as nn

    ng.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    out = model(ng.randn(5, 3))
    src = graph(out.sum(), model=model).source
    for label in ("0.weight\\n(4, 3)", "0.bias\\n(4,)", "2.weight\\n(2, 4)", "ReLU", "→ (5, 2)"):
        assert label in src

    class TwoParts(ng.autograd.Function):
        """(x[:2], x[2:]): one node with two outputs."""

        @staticmethod
        def forward(ctx, x):
            return x[:2] * 1.0, x[2:] * 1.0

        @staticmethod
        def backward(ctx, ga, gb):
            return ng.cat([ga, gb])

    x = ng.randn(6, requires_grad=True)
    a, b = TwoParts.apply(x)
    src = graph(a.sum() + b.sum()).source
    assert "TwoParts\\n→ (2,), (4,)" in src


def test_dot_engine_used_only_when_installed(tmp_path):
    import shutil

    loss, names = _mlp()
    g = graph(loss, names=names)
    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="not installed"):
            g.to_svg(engine="dot")
        assert g.to_svg() == g.to_svg(engine="builtin")  # 'auto' falls back to the built-in layout
    else:
        assert "<svg" in g.to_svg(engine="dot")
    with pytest.raises(ValueError, match="engine"):
        g.to_svg(engine="neato")
