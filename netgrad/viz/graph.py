"""The computational graph behind a result, as DOT text, SVG or PNG.

Backprop runs along this graph: every op node below is one ``Function`` whose ``backward`` turns
dJ/d(output) into dJ/d(inputs) by the chain rule. Leaves (parameters, inputs that require grad)
sit at the top, the result at the bottom; each edge carries the shape of the tensor on it.

>>> import netgrad as ng
>>> from netgrad.viz import graph
>>> x = ng.tensor([0.35, 0.9], requires_grad=True)
>>> w = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
>>> g = graph((x @ w).sum(), names={"x": x, "W": w})
>>> print(g.source)  # doctest: +ELLIPSIS
digraph netgrad {
...
  n0 [label="Sum\\n→ ()", ...];
...

The traversal is iterative (a graph thousands of ops deep is fine) and only reads the nodes, so
``backward`` still works after an export. Rendering uses Graphviz's ``dot`` program when it is
installed and otherwise a built-in layered layout (SVG written directly, PNG drawn by matplotlib).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

from ..autograd import Function, GraphError, Tensor

__all__ = ["Graph", "graph"]


# Fill colours by node kind, shared by the DOT, SVG and matplotlib renderings.
_COLORS = {"op": "#dbe9f6", "leaf": "#eeeeee", "param": "#d5f0d5", "output": "#f9e0b0",
           "input": "#f1e4f5"}


@dataclass
class GraphNode:
    """One box: ``key`` (DOT id), ``label``, ``kind`` ("op", "leaf", "param", "input" for a tensor
    without gradient such as an input or a target, or "output") and the ``name`` given to it."""

    key: str
    label: str
    kind: str
    name: str | None = None
    tooltip: str | None = None  # an op's grad_fn name, as PyTorch's (e.g. SoftmaxBackward0)


@dataclass
class Graph:
    """Nodes and edges of a computational graph; ``.source`` is the DOT text."""

    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (src, dst, label)

    def node(self, name: str) -> GraphNode:
        """The node named ``name`` (by ``names=`` or a model's parameter names)."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"graph: no node named {name!r}; named: {[n.name for n in self.nodes if n.name]}")

    # ------------------------------------------------------------------ text
    @property
    def source(self) -> str:
        return self.to_dot()

    def to_dot(self) -> str:
        """The graph in Graphviz's DOT language (leaves at the top, the result at the bottom)."""
        shape = {"op": 'style="rounded,filled"', "output": 'style="rounded,filled"',
                 "leaf": "style=filled", "param": "style=filled", "input": "style=filled"}
        style = {k: f'shape=box, {shape[k]}, fillcolor="{c}"' for k, c in _COLORS.items()}
        lines = ["digraph netgrad {", "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=11];',
                 '  edge [fontname="Helvetica", fontsize=9];']
        for n in self.nodes:
            tip = f', tooltip="{_esc(n.tooltip)}"' if n.tooltip else ""
            lines.append(f'  {n.key} [label="{_esc(n.label)}", {style[n.kind]}{tip}];')
        for s, d, lab in self.edges:
            lines.append(f'  {s} -> {d} [label="{_esc(lab)}"];')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_dot()

    def __repr__(self) -> str:  # short: a notebook's text/plain form, beside the picture
        return f"Graph({len(self.nodes)} nodes, {len(self.edges)} edges; print() it for DOT)"

    def _repr_svg_(self) -> str:  # Jupyter's rich display
        return self.to_svg()

    def _repr_html_(self) -> str:
        return self.to_svg()

    # ------------------------------------------------------------- rendering
    def to_svg(self, engine: str = "auto") -> str:
        """SVG text: from ``dot`` when installed (``engine='auto'`` or ``'dot'``), else built in."""
        if _use_dot(engine):
            return _run_dot(self.to_dot(), "svg").decode("utf-8")
        return _svg(self)

    def render(self, path: str | os.PathLike, format: str | None = None, engine: str = "auto") -> str:  # noqa: A002
        """Write the graph to ``path`` as .svg, .png or .dot (from the suffix, or ``format``)."""
        path = os.fspath(path)
        fmt = (format or os.path.splitext(path)[1].lstrip(".") or "svg").lower()
        if fmt == "dot" or fmt == "gv":
            data = self.to_dot().encode()
        elif fmt == "svg":
            data = self.to_svg(engine).encode()
        elif fmt == "png":
            if _use_dot(engine):
                data = _run_dot(self.to_dot(), "png")
            else:
                fig = self.to_figure()
                fig.savefig(path, dpi=120)
                _close(fig)
                return path
        else:
            raise ValueError(f"graph.render: unknown format {fmt!r} (use 'svg', 'png' or 'dot')")
        with open(path, "wb") as f:
            f.write(data)
        return path

    save = render

    def to_figure(self):
        """A matplotlib Figure of the built-in layout (needs matplotlib)."""
        from ._mpl import plt

        pos, w, h = _layout(self)
        width = max(x for x, _ in pos.values()) + w if pos else w
        height = max(y for _, y in pos.values()) + h if pos else h
        fig = plt.figure(figsize=(max(3.0, width / 80), max(2.0, height / 80)))
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        for s, d, lab in self.edges:
            (x0, y0), (x1, y1) = pos[s], pos[d]
            ax.annotate("", xy=(x1, y1 - h / 2), xytext=(x0, y0 + h / 2),
                        arrowprops={"arrowstyle": "->", "color": "#555555"})
            ax.text((x0 + x1) / 2 + 4, (y0 + y1) / 2, lab, fontsize=7, color="#444444", va="center")
        for n in self.nodes:
            x, y = pos[n.key]
            ax.text(x, y, n.label, ha="center", va="center", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.3", "fc": _COLORS[n.kind], "ec": "#333333"})
        _close(fig)  # returned, not left open in pyplot: a notebook shows it once
        return fig


def graph(tensor: Tensor, model: Any = None, names: dict[str, Tensor] | None = None) -> Graph:
    """The computational graph that produced ``tensor`` (ops, shapes, named parameters).

    ``model``: a Module whose ``named_parameters()`` name the leaves; ``names``: {name: tensor}.
    Tensors that do not require grad (plain inputs) are not part of the recorded graph.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"graph: expected a Tensor, got {type(tensor).__name__}")
    named: dict[int, str] = {}
    if model is not None:
        for n, p in model.named_parameters():
            named[id(p)] = n
    for n, t in (names or {}).items():
        named[id(t)] = n

    g = Graph()
    keys: dict[int, str] = {}
    out_shapes: dict[int, tuple] = {}

    def key_of(obj: Any) -> tuple[str, bool]:
        k = keys.get(id(obj))
        if k is not None:
            return k, False
        k = keys[id(obj)] = f"n{len(keys)}"
        return k, True

    def leaf_node(t: Tensor) -> GraphNode:
        name = named.get(id(t))
        label = f"{name}\n{_shape(t.shape)}" if name else f"leaf {_shape(t.shape)}"
        return GraphNode(key_of(t)[0], label, "param" if name else "leaf", name)

    root = tensor.grad_fn
    if root is None:
        if not tensor.requires_grad:
            raise GraphError("graph: the tensor has no graph (it does not require grad); compute it "
                             "from tensors created with requires_grad=True, outside no_grad()")
        g.nodes.append(leaf_node(tensor))
        return g
    nodes_by_key: dict[str, GraphNode] = {}
    out_shapes[id(root)] = tensor.shape
    stack: list[Function] = [root]
    key_of(root)
    order: list[Function] = []
    while stack:  # iterative DFS: no recursion limit on deep graphs
        node = stack.pop()
        order.append(node)
        edges = node.__dict__.get("_edges")
        if edges is None:
            raise GraphError("graph: this graph was freed by backward(); export it before calling "
                             "backward, call backward(retain_graph=True), or run the forward pass in "
                             "`with netgrad.viz.record() as rec:` and draw rec.graph(output) to see "
                             "values and gradients")
        nk = keys[id(node)]
        for e in edges:
            if e is None:
                continue
            tgt, _idx, shape, _dtype = e
            tk, new = key_of(tgt)
            g.edges.append((tk, nk, _shape(shape)))
            if isinstance(tgt, Function):
                out_shapes.setdefault(id(tgt), shape)
                if new:
                    stack.append(tgt)
            elif new:
                n = leaf_node(tgt)
                nodes_by_key[n.key] = n
    for node in order:
        k = keys[id(node)]
        meta = node.__dict__.get("_out_meta")
        if meta and len(meta) > 1:  # a multi-output op (split, max with indices...)
            shapes = ", ".join(_shape(m[0]) for m in meta)
        else:
            shapes = _shape(out_shapes.get(id(node), ()))
        label = f"{type(node).op_title()}\n→ {shapes}"
        nodes_by_key[k] = GraphNode(k, label, "output" if node is root else "op", tooltip=node.name())
    g.nodes = sorted(nodes_by_key.values(), key=lambda n: int(n.key[1:]))
    return g


# --------------------------------------------------------------------- helpers
def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _use_dot(engine: str) -> bool:
    if engine not in ("auto", "dot", "builtin"):
        raise ValueError(f"graph: engine must be 'auto', 'dot' or 'builtin', got {engine!r}")
    found = shutil.which("dot") is not None
    if engine == "dot" and not found:
        raise RuntimeError("graph: the Graphviz 'dot' program is not installed; use engine='builtin'")
    return engine != "builtin" and found


def _run_dot(source: str, fmt: str) -> bytes:
    out = subprocess.run(["dot", f"-T{fmt}"], input=source.encode(), capture_output=True,
                         check=True, timeout=60).stdout
    if fmt == "svg":  # drop the XML prolog and DOCTYPE: the text starts at <svg, ready to embed in HTML
        start = out.find(b"<svg")
        out = out[start:] if start >= 0 else out
    return out


def _close(fig) -> None:
    from ._mpl import plt

    plt.close(fig)


def _layout(g: Graph) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Layered layout: each node's layer is its longest path to a leaf (leaves on top, layer 0)."""
    preds: dict[str, list[str]] = {n.key: [] for n in g.nodes}
    succs: dict[str, list[str]] = {n.key: [] for n in g.nodes}
    for s, d, _ in g.edges:
        preds[d].append(s)
        succs[s].append(d)
    # Kahn's algorithm from the leaves down, iterative.
    indeg = {k: len(set(v)) for k, v in preds.items()}
    layer = {k: 0 for k in preds}
    ready = [k for k, d in indeg.items() if d == 0]
    seen_edge: set[tuple[str, str]] = set()
    while ready:
        k = ready.pop()
        for d in succs[k]:
            if (k, d) in seen_edge:
                continue
            seen_edge.add((k, d))
            layer[d] = max(layer[d], layer[k] + 1)
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    for k, ps in preds.items():  # a leaf sits just above its first consumer, not always on top
        if not ps and succs[k]:
            layer[k] = min(layer[d] for d in succs[k]) - 1
    rows: dict[int, list[str]] = {}
    for n in g.nodes:
        rows.setdefault(layer[n.key], []).append(n.key)
    order = {k: i for r in rows.values() for i, k in enumerate(r)}
    for _ in range(2):  # barycentre sweeps reduce edge crossings
        for r in sorted(rows):
            ks = rows[r]
            bary = {k: (sum(order[p] for p in preds[k]) / len(preds[k]) if preds[k] else order[k])
                    for k in ks}
            ks.sort(key=lambda k: bary[k])
            for i, k in enumerate(ks):
                order[k] = i
    lines = [n.label.split("\n") for n in g.nodes]  # boxes sized for the longest label
    w = max([120.0] + [6.4 * max(len(x) for x in ls) + 16 for ls in lines])
    h = max([36.0] + [13.0 * len(ls) + 12 for ls in lines])
    gapx, gapy = 30.0, 50.0
    widest = max((len(r) for r in rows.values()), default=1)
    pos = {}
    for r, ks in rows.items():
        offset = (widest - len(ks)) * (w + gapx) / 2
        for i, k in enumerate(ks):
            pos[k] = (offset + i * (w + gapx) + w / 2 + 10, r * (h + gapy) + h / 2 + 10)
    return pos, w, h


def _svg(g: Graph) -> str:
    from xml.sax.saxutils import escape

    pos, w, h = _layout(g)
    width = (max(x for x, _ in pos.values()) + w / 2 + 10) if pos else w
    height = (max(y for _, y in pos.values()) + h / 2 + 10) if pos else h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
           'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for s, d, lab in g.edges:
        (x0, y0), (x1, y1) = pos[s], pos[d]
        out.append(f'<line x1="{x0:.1f}" y1="{y0 + h / 2:.1f}" x2="{x1:.1f}" y2="{y1 - h / 2:.1f}" '
                   'stroke="#555" marker-end="url(#arrow)"/>')
        out.append(f'<text x="{(x0 + x1) / 2 + 4:.1f}" y="{(y0 + y1) / 2:.1f}" font-size="9" '
                   f'fill="#444">{escape(lab)}</text>')
    for n in g.nodes:
        x, y = pos[n.key]
        out.append(f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.0f}" height="{h:.0f}" '
                   f'rx="6" fill="{_COLORS[n.kind]}" stroke="#333"/>')
        lines = n.label.split("\n")
        for i, line in enumerate(lines):
            dy = (i - (len(lines) - 1) / 2) * 13 + 4
            out.append(f'<text x="{x:.1f}" y="{y + dy:.1f}" font-size="11" text-anchor="middle">'
                       f"{escape(line)}</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
