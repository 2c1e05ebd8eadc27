"""Render a :class:`Trace` as plain text, Markdown or LaTeX, in the notes' notation."""

from __future__ import annotations

import numpy as np

from .trace import LayerTrace, Trace

__all__ = ["to_text", "to_markdown", "to_latex"]

ORIENTATION = ("W^(l) is shown in the notes' orientation, inputs x outputs, so that net = a W + b; "
               "nn.Linear stores weight = W^T (out x in), as PyTorch does.")


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


def _title(t: Trace) -> str:
    sizes = [t.layers[0].n_in] + [lt.n_out for lt in t.layers]
    acts = ", ".join(dict.fromkeys(lt.activation for lt in t.layers))
    n = t.x.shape[0]
    return (f"Backpropagation, one step: a {'-'.join(map(str, sizes))} network ({acts}), "
            f"{'one example' if n == 1 else f'a batch of {n} examples'}, {t.loss_name}, eta = {t.lr:g}")


def _check_line(t: Trace, digits: int) -> str:
    ok = "agrees" if t.max_diff < 1e-5 else "DIFFERS"
    return (f"Cross-check against netgrad's autograd (loss.backward() on the same model): largest "
            f"|difference| over J, the deltas, dJ/dW and dJ/db = {t.max_diff:.3g} ({ok}).")


def to_text(t: Trace, digits: int = 6) -> str:
    one = t.x.shape[0] == 1
    A = lambda a: _arr(a, digits, one)  # noqa: E731
    L = len(t.layers)
    out = [_title(t), ORIENTATION, "", "Forward pass: net^(l) = a^(l-1) W^(l) + b^(l), a^(l) = g(net^(l))",
           f"  a^(0) = x = {A(t.x)}"]
    for lt in t.layers:
        out.append(f"  Layer {lt.index} ({lt.n_in} -> {lt.n_out}, {lt.activation}):")
        nob = "" if lt.b is not None else "   (no bias)"
        out.append(f"    W^({lt.index}) = {_arr(lt.W, digits)}{nob}")
        if lt.b is not None:
            out.append(f"    b^({lt.index}) = {_arr(lt.b, digits)}")
        out.append(f"    net^({lt.index}) = {A(lt.net)}")
        out.append(f"    a^({lt.index}) = g(net^({lt.index})) = {A(lt.a)}")
        if one:
            for j in range(lt.n_out):
                out.append(f"      neuron {j + 1}: net = {_num(lt.net[0, j], digits)}, "
                           f"a = {_num(lt.a[0, j], digits)}")
    if t.softmax_in_loss:
        out.append(f"  z = softmax(net^({L})) = {A(t.y_hat)}  (applied by the loss)")
    if one:
        out.append(f"  y_hat = {A(t.y_hat)}, y = {A(t.y)}")
    else:
        out += [f"  y_hat = {A(t.y_hat)}", f"  y = {A(t.y)}"]
    out.append(f"  {t.loss_formula} = {_num(t.loss, digits)}")
    out += ["", "Backward pass: delta^(L) = dJ/da^(L) * g'(net^(L)), "
                "delta^(l) = (delta^(l+1) W^(l+1)^T) * g'(net^(l))",
            f"  dJ/da^({L}) = {t.loss_grad_formula} = {A(t.dJ_da)}"]
    for lt in reversed(t.layers):
        i = lt.index
        out.append(f"  Layer {i}{' (output)' if i == L else ''}: g'(net) = {lt.dg_formula}"
                   + (f" = {A(lt.dg)}" if lt.dg is not None and not _const(lt.dg_formula) else ""))
        if t.softmax_in_loss and i == L and lt.activation == "linear":
            rule = "z - t"
        elif i == L:
            rule = f"dJ/da^({i}) * g'(net^({i}))"
        else:
            rule = f"(delta^({i + 1}) W^({i + 1})^T) * g'(net^({i}))"
        out.append(f"    delta^({i}) = {rule} = {A(lt.delta)}")
        out.append(f"    dJ/dW^({i}) = a^({i - 1})^T delta^({i}) = {_arr(lt.dW, digits)}")
        if lt.db is not None:
            out.append(f"    dJ/db^({i}) = sum of delta^({i}) over the examples = {_arr(lt.db, digits)}")
        sg = "+" if t.maximise else "-"
        out.append(f"    update: {sg}eta dJ/dW^({i}) = {_arr(lt.update_W, digits)}")
        out.append(f"            W^({i}) becomes {_arr(lt.W + lt.update_W, digits)}")
        if lt.update_b is not None:
            out.append(f"            {sg}eta dJ/db^({i}) = {_arr(lt.update_b, digits)}")
    out += ["", _check_line(t, digits)] + t.notes
    return "\n".join(_wrap(line) for line in out) + "\n"


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


def _md_table(lt: LayerTrace, digits: int, one: bool) -> list[str]:
    rows = ["| neuron | net | a | g'(net) | delta |", "|---|---|---|---|---|"]
    for j in range(lt.n_out):
        def col(m: np.ndarray, j: int = j) -> str:
            return _num(m[0, j], digits) if one else _arr(m[:, j], digits)
        dg = col(lt.dg) if lt.dg is not None else "(Jacobian)"
        rows.append(f"| {j + 1} | {col(lt.net)} | {col(lt.a)} | {dg} | {col(lt.delta)} |")
    return rows


def to_markdown(t: Trace, digits: int = 6) -> str:
    one = t.x.shape[0] == 1
    A = lambda a: _arr(a, digits, one)  # noqa: E731
    L = len(t.layers)
    out = [f"## {_title(t)}", "", f"*{ORIENTATION}*", "", "### Forward pass",
           "", "$net^{(l)} = a^{(l-1)} W^{(l)} + b^{(l)}$, $a^{(l)} = g(net^{(l)})$", "",
           f"- $a^{{(0)}} = x$ = `{A(t.x)}`"]
    for lt in t.layers:
        i = lt.index
        bias = f", $b^{{({i})}}$ = `{_arr(lt.b, digits)}`" if lt.b is not None else ", no bias"
        out.append(f"- Layer {i} ({lt.n_in} → {lt.n_out}, {lt.activation}): $W^{{({i})}}$ = "
                   f"`{_arr(lt.W, digits)}`" + bias)
        out.append(f"  - $net^{{({i})}}$ = `{A(lt.net)}`, $a^{{({i})}}$ = `{A(lt.a)}`")
    out.append(f"- $\\hat y$ = `{A(t.y_hat)}`, $y$ = `{A(t.y)}`, "
               f"{t.loss_formula} = **{_num(t.loss, digits)}**")
    out += ["", "### Backward pass", "",
            "$\\delta^{(L)} = \\partial J/\\partial a^{(L)} \\odot g'(net^{(L)})$, "
            "$\\delta^{(l)} = (\\delta^{(l+1)} W^{(l+1)\\top}) \\odot g'(net^{(l)})$, "
            "$\\partial J/\\partial W^{(l)} = a^{(l-1)\\top} \\delta^{(l)}$", "",
            f"$\\partial J/\\partial a^{{({L})}}$ = {t.loss_grad_formula} = `{A(t.dJ_da)}`", ""]
    for lt in reversed(t.layers):
        i = lt.index
        out += [f"**Layer {i}{' (output)' if i == L else ''}**, $g'(net)$ = {lt.dg_formula}", ""]
        out += _md_table(lt, digits, one)
        out += ["", f"- $\\partial J/\\partial W^{{({i})}} = a^{{({i - 1})\\top}} \\delta^{{({i})}}$ = "
                    f"`{_arr(lt.dW, digits)}`"]
        if lt.db is not None:
            out.append(f"- $\\partial J/\\partial b^{{({i})}}$ = `{_arr(lt.db, digits)}`")
        sg = "+" if t.maximise else "-"
        out.append(f"- update ${sg}\\eta\\, \\partial J/\\partial W^{{({i})}}$ = "
                   f"`{_arr(lt.update_W, digits)}`")
        out.append("")
    out += [_check_line(t, digits)] + [f"\n{n}" for n in t.notes]
    return "\n".join(out) + "\n"


def _tex(a: np.ndarray | None, digits: int, one: bool = False) -> str:
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
    one = t.x.shape[0] == 1
    T = lambda a: _tex(a, digits, one)  # noqa: E731
    L = len(t.layers)
    out = [f"% {_title(t)}", f"% {ORIENTATION}", r"\begin{align*}", rf"a^{{(0)}} = x &= {T(t.x)} \\"]
    for lt in t.layers:
        i = lt.index
        bias = rf" + {T(lt.b)}" if lt.b is not None else ""
        out.append(rf"\mathrm{{net}}^{{({i})}} = a^{{({i - 1})}} W^{{({i})}} + b^{{({i})}} &= "
                   rf"{T(t.layers[i - 2].a if i > 1 else t.x)} {_tex(lt.W, digits)}{bias} = {T(lt.net)} \\")
        out.append(rf"a^{{({i})}} = g(\mathrm{{net}}^{{({i})}}) &= {T(lt.a)} "
                   rf"\quad \text{{({lt.activation})}} \\")
    out.append(rf"\hat y &= {T(t.y_hat)}, \quad y = {T(t.y)} \\")
    out.append(rf"{t.loss_latex} &= {_num(t.loss, digits)} \\[6pt]")
    for lt in reversed(t.layers):
        i = lt.index
        if i == L:
            lhs = (rf"\delta^{{({i})}} = \frac{{\partial J}}{{\partial a^{{({i})}}}} "
                   rf"\odot g'(\mathrm{{net}}^{{({i})}})")
            if t.softmax_in_loss and lt.activation == "linear":
                lhs = rf"\delta^{{({i})}} = z - t"
        else:
            lhs = (rf"\delta^{{({i})}} = (\delta^{{({i + 1})}} W^{{({i + 1})\top}}) \odot "
                   rf"g'(\mathrm{{net}}^{{({i})}})")
        out.append(rf"{lhs} &= {T(lt.delta)} \\")
        out.append(rf"\frac{{\partial J}}{{\partial W^{{({i})}}}} = a^{{({i - 1})\top}} \delta^{{({i})}} &= "
                   rf"{_tex(lt.dW, digits)} \\")
        if lt.db is not None:
            out.append(rf"\frac{{\partial J}}{{\partial b^{{({i})}}}} &= {T(lt.db)} \\")
        sg = "+" if t.maximise else "-"
        out.append(rf"{sg}\eta \frac{{\partial J}}{{\partial W^{{({i})}}}} &= {_tex(lt.update_W, digits)} \\")
    out[-1] = out[-1].rstrip(" \\")
    out += [r"\end{align*}", f"% max |closed form - autograd| = {t.max_diff:.3g}"]
    return "\n".join(out) + "\n"
