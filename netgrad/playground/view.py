"""The JSON the page draws: the network's numbers per neuron and edge, the equations panel (from
``netgrad.explain``'s trace in the chosen notation), the loss curve and the decision boundary."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from .config import RequestError
from .session import Session

__all__ = ["parse_notation", "state"]


def parse_notation(raw: Any) -> Any:
    """A ``netgrad.explain.Notation`` from the request's ``notation`` (delta, first_layer, augmented)."""
    from ..explain import Notation

    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise RequestError("notation: must be a JSON object")
    for key in raw:
        if key not in ("delta", "first_layer", "augmented"):
            raise RequestError(f"notation.{key!s:.30}: unknown field; known: delta, first_layer, augmented")
    delta = raw.get("delta", "+dJ/dnet")
    if delta not in ("+dJ/dnet", "-dJ/dnet"):
        raise RequestError(f"notation.delta: must be '+dJ/dnet' or '-dJ/dnet', got {delta!r:.30}")
    first = raw.get("first_layer", 0)
    if first not in (0, 1) or isinstance(first, bool):
        raise RequestError(f"notation.first_layer: must be 0 or 1, got {first!r:.30}")
    aug = raw.get("augmented", False)
    if not isinstance(aug, bool):
        raise RequestError(f"notation.augmented: must be true or false, got {aug!r:.30}")
    return Notation(delta=delta, first_layer=first, augmented=aug)


def _num(v: float) -> str:
    return f"{float(v) + 0.0:.7g}".replace("-", "\u2212")  # + 0.0: no "-0" for a negative zero


_SHOWN = 16  # numbers written out per quantity; the rest are on the edges (hover) and in the API


def _vec(a: Any) -> str:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return _num(a)
    if a.ndim == 1:
        more = f", \u2026 ({a.size} in all)" if a.size > _SHOWN else ""
        return "[" + ", ".join(_num(v) for v in a[:_SHOWN]) + more + "]"
    rows = max(1, _SHOWN // a.shape[1])
    more = f"; \u2026 ({a.shape[0]} \u00d7 {a.shape[1]} in all)" if a.shape[0] > rows else ""
    return "[" + "; ".join(", ".join(_num(v) for v in row) for row in a[:rows]) + more + "]"


def _eq(lhs: str, rhs: str, value: Any, cls: str = "") -> dict[str, str]:
    sep = " " if lhs.endswith("&larr;") else " = "  # an update reads W <- W - eta dJ/dW, not W <- = ...
    return {"html": f"{lhs}{sep}{rhs}", "value": _vec(value), "cls": cls}


def _row(a: Any, r: int = 0) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[r] if a.ndim == 2 else a


def _mlp_equations(s: Session, nt: Any) -> list[dict[str, Any]]:
    tr = s.trace
    q = tr.quantities(nt)
    L = len(tr.layers)
    many = tr.x.shape[0] > 1
    sections: list[dict[str, Any]] = []
    note = f" (example 1 of the {tr.x.shape[0]} in this batch)" if many else ""
    fwd = []
    for lt in tr.layers:
        i = lt.index
        a_prev, W, b = nt.a(i - 1).html, nt.W(i).html, nt.b(i).html
        if nt.augmented:
            rhs = f"{W} [1; {a_prev}]"
        else:
            rhs = f"{a_prev} {W}" + (f" + {b}" if lt.b is not None else "")
        fwd.append(_eq(nt.net(i).html, rhs, _row(q[nt.net(i).text])))
        g = html.escape(lt.activation)
        fwd.append(_eq(nt.a(i).html, f"{g}({nt.net(i).html})", _row(q[nt.a(i).text])))
    fwd.append({"html": f"<i>&ycirc;</i> = {_vec(_row(tr.y_hat))}, target <i>t</i> = {_vec(_row(tr.t))}",
                "value": "", "cls": ""})
    fwd.append(_eq("<i>J</i>", html.escape(tr.loss_formula.split("=", 1)[1].strip()), tr.loss, "loss"))
    sections.append({"title": "Forward" + note, "phase": "forward", "lines": fwd})
    bwd = []
    sign = "" if nt.sign > 0 else "\u2212"
    last = tr.layers[-1]
    if tr.softmax_in_loss or tr.sigmoid_in_loss:
        rhs = f"{sign}({html.escape(tr.loss_grad_formula)})"
    else:
        bwd.append(_eq(nt.da(L).html, html.escape(tr.loss_grad_formula), _row(tr.dJ_da)))
        dg = nt.dg(L).html if last.dg is not None else "J<sub>softmax</sub>"
        rhs = f"{sign}{nt.da(L).html} &odot; {dg}"
    bwd.append(_eq(nt.delta_sym(L).html, rhs, _row(q[nt.delta_sym(L).text]), "delta"))
    for lt in reversed(tr.layers[:-1]):
        i = lt.index
        rhs = f"({nt.delta_sym(i + 1).html} {nt.W(i + 1).html}<sup>T</sup>) &odot; {nt.dg(i).html}"
        if nt.augmented:
            rhs = f"({nt.delta_sym(i + 1).html} {nt.W(i + 1).html}<sub>[:,1:]</sub>) &odot; {nt.dg(i).html}"
        bwd.append(_eq(nt.delta_sym(i).html, rhs, _row(q[nt.delta_sym(i).text]), "delta"))
    for lt in tr.layers:
        i = lt.index
        if nt.augmented:
            rhs = f"{sign}{nt.delta_sym(i).html}<sup>T</sup> [1, {nt.a(i - 1).html}]"
            bwd.append(_eq(nt.dW(i).html, rhs, q[nt.dW(i).text], "grad"))
            continue
        bwd.append(_eq(nt.dW(i).html, f"{sign}{nt.a(i - 1).html}<sup>T</sup> {nt.delta_sym(i).html}",
                       q[nt.dW(i).text], "grad"))
        if lt.b is not None:
            rhs = f"{sign}&Sigma; {nt.delta_sym(i).html}"
            bwd.append(_eq(nt.db(i).html, rhs, q[nt.db(i).text], "grad"))
    sections.append({"title": "Backward", "phase": "backward", "lines": bwd})
    if s.phase == "update" and s.old is not None:
        upd = []
        op = "+" if tr.maximise else "\u2212"
        new = s.weights()
        for lt, (W, b) in zip(tr.layers, new):
            i = lt.index
            if nt.augmented:
                theta = np.concatenate([(np.zeros(W.shape[1]) if b is None else b).reshape(-1, 1), W.T], 1)
                rule = f"{nt.W(i).html} {op} &eta; {nt.dW(i).html}"
                upd.append(_eq(nt.W(i).html + " &larr;", rule, theta, "new"))
                continue
            rule = f"{nt.W(i).html} {op} &eta; {nt.dW(i).html}"
            upd.append(_eq(nt.W(i).html + " &larr;", rule, W, "new"))
            if b is not None:
                rule = f"{nt.b(i).html} {op} &eta; {nt.db(i).html}"
                upd.append(_eq(nt.b(i).html + " &larr;", rule, b, "new"))
        sections.append({"title": f"Update (&eta; = {_num(tr.lr)})", "phase": "update", "lines": upd})
    return sections


def _perceptron_equations(s: Session) -> list[dict[str, Any]]:
    tr = s.trace
    xa, net, y_hat, t = tr["x"][0], tr["net"][0], tr["y_hat"][0], tr["t"][0]
    w = s.old[0] if s.old else s.weights()[0]
    wv = np.concatenate([w[1], w[0][:, 0]])
    w0, w1, w2, x1, x2 = (f"<i>{c}</i><sub>{k}</sub>" for c, k in ("w0", "w1", "w2", "x1", "x2"))
    fwd = [{"html": f"<i>x</i> = [1, {x1}, {x2}]", "value": _vec(xa), "cls": ""},
           _eq("net", f"<i>w</i> &middot; <i>x</i> = {w0} + {w1} {x1} + {w2} {x2}", net),
           _eq("<i>&ycirc;</i>", "step(net) (1 if net &ge; 0 else 0)", y_hat),
           {"html": f"target <i>t</i> = {_vec(t)}", "value": "", "cls": ""}]
    err = "<i>t</i> &minus; <i>&ycirc;</i>"
    bwd = [_eq(err, "the error (no gradient: step has none)", t - y_hat, "delta")]
    out = [{"title": "Forward (one example)", "phase": "forward", "lines": fwd},
           {"title": "Rosenblatt's rule", "phase": "backward", "lines": bwd}]
    if s.phase == "update" and s.old is not None:
        W, b = s.weights()[0]
        out.append({"title": "Update", "phase": "update", "lines": [
            _eq("<i>w</i> &larr;", f"<i>w</i> + &eta; ({err}) <i>x</i>, &eta; = {_num(s.cfg['lr'])}",
                np.concatenate([b, W[:, 0]]), "new"),
            {"html": "(before: " + _vec(wv) + ")", "value": "", "cls": ""}]})
    return out


def _neurons(s: Session, nt: Any) -> list[dict[str, Any]]:
    """Per layer (input first): per unit the shown example's net, a, delta (printed sign)."""
    phase = s.phase
    tr = s.trace
    layers: list[dict[str, Any]] = []
    if tr is None or phase == "ready":
        return layers
    if s.perceptron:
        x = tr["x"][0][1:]
        layers.append({"a": x.tolist()})
        out = {"net": [float(tr["net"][0])], "a": [float(tr["y_hat"][0])]}
        if phase != "forward":
            out["delta"] = [float(tr["t"][0] - tr["y_hat"][0])]
        layers.append(out)
        return layers
    layers.append({"a": _row(tr.x).tolist()})
    for lt in tr.layers:
        d: dict[str, Any] = {"net": _row(lt.net).tolist(), "a": _row(lt.a).tolist()}
        if phase != "forward":
            d["delta"] = (nt.sign * _row(lt.delta)).tolist()
            d["db"] = None if lt.db is None else lt.db.tolist()
        layers.append(d)
    return layers


def state(s: Session, nt: Any, sid: str) -> dict[str, Any]:
    """Everything the page shows, as JSON values."""
    weights = [{"W": W.tolist(), "b": None if b is None else b.tolist()} for W, b in s.weights()]
    grads = None
    if s.trace is not None and s.phase in ("backward", "update") and not s.perceptron:
        grads = [{"W": lt.dW.tolist(), "b": None if lt.db is None else lt.db.tolist()}
                 for lt in s.trace.layers]
    if s.trace is None or s.phase == "ready":
        equations: list[dict[str, Any]] = []
    else:
        equations = _perceptron_equations(s) if s.perceptron else _mlp_equations(s, nt)
    return {"id": sid, "config": s.cfg, "sizes": s.sizes, "task": s.task, "n_classes": s.n_classes,
            "phase": s.phase, "epoch": s.epoch, "steps": s.steps, "batch": s.batch.tolist(),
            "data": {"X": s.X.round(4).tolist(), "y": s.y.reshape(-1).round(4).tolist()},
            "weights": weights, "grads": grads, "neurons": _neurons(s, nt), "equations": equations,
            "history": s.history, "boundary": s.boundary(),
            "notes": [] if s.perceptron or s.trace is None or s.phase == "ready" else list(s.trace.notes),
            "names": {"delta": nt.delta_sym(1).html.split("<sup>")[0], "first_layer": nt.first_layer,
                      "sign": nt.delta}}
