"""Render a :class:`Trace` as plain text or LaTeX in its notation (Markdown and HTML: ``render_doc``).

The step is described once, as a list of lines (``steps``) that each renderer spells: the
symbols come from the trace's :class:`~netgrad.explain.notation.Notation`.
"""

from __future__ import annotations

import numpy as np

from .notation import Notation
from .trace import LayerTrace, Trace

__all__ = ["to_text", "to_latex", "ORIENTATION"]

ORIENTATION = ("W^(l) is shown in the notes' orientation, inputs x outputs, so that net = a W + b; "
               "nn.Linear stores weight = W^T (out x in), as PyTorch does.")
AUGMENTED = ("Theta^(i) = [b | W^T] is N_(i+1) x (N_i + 1): row k holds neuron k's weights, column 0 its "
             "bias, "
             "the weight on the constant input x_0 = 1; net^(i+1) = Theta^(i) [1; a^(i)].")


def _num(v: float, digits: int) -> str:
    s = f"{float(v):.{digits}g}"
    return "0" if s in ("-0", "0") else s


def _arr(a: np.ndarray | None, digits: int, single: bool = False) -> str:
    """[..] for a row, [[..], [..]] for a matrix; one example's row is shown as a vector."""
    if a is None:
        return "-"
    a = np.asarray(a, dtype=np.float64)
    if single and a.ndim == 2 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 0 or a.size == 1 and single:
        return _num(a.reshape(-1)[0], digits)
    if a.ndim == 1:
        return "[" + ", ".join(_num(v, digits) for v in a) + "]"
    return "[" + ", ".join(_arr(r, digits) for r in a) + "]"


def theta(lt: LayerTrace, W: np.ndarray | None = None, b: np.ndarray | None = None) -> np.ndarray:
    """The augmented matrix [b | W^T] (outputs x (1 + inputs)) of layer ``lt`` (or of W, b given)."""
    W = lt.W if W is None else W
    b = lt.b if b is None else b
    return np.concatenate([(np.zeros(W.shape[1]) if b is None else b).reshape(-1, 1), W.T], axis=1)


def title(t: Trace) -> str:
    sizes = [t.layers[0].n_in] + [lt.n_out for lt in t.layers]
    acts = ", ".join(dict.fromkeys(lt.activation for lt in t.layers))
    n = t.x.shape[0]
    return (f"Backpropagation, one step: a {'-'.join(map(str, sizes))} network ({acts}), "
            f"{'one example' if n == 1 else f'a batch of {n} examples'}, {t.loss_name}, eta = {t.lr:g}")


def notation_line(nt: Notation) -> str:
    parts = [f"delta = {nt.delta_def()}", f"layers counted from {nt.a(0).text} = x"]
    if nt.augmented:
        parts.append("augmented weights Theta^(i) with the bias column")
    if nt.names:
        parts.append("names: " + (", ".join(f"{k} -> {v}" for k, v in nt.names.items())
                                  if isinstance(nt.names, dict) else ", ".join(nt.names)))
    return "Notation: " + "; ".join(parts) + "."


def check_line(t: Trace) -> str:
    ok = "agrees" if t.max_diff < 1e-5 else "DIFFERS"
    return (f"Cross-check against netgrad's autograd (loss.backward() on the same model): largest "
            f"|difference| over J, the deltas, dJ/dW and dJ/db = {t.max_diff:.3g} ({ok}).")


def out_rule(t: Trace, lt: LayerTrace, latex: bool = False) -> str | None:
    """The output delta's closed form when it is the error itself (z - t, y_hat - y), else None."""
    nt = t.notation
    neg = nt.sign < 0
    per = " / N" if t.x.shape[0] > 1 and "N" in t.loss_grad_formula else ""
    if latex:
        per = per.replace(" / N", r" \,/\, N")
    z, tt = (r"\hat y", "y") if t.sigmoid_in_loss else ("z", "t")
    if (t.softmax_in_loss or t.sigmoid_in_loss) and lt.activation == "linear" or (
            t.loss_key == "cross_entropy_probs" and lt.activation == "softmax"):
        if not latex and t.sigmoid_in_loss:
            z = "y_hat"
        body = f"{tt} - {z}" if neg else f"{z} - {tt}"
        return f"({body}){per}" if per else body
    return None


def softmax_jacobian(a_row: np.ndarray) -> np.ndarray:
    return np.diag(a_row) - np.outer(a_row, a_row)


def to_text(t: Trace, digits: int = 6) -> str:
    nt = t.notation
    one = t.x.shape[0] == 1
    A = lambda a: _arr(a, digits, one)  # noqa: E731
    M = lambda a: _arr(a, digits)  # noqa: E731
    L = len(t.layers)
    s = nt.sign
    out = [title(t), notation_line(nt), AUGMENTED if nt.augmented else ORIENTATION, ""]
    if nt.augmented:
        out.append("Forward pass: net^(i+1) = Theta^(i) [1; a^(i)] (as a row: [1, a^(i)] Theta^(i)^T), "
                   "a^(i+1) = g(net^(i+1))")
    else:
        out.append("Forward pass: net^(l) = a^(l-1) W^(l) + b^(l), a^(l) = g(net^(l))")
    out.append(f"  {nt.a(0)} = x = {A(t.x)}")
    for lt in t.layers:
        i = lt.index
        out.append(f"  Layer {i} ({lt.n_in} -> {lt.n_out}, {lt.activation}):")
        if nt.augmented:
            out.append(f"    {nt.W(i)} = {M(theta(lt))}" + ("" if lt.b is not None else "   (no bias: "
                                                                                        "column 0 is 0)"))
        else:
            out.append(f"    {nt.W(i)} = {M(lt.W)}" + ("" if lt.b is not None else "   (no bias)"))
            if lt.b is not None:
                out.append(f"    {nt.b(i)} = {M(lt.b)}")
        out.append(f"    {nt.net(i)} = {A(lt.net)}")
        out.append(f"    {nt.a(i)} = g({nt.net(i)}) = {A(lt.a)}")
        if one:
            for j in range(lt.n_out):
                out.append(f"      neuron {j + 1}: net = {_num(lt.net[0, j], digits)}, a = "
                           f"{_num(lt.a[0, j], digits)}")
        out += _flags(lt)
    if t.softmax_in_loss:
        out.append(f"  z = softmax({nt.net(L)}) = {A(t.y_hat)}  (applied by the loss)")
    if t.sigmoid_in_loss:
        out.append(f"  y_hat = sigma({nt.net(L)}) = {A(t.y_hat)}  (applied by the loss)")
    cls = " (class index)" if one else " (class indices)"
    if one:
        out.append(f"  y_hat = {A(t.y_hat)}, y = {A(t.y)}"
                   + (f"{cls}, t = {A(t.t)} (one-hot)" if t.class_targets else ""))
    else:
        out += [f"  y_hat = {A(t.y_hat)}",
                f"  y = {A(t.y)}" + (f"{cls}, t = {A(t.t)}" if t.class_targets else "")]
    out.append(f"  {t.loss_formula} = {_num(t.loss, digits)}")
    sd = "" if s > 0 else "-"
    d = nt.delta_sym
    if nt.augmented:
        rec = ("delta^(l) = (delta^(l+1) Theta[:, 1:]) * g'(net^(l))  "
               "(Theta[:, 1:] = W^T drops the bias column)")
    else:
        rec = "delta^(l) = (delta^(l+1) W^(l+1)^T) * g'(net^(l))"
    out += ["", f"Backward pass: delta^(l) = {sd}dJ/dnet^(l); delta^(L) = {sd}dJ/da^(L) * g'(net^(L)), {rec}",
            f"  {nt.da(L)} = {t.loss_grad_formula} = {A(t.dJ_da)}"]
    for lt in reversed(t.layers):
        i = lt.index
        out.append(f"  Layer {i}{' (output)' if i == L else ''}: g'(net) = {lt.dg_formula}"
                   + (f" = {A(lt.dg)}" if lt.dg is not None and not _const(lt.dg_formula) else ""))
        if lt.activation == "softmax" and one:
            out.append(f"    softmax Jacobian da/dnet = diag(a) - a^T a = {M(softmax_jacobian(lt.a[0]))}")
        rule = out_rule(t, lt) if i == L else None
        if i == L:
            prod = (f"{sd}{nt.da(i)} (diag(a) - a^T a)" if lt.activation == "softmax"
                    else f"{sd}{nt.da(i)} * g'({nt.net(i)})")
            rule = f"{prod} = {rule}" if rule else prod
        else:
            nxt = (f"{nt.W(i + 1)}[:, 1:]" if nt.augmented else f"{nt.W(i + 1)}^T")
            rule = f"({d(i + 1)} {nxt}) * g'({nt.net(i)})"
        out.append(f"    {d(i)} = {rule} = {A(s * lt.delta)}")
        prev = nt.a(i - 1)
        if nt.augmented:
            out.append(f"    {nt.dW(i)} = {sd}{d(i)}^T [1, {prev}] = {M(theta(lt, lt.dW, lt.db))}")
        else:
            out.append(f"    {nt.dW(i)} = {sd}{prev}^T {d(i)} = {M(lt.dW)}")
            if lt.db is not None:
                out.append(f"    {nt.db(i)} = {sd}sum of {d(i)} over the examples = {M(lt.db)}")
        sg = "+" if t.maximise else "-"
        extra = ""
        if s < 0 and not t.maximise:
            extra = f" = +eta {prev}^T {d(i)}" if not nt.augmented else f" = +eta {d(i)}^T [1, {prev}]"
        if nt.augmented:
            up = theta(lt, lt.update_W, lt.update_b if lt.update_b is not None else None)
            out.append(f"    update: {sg}eta {nt.dW(i)}{extra} = {M(up)}")
            out.append(f"            {nt.W(i)} becomes {M(theta(lt) + up)}")
        else:
            out.append(f"    update: {sg}eta {nt.dW(i)}{extra} = {M(lt.update_W)}")
            out.append(f"            {nt.W(i)} becomes {M(lt.W + lt.update_W)}")
            if lt.update_b is not None:
                out.append(f"            {sg}eta {nt.db(i)} = {M(lt.update_b)}")
    out += ["", check_line(t)] + t.notes
    return "\n".join(_wrap(line) for line in out) + "\n"


def _flags(lt: LayerTrace) -> list[str]:
    out = []
    if lt.dead:
        out.append(f"    ! dead ReLU unit(s): {', '.join(str(j + 1) for j in lt.dead)} (output 0 on every "
                   f"traced "
                   "example)")
    if lt.saturated:
        out.append(f"    ! saturated {lt.activation} unit(s): {', '.join(str(j + 1) for j in lt.saturated)} "
                   "(g'(net) almost 0 on every traced example)")
    return out


def _wrap(line: str, width: int = 110) -> str:
    """A long line holding a matrix gets one row per line, aligned under its first row."""
    col = line.find("[[")
    if len(line) <= width or col < 0:
        return line
    return line.replace("], [", "],\n" + " " * (col + 1) + "[")


def _const(formula: str) -> bool:
    try:
        float(formula)
        return True
    except ValueError:
        return False


def tex(a: np.ndarray | None, digits: int, one: bool = False) -> str:
    if a is None:
        return "-"
    a = np.asarray(a, dtype=np.float64)
    if one and a.ndim == 2 and a.shape[0] == 1 and a.shape[1] == 1:
        return _num(a[0, 0], digits)
    if a.ndim == 0:
        return _num(a, digits)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    body = r" \\ ".join(" & ".join(_num(v, digits) for v in row) for row in a)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def to_latex(t: Trace, digits: int = 6) -> str:
    nt = t.notation
    one = t.x.shape[0] == 1
    T = lambda a: tex(a, digits, one)  # noqa: E731
    L = len(t.layers)
    s = nt.sign
    sd = "" if s > 0 else "-"
    out = [f"% {title(t)}", f"% {notation_line(nt)}", f"% {AUGMENTED if nt.augmented else ORIENTATION}",
           r"\begin{align*}", rf"{nt.a(0).latex} = x &= {T(t.x)} \\"]
    for lt in t.layers:
        i = lt.index
        prev = t.layers[i - 2].a if i > 1 else t.x
        if nt.augmented:
            out.append(rf"{nt.W(i).latex} &= {tex(theta(lt), digits)} \\")
            out.append(rf"{nt.net(i).latex} = {nt.W(i).latex} \begin{{bmatrix}} 1 \\ {nt.a(i - 1).latex} "
                       rf"\end{{bmatrix}} &= {T(lt.net)} \\")
        else:
            bias = rf" + {T(lt.b)}" if lt.b is not None else ""
            bsym = f" + {nt.b(i).latex}" if lt.b is not None else ""
            out.append(rf"{nt.net(i).latex} = {nt.a(i - 1).latex} {nt.W(i).latex}{bsym} &= "
                       rf"{T(prev)} {tex(lt.W, digits)}{bias} = {T(lt.net)} \\")
        out.append(rf"{nt.a(i).latex} = g({nt.net(i).latex}) &= {T(lt.a)} \quad \text{{({lt.activation})}} "
                   rf"\\")
    ty = rf", \quad t = {T(t.t)}" if t.class_targets else ""
    out.append(rf"\hat y &= {T(t.y_hat)}, \quad y = {T(t.y)}{ty} \\")
    out.append(rf"{t.loss_latex} &= {_num(t.loss, digits)} \\[6pt]")
    out.append(rf"{nt.da(L).latex} &= {T(t.dJ_da)} \\")
    for lt in reversed(t.layers):
        i = lt.index
        d = nt.delta_sym(i).latex
        if i == L:
            if lt.activation == "softmax":
                lhs = rf"{d} = {sd}{nt.da(i).latex}\,(\mathrm{{diag}}(a) - a^\top a)"
                if one:
                    out.append(rf"\frac{{\partial a}}{{\partial \mathrm{{net}}}} = \mathrm{{diag}}(a) - "
                               rf"a^\top a "
                               rf"&= {tex(softmax_jacobian(lt.a[0]), digits)} \\")
            else:
                lhs = rf"{d} = {sd}{nt.da(i).latex} \odot g'({nt.net(i).latex})"
            rule = out_rule(t, lt, latex=True)
            if rule:
                lhs += f" = {rule}"
        else:
            nxt = rf"{nt.W(i + 1).latex}_{{:,1:}}" if nt.augmented else rf"{nt.W(i + 1).latex}{{}}^\top"
            lhs = rf"{d} = ({nt.delta_sym(i + 1).latex} {nxt}) \odot g'({nt.net(i).latex})"
        out.append(rf"{lhs} &= {T(s * lt.delta)} \\")
        prev = nt.a(i - 1).latex
        if nt.augmented:
            out.append(rf"{nt.dW(i).latex} = {sd}{{{d}}}^\top [1,\, {prev}] &= "
                       rf"{tex(theta(lt, lt.dW, lt.db), digits)} \\")
        else:
            out.append(rf"{nt.dW(i).latex} = {sd}{{{prev}}}^\top {d} &= {tex(lt.dW, digits)} \\")
            if lt.db is not None:
                out.append(rf"{nt.db(i).latex} &= {T(lt.db)} \\")
        sg = "+" if t.maximise else "-"
        upd = theta(lt, lt.update_W, lt.update_b) if nt.augmented else lt.update_W
        out.append(rf"{sg}\eta\, {nt.dW(i).latex} &= {tex(upd, digits)} \\")
    out[-1] = out[-1].rstrip(" \\")
    out += [r"\end{align*}", f"% max |closed form - autograd| = {t.max_diff:.3g}"]
    out += [f"% {n}" for n in t.notes]
    return "\n".join(out) + "\n"
