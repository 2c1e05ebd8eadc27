"""``netgrad.summary(model, input_shape)``: a Keras-style table of layers, output shapes and
parameter counts.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1))
>>> text = ng.summary(model, (2,), show=False)
>>> print(text)
Layer (type)                 Output Shape              Param #
==============================================================
0 (Linear)                   (-1, 2)                         6
1 (Sigmoid)                  (-1, 2)                         0
2 (Linear)                   (-1, 1)                         3
==============================================================
Total params: 9
Trainable params: 9
Non-trainable params: 0
Input shape: (-1, 2)
"""

from __future__ import annotations

import html
from typing import Any, Callable, Sequence

import numpy as np

from ..autograd import Tensor
from ..autograd.dtypes import as_dtype, get_default_dtype
from ..autograd.grad_mode import no_grad
from .module import Module

_WIDTHS = (28, 22, 10)


class ModelSummary(str):
    """The table as text (a ``str``), which displays as an HTML or Markdown table in a notebook.
    ``rows``: (layer, output shape, parameters); ``total``, ``trainable``, ``input_shapes``."""

    rows: list[tuple[str, str, str]]
    total: int
    trainable: int
    input_shapes: list[str]

    def _totals(self) -> str:
        return (f"Total params: {self.total:,} (trainable {self.trainable:,}, non-trainable "
                f"{self.total - self.trainable:,}); input shape {', '.join(self.input_shapes)}")

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "\n".join(f"<tr><td><code>{esc(a)}</code></td><td>{esc(b)}</td><td style=\"text-align:right\">"
                         f"{esc(c)}</td></tr>" for a, b, c in self.rows)
        return ("<div class=\"netgrad-summary\"><table>\n<tr><th>Layer (type)</th><th>Output Shape</th>"
                "<th>Param #</th></tr>\n" + rows + "\n</table>\n<p>" + esc(self._totals()) + "</p></div>\n")

    def _repr_markdown_(self) -> str:
        lines = ["| Layer (type) | Output Shape | Param # |", "|---|---|---:|"]
        lines += [f"| `{a}` | {b} | {c} |" for a, b, c in self.rows]
        return "\n".join(lines) + "\n\n" + self._totals() + "\n"


def _shape_of(out: Any) -> str:
    if isinstance(out, Tensor):
        return str((-1,) + tuple(out.shape[1:])) if out.ndim else "()"
    if isinstance(out, (tuple, list)):
        return ", ".join(_shape_of(o) for o in out)
    return type(out).__name__


def _row(cells: Sequence[str]) -> str:
    a, b, c = cells
    return f"{a:<{_WIDTHS[0]}} {b:<{_WIDTHS[1]}} {c:>{_WIDTHS[2]}}".rstrip()


def summary(model: Module, input_shape: Any, dtype: Any = None, batch_size: int = 2,
            show: bool = True, print_fn: Callable[[str], Any] = print) -> ModelSummary:
    """Run ``model`` once on zeros of shape (batch_size, *input_shape) and tabulate every leaf
    layer it calls (in call order): its name and type, output shape (batch as -1) and number of
    parameters; then total, trainable and non-trainable parameter counts. ``input_shape``
    excludes the batch dimension; a list of shapes feeds several inputs. The model runs in eval
    mode under no_grad and its train/eval flags are restored afterwards. Functional calls
    (``F.relu``...) are not layers and do not appear. Prints the table (unless ``show=False``)
    and returns it: a ``str`` that a notebook displays as an HTML table (use ``show=False`` there)."""
    if not isinstance(model, Module):
        raise TypeError(f"summary: expected an nn.Module, got {type(model).__name__}")
    shapes = ([tuple(s) for s in input_shape] if input_shape and isinstance(input_shape[0], (tuple, list))
              else [tuple(input_shape)])
    d = get_default_dtype() if dtype is None else as_dtype(dtype)
    if dtype is None:
        for p in model.parameters():
            d = p.dtype
            break
    names = {id(m): name for name, m in model.named_modules()}
    rows: list[tuple[str, str, str]] = []
    handles = []

    def hook(mod: Module, inputs: Any, out: Any) -> None:
        n_params = sum(p.numel() for p in mod.parameters())
        name = names.get(id(mod), "") or type(mod).__name__.lower()
        rows.append((f"{name} ({type(mod).__name__})", _shape_of(out), f"{n_params:,}"))

    for m in model.modules():
        if not any(True for _ in m.children()):
            handles.append(m.register_forward_hook(hook))
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with no_grad():
            xs = [Tensor._make(np.zeros((batch_size,) + s, dtype=d)) for s in shapes]
            model(*xs)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.__dict__["training"] = mode
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    rule = "=" * (sum(_WIDTHS) + 2)
    lines = [_row(("Layer (type)", "Output Shape", "Param #")), rule]
    lines += [_row(r) for r in rows]
    lines += [rule, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}",
              "Input shape: " + ", ".join(str((-1,) + s) for s in shapes)]
    text = ModelSummary("\n".join(lines))
    text.rows, text.total, text.trainable = rows, total, trainable
    text.input_shapes = [str((-1,) + s) for s in shapes]
    if show:
        print_fn(text)
    return text
