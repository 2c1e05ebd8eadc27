"""Render a :class:`Trace` as Markdown or HTML: one document (headings, lists, tables) spelt twice."""

from __future__ import annotations

import html
import re
from typing import Callable

import numpy as np

from .notation import Sym
from .render import (AUGMENTED, ORIENTATION, _arr, _num, check_line, notation_line, out_rule,
                     softmax_jacobian, theta, title)
from .trace import LayerTrace, Trace

__all__ = ["to_markdown", "to_html"]
HAT = r"\hat y"


class _Spell:
    """How one format writes maths, numbers and emphasis."""

    def __init__(self, fmt: str):
        self.fmt = fmt

    def m(self, s: Sym | str, latex: str | None = None) -> str:
        if isinstance(s, Sym):
            return f"${s.latex}$" if self.fmt == "md" else s.html
        return f"${latex or s}$" if self.fmt == "md" else _html_maths(s)

    def num(self, text: str) -> str:
        return f"`{text}`" if self.fmt == "md" else f"<code>{html.escape(text)}</code>"

    def txt(self, text: str) -> str:
        return text if self.fmt == "md" else _html_maths(text)

    def b(self, text: str) -> str:
        return f"**{text}**" if self.fmt == "md" else f"<b>{text}</b>"


def _html_maths(text: str) -> str:
    """Plain-text maths for HTML: x^(l) as a superscript, y_hat as y with a hat."""
    t = html.escape(text).replace("y_hat", "&ycirc;")
    return re.sub(r"\^\(([^()]{1,12})\)", r"<sup>(\1)</sup>", t)


def _doc(t: Trace, digits: int, sp: _Spell) -> list[tuple]:
    nt = t.notation
    one = t.x.shape[0] == 1
    A = lambda a: sp.num(_arr(a, digits, one))  # noqa: E731
    M = lambda a: sp.num(_arr(a, digits))  # noqa: E731
    L = len(t.layers)
    s = nt.sign
    sd = "" if s > 0 else "-"
    doc: list[tuple] = [("h2", sp.txt(title(t))), ("p", sp.txt(notation_line(nt))),
                        ("i", sp.txt(AUGMENTED if nt.augmented else ORIENTATION)), ("h3", "Forward pass")]
    if nt.augmented:
        doc.append(("p", sp.m("net^(i+1) = Theta^(i) [1; a^(i)]",
                              r"\mathrm{net}^{(i+1)} = \Theta^{(i)} [1;\, a^{(i)}]")
                    + ", " + sp.m("a^(i+1) = g(net^(i+1))", r"a^{(i+1)} = g(\mathrm{net}^{(i+1)})")))
    else:
        doc.append(("p", sp.m("net^(l) = a^(l-1) W^(l) + b^(l)", r"\mathrm{net}^{(l)} = a^{(l-1)} W^{(l)} + "
                                                                 r"b^{(l)}")
                    + ", " + sp.m("a^(l) = g(net^(l))", r"a^{(l)} = g(\mathrm{net}^{(l)})")))
    items = [f"{sp.m(nt.a(0))} = x = {A(t.x)}"]
    for lt in t.layers:
        i = lt.index
        if nt.augmented:
            w = f"{sp.m(nt.W(i))} = {M(theta(lt))}"
        else:
            w = f"{sp.m(nt.W(i))} = {M(lt.W)}" + (f", {sp.m(nt.b(i))} = {M(lt.b)}" if lt.b is not None
                                                  else ", no bias")
        items.append(f"Layer {i} ({lt.n_in} → {lt.n_out}, {sp.txt(lt.activation)}): {w}; "
                     f"{sp.m(nt.net(i))} = {A(lt.net)}, {sp.m(nt.a(i))} = {A(lt.a)}" + _flags(lt, sp))
    if t.softmax_in_loss or t.sigmoid_in_loss:
        f = "softmax" if t.softmax_in_loss else "sigma"
        zs = sp.m("z", "z") if t.softmax_in_loss else sp.m("y_hat", HAT)
        items.append(f"{zs} = {f}({sp.m(nt.net(L))}) = {A(t.y_hat)} (applied by the loss)")
    tt = f" (class), {sp.m('t', 't')} = {A(t.t)}" if t.class_targets else ""
    items.append(f"{sp.m('y_hat', HAT)} = {A(t.y_hat)}, {sp.m('y', 'y')} = {A(t.y)}{tt}, "
                 f"{sp.txt(t.loss_formula)} = {sp.b(_num(t.loss, digits))}")
    doc.append(("ul", items))
    doc.append(("h3", "Backward pass"))
    doc.append(("p", sp.m(f"delta = {sd}dJ/dnet", rf"\delta^{{(l)}} = {sd}\partial J/\partial "
                                                  rf"\mathrm{{net}}^{{(l)}}")
                + "; " + f"{sp.m(nt.da(L))} = {sp.txt(t.loss_grad_formula)} = {A(t.dJ_da)}"))
    for lt in reversed(t.layers):
        i = lt.index
        doc.append(("p", sp.b(f"Layer {i}{' (output)' if i == L else ''}") + ", "
                    + sp.m(nt.dg(i)) + " = " + sp.txt(lt.dg_formula)))
        doc.append(("table", ["neuron", "net", "a", "g'(net)", sp.m(nt.delta_sym(i))],
                    _rows(lt, digits, one, s, sp)))
        items = []
        if lt.activation == "softmax" and one:
            items.append(f"softmax Jacobian diag(a) − aᵀa = {M(softmax_jacobian(lt.a[0]))}")
        rule = out_rule(t, lt) if i == L else None
        if rule:
            items.append(f"{sp.m(nt.delta_sym(i))} = {sp.txt(rule)} = {A(s * lt.delta)}")
        prev = sp.m(nt.a(i - 1))
        if nt.augmented:
            items.append(f"{sp.m(nt.dW(i))} = {sd}{sp.m(nt.delta_sym(i))}ᵀ [1, {prev}] = "
                         f"{M(theta(lt, lt.dW, lt.db))}")
        else:
            items.append(f"{sp.m(nt.dW(i))} = {sd}{prev}ᵀ {sp.m(nt.delta_sym(i))} = {M(lt.dW)}")
            if lt.db is not None:
                items.append(f"{sp.m(nt.db(i))} = {M(lt.db)}")
        sg = "+" if t.maximise else "−"
        upd = theta(lt, lt.update_W, lt.update_b) if nt.augmented else lt.update_W
        items.append(f"update {sg}η {sp.m(nt.dW(i))} = {M(upd)}")
        doc.append(("ul", items))
    doc.append(("p", sp.txt(check_line(t))))
    for n in t.notes:
        doc.append(("p", sp.txt(n)))
    return doc


def _flags(lt: LayerTrace, sp: _Spell) -> str:
    out = ""
    if lt.dead:
        out += "; " + sp.b(f"dead ReLU unit(s) {', '.join(str(j + 1) for j in lt.dead)}")
    if lt.saturated:
        out += "; " + sp.b(f"saturated {lt.activation} unit(s) {', '.join(str(j + 1) for j in lt.saturated)}")
    return out


def _rows(lt: LayerTrace, digits: int, one: bool, s: float, sp: _Spell) -> list[list[str]]:
    rows = []
    for j in range(lt.n_out):
        def col(m: np.ndarray, j: int = j) -> str:
            return sp.num(_num(m[0, j], digits) if one else _arr(m[:, j], digits))
        dg = col(lt.dg) if lt.dg is not None else "(Jacobian)"
        flag = " (dead)" if j in lt.dead else " (saturated)" if j in lt.saturated else ""
        rows.append([f"{j + 1}{flag}", col(lt.net), col(lt.a), dg, col(s * lt.delta)])
    return rows


def _md(doc: list[tuple]) -> str:
    out: list[str] = []
    for kind, *body in doc:
        if kind in ("h2", "h3"):
            out += [f"{'##' if kind == 'h2' else '###'} {body[0]}", ""]
        elif kind == "p":
            out += [body[0], ""]
        elif kind == "i":
            out += [f"*{body[0]}*", ""]
        elif kind == "ul":
            out += [f"- {it}" for it in body[0]] + [""]
        elif kind == "table":
            head, rows = body
            out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            out += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    return "\n".join(out).rstrip() + "\n"


def _html(doc: list[tuple]) -> str:
    out = ['<div class="netgrad-trace">']
    for kind, *body in doc:
        if kind in ("h2", "h3"):
            out.append(f"<{'h3' if kind == 'h2' else 'h4'}>{body[0]}</{'h3' if kind == 'h2' else 'h4'}>")
        elif kind == "p":
            out.append(f"<p>{body[0]}</p>")
        elif kind == "i":
            out.append(f"<p><i>{body[0]}</i></p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{it}</li>" for it in body[0]) + "</ul>")
        elif kind == "table":
            head, rows = body
            out.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
                       + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
                       + "</table>")
    out.append("</div>")
    return "\n".join(out) + "\n"


def _render(fmt: str, to: Callable[[list[tuple]], str]) -> Callable[[Trace, int], str]:
    def render(t: Trace, digits: int = 6) -> str:
        return to(_doc(t, digits, _Spell(fmt)))

    return render


to_markdown = _render("md", _md)
to_html = _render("html", _html)
