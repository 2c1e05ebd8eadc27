"""``check(trace, formulas)``: a learner's own formulas against autograd, with the slip named.

Each formula is a function of the trace's quantities (``trace.quantities()``: x, t, J, W^(l),
net^(l), a^(l), delta^(l), ... in the trace's notation) that gives one quantity by hand. ``check``
compares it with autograd's number and, when it differs, looks for the classic slips: the sign
flipped; a constant factor (2 of the squared error, 1/N of the mean); only the diagonal of the
softmax Jacobian kept; a factor g'(net) too many or missing; the logistic written 1/(1 + e^net);
else the wrong elements.

>>> import netgrad as ng
>>> from netgrad.explain import check, network
>>> t = ng.explain(network([2, 2, 1], weights=[[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]]),
...                [0.35, 0.9], 1.0, loss="squared")
>>> r = check(t, {"delta^(2)": lambda q: q["y_hat"] - q["t"]})
>>> r.ok, r["delta^(2)"].slips
(False, ['factor'])
>>> print(r["delta^(2)"].diagnosis)
off by a constant factor: 0.5 x the right value (a factor 2 missing)
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from .quantities import autograd_quantities, layer_of

__all__ = ["check", "CheckReport", "QuantityCheck"]


@dataclass
class QuantityCheck:
    """One formula's verdict: ``ok``, ``error`` (largest |got - expected|), the numbers, and for a
    mismatch ``diagnosis`` in words and ``slips`` as keywords ('sign', 'factor', 'diagonal',
    'extra_dg', 'missing_dg', 'complement', 'elements', 'shape', 'transposed', 'raised')."""

    name: str
    ok: bool
    error: float
    got: np.ndarray | None
    expected: np.ndarray
    diagnosis: str = ""
    slips: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    """The verdicts of ``check``; ``.ok`` when every formula agrees. Prints as text; ``to_markdown``,
    ``to_html`` (and rich display in notebooks)."""

    results: list[QuantityCheck]
    digits: int = 6

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def errors(self) -> dict[str, float]:
        return {r.name: r.error for r in self.results}

    def __getitem__(self, name: str) -> QuantityCheck:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def __bool__(self) -> bool:
        return self.ok

    def _summary(self) -> str:
        n, bad = len(self.results), sum(not r.ok for r in self.results)
        return (f"Checked {n} formula{'s' if n != 1 else ''} against autograd: "
                + ("all agree." if not bad else f"{n - bad} agree, {bad} differ."))

    def to_text(self) -> str:
        out = [self._summary()]
        w = max(len(r.name) for r in self.results) if self.results else 0
        for r in self.results:
            out.append(f"  {r.name:<{w}}  {'agrees' if r.ok else 'DIFFERS'}  (largest |error| {_e(r.error)})")
            if not r.ok:
                out.append(f"    {r.diagnosis}")
                if r.got is not None:
                    out.append(f"    yours:    {_arr(r.got, self.digits)}")
                out.append(f"    autograd: {_arr(r.expected, self.digits)}")
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        out = [f"**{self._summary()}**", "", "| quantity | verdict | largest error | diagnosis | yours | "
                                             "autograd |",
               "|---|---|---|---|---|---|"]
        for r in self.results:
            got = f"`{_arr(r.got, self.digits)}`" if r.got is not None else "-"
            out.append(f"| `{r.name}` | {'agrees' if r.ok else '**differs**'} | {_e(r.error)} | "
                       f"{r.diagnosis or '-'} | {got} | `{_arr(r.expected, self.digits)}` |")
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        esc = html.escape
        rows = []
        for r in self.results:
            colour = "#1a7f37" if r.ok else "#cf222e"
            got = f"<code>{esc(_arr(r.got, self.digits))}</code>" if r.got is not None else "-"
            rows.append(f"<tr><td><code>{esc(r.name)}</code></td><td style=\"color:{colour}\"><b>"
                        f"{'agrees' if r.ok else 'differs'}</b></td><td>{_e(r.error)}</td>"
                        f"<td>{esc(r.diagnosis) or '-'}</td><td>{got}</td>"
                        f"<td><code>{esc(_arr(r.expected, self.digits))}</code></td></tr>")
        return ("<div class=\"netgrad-check\"><p><b>" + esc(self._summary()) + "</b></p>\n<table>\n"
                "<tr><th>quantity</th><th>verdict</th><th>largest error</th><th>diagnosis</th>"
                "<th>yours</th><th>autograd</th></tr>\n" + "\n".join(rows) + "\n</table></div>\n")

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"CheckReport(ok={self.ok}, errors={self.errors})"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()


def _e(v: float) -> str:
    """The largest error, rounding noise shown as such (so printed reports do not vary by machine)."""
    return "-" if not np.isfinite(v) else "< 1e-12" if v < 1e-12 else f"{v:.3g}"


def _arr(a: Any, digits: int) -> str:
    from .render import _arr as arr

    a = np.asarray(a, dtype=np.float64)
    return arr(a, digits) if a.ndim else arr(a.reshape(1), digits)[1:-1]


def check(trace: Any, formulas: Mapping[str, Callable[[dict], Any]], rtol: float = 1e-6,
          atol: float = 1e-9) -> CheckReport:
    """Compare each ``formulas[name](quantities)`` with autograd's value of ``name``.

    ``name`` is a key of ``trace.quantities()`` (the trace's notation); each formula receives
    that dict. Returns a :class:`CheckReport`; ``print`` it, or read ``.ok`` and ``.errors``.
    """
    nt = trace.notation
    q = trace.quantities()
    ref = autograd_quantities(trace, nt)
    unknown = [n for n in formulas if n not in ref]
    if unknown:
        raise KeyError(f"check: no quantity named {', '.join(map(repr, unknown))} in this trace; its "
                       f"quantities are: {', '.join(ref)}")
    results = []
    for name, f in formulas.items():
        expected = np.asarray(ref[name], dtype=np.float64)
        try:
            got = np.asarray(f({k: np.array(v, copy=True) for k, v in q.items()}), dtype=np.float64)
        except Exception as e:  # the learner's formula failed: say how
            results.append(QuantityCheck(name, False, float("inf"), None, expected,
                                         f"the formula raised {type(e).__name__}: {e}", ["raised"]))
            continue
        results.append(_judge(trace, nt, name, got, expected, rtol, atol))
    return CheckReport(results, trace.digits)


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    scale = max(float(np.abs(b).max(initial=0.0)), 1e-300)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol + rtol * scale))


def _judge(t: Any, nt: Any, name: str, got: np.ndarray, expected: np.ndarray, rtol: float,
           atol: float) -> QuantityCheck:
    flipped = ""
    if got.shape != expected.shape:
        if got.size == expected.size and _squeezed(got.shape) == _squeezed(expected.shape):
            got = got.reshape(expected.shape)  # (n,) for (1, n) and the like: the same numbers
        elif got.size == 1:
            got = np.broadcast_to(got.reshape(()), expected.shape)
        elif got.ndim == 2 and got.T.shape == expected.shape:  # rows and columns swapped
            per_unit = name in ("x", "t", "y", "z", "y_hat") or name.startswith(
                ("a^", "net^", "delta^", "g'", "dJ/da^", "dJ/dy_hat", "dJ/db^"))
            hint = ("one row per example, one column per unit" if per_unit else
                    "mind which index of the weight matrix is the input and which the output")
            flipped = (f"transposed: yours is {got.shape}, it should be {expected.shape} (rows and columns "
                       f"swapped: {hint})")
            got = got.T
        else:
            return QuantityCheck(name, False, float("inf"), got, expected,
                                 f"wrong shape: yours is {got.shape}, it should be {expected.shape}",
                                 ["shape"])
    err = float(np.abs(got - expected).max(initial=0.0)) if got.size else 0.0
    if not np.isfinite(got).all():
        err = float("inf")
    if _close(got, expected, rtol, atol):
        if flipped:
            return QuantityCheck(name, False, float("inf"), got.T, expected,
                                 f"{flipped}; transposed back it agrees", ["transposed"])
        return QuantityCheck(name, True, err, got, expected)
    words, slips = _diagnose(t, nt, name, got, expected, rtol, atol)
    if flipped:
        return QuantityCheck(name, False, float("inf"), got.T, expected,
                             f"{flipped}; transposed back: {words}", ["transposed", *slips])
    return QuantityCheck(name, False, err, got, expected, words, slips)


def _squeezed(shape: tuple) -> tuple:
    return tuple(d for d in shape if d != 1)


def _nice(c: float, t: Any) -> str | None:
    """Words for a factor that a slip explains (2 of the squared error, N of the mean, K outputs)."""
    n = t.x.shape[0]
    for k, say in ((2.0, "a factor 2"), (float(n), f"the factor N = {n} (the mean's 1/N)"),
                   (float(t.output.size), f"a factor {t.output.size}")):
        if k > 1 and abs(c - 1 / k) < 1e-6 / k:
            return f"{c:.4g} x the right value ({say} missing)"
        if k > 1 and abs(c - k) < 1e-6 * k:
            return f"{c:.4g} x the right value ({say} too many)"
    return None


def _factor(got: np.ndarray, ref: np.ndarray, t: Any, rtol: float, atol: float) -> tuple[float, str] | None:
    """(c, words) with got = c ref, c != 0, 1; for one number only a factor a slip explains."""
    rr = float((ref * ref).sum())
    if rr == 0:
        return None
    c = float((got * ref).sum()) / rr
    if c == 0 or abs(c - 1) < 1e-9 or not _close(got, c * ref, rtol, atol):
        return None
    words = _nice(abs(c), t)
    if words is None:
        if ref.size == 1:
            return None
        words = f"{abs(c):.4g} x the right value"
    return c, words


def _diagnose(t: Any, nt: Any, name: str, got: np.ndarray, ref: np.ndarray, rtol: float,
              atol: float) -> tuple[str, list[str]]:
    if _close(got, -ref, rtol, atol):
        return "sign flipped: yours is minus the right value", ["sign"]
    cands = []
    for words, slip, cand in _candidates(t, nt, name):
        cand = np.asarray(cand, dtype=np.float64).reshape(ref.shape)
        if not _close(cand, ref, rtol, atol):  # else this slip would not change the number here
            cands.append((words, slip, cand))
    for words, slip, cand in cands:
        if _close(got, cand, rtol, atol):
            return words, [slip]
        if _close(got, -cand, rtol, atol):
            return f"{words}; and the sign flipped", [slip, "sign"]
    f = _factor(got, ref, t, rtol, atol)
    if f is not None:
        c, words = f
        if c < 0:
            return f"sign flipped and off by a constant factor: {words}, negated", ["sign", "factor"]
        return f"off by a constant factor: {words}", ["factor"]
    for words, slip, cand in cands:
        f = _factor(got, cand, t, rtol, atol)
        if f is not None:
            sgn = "; and the sign flipped" if f[0] < 0 else ""
            return f"{words}; and off by a constant factor: {f[1]}{sgn}", [slip, "factor"]
    bad = ~np.isclose(got, ref, rtol=rtol, atol=atol + rtol * float(np.abs(ref).max(initial=0.0)))
    idx = [tuple(int(i) for i in ix) for ix in zip(*np.nonzero(bad))]
    if bad.all() and bad.size > 1:
        return (f"no simple slip found (not a sign, a constant factor, g'(net) or the Jacobian's diagonal): "
                f"every element differs, by up to {float(np.abs(got - ref).max()):.3g}", ["elements"])
    if bad.size == 1:
        r = float(got.reshape(-1)[0] / ref.reshape(-1)[0]) if ref.reshape(-1)[0] else float("nan")
        return (f"wrong value (not a sign, a factor 2 or N, g'(net) or the Jacobian's diagonal): yours is "
                f"{r:.4g} x the right one", ["elements"])
    shown = "; ".join(f"{_pos(i)}: yours {got[i]:.6g}, right {ref[i]:.6g}" for i in idx[:4])
    more = f" and {len(idx) - 4} more" if len(idx) > 4 else ""
    plural = "s" if len(idx) > 1 else ""
    return f"wrong element{plural} ({len(idx)} of {bad.size}): {shown}{more}", ["elements"]


def _pos(i: tuple) -> str:
    return "[" + ", ".join(str(k + 1) for k in i) + "]" if i else "the value"


def _candidates(t: Any, nt: Any, name: str) -> list[tuple[str, str, np.ndarray]]:
    """The classic slips for this quantity, each as the number it would give."""
    where = layer_of(t, nt, name)
    if where is None:
        return []
    kind, i = where
    L = len(t.layers)
    lt = t.layers[i - 1]
    one = t.x.shape[0] == 1
    out: list[tuple[str, str, np.ndarray]] = []
    if kind in ("a", "out") and (lt.activation == "sigmoid" or t.sigmoid_in_loss and kind == "out"):
        val = t.y_hat if kind == "out" else lt.a
        out.append(("the logistic written 1/(1 + e^net) instead of 1/(1 + e^-net): yours is sigma(-net) = "
                    "1 - sigma(net)", "complement", _row(1 - val, one)))
    if kind == "net" and lt.b is not None:
        out.append((f"the bias {nt.b(i).text} left out", "bias", _row(lt.net - lt.b, one)))
    if kind not in ("delta", "dW", "db"):
        return out
    delta = lt.delta_autograd if lt.delta_autograd is not None else lt.delta
    up = t.dJ_da if i == L else _upstream(t, i)
    alts: list[tuple[str, str, np.ndarray]] = []
    g = nt.dg(i).text
    if lt.dg is not None and not np.allclose(lt.dg, 1):
        alts.append((f"an extra factor {g}: g'(net) applied twice", "extra_dg", delta * lt.dg))
        with np.errstate(divide="ignore", invalid="ignore"):
            miss = np.where(lt.dg != 0, delta / np.where(lt.dg != 0, lt.dg, 1), 0.0)
        alts.append((f"a factor {g} missing", "missing_dg", miss))
    if lt.activation == "softmax":
        alts.append(("only the diagonal of the softmax Jacobian kept: dz_k/dnet_k = z_k (1 - z_k) used, the "
                     "off-diagonal terms -z_j z_k dropped", "diagonal", up * lt.a * (1 - lt.a)))
    if i == L and t.softmax_in_loss:
        z = t.y_hat
        alts.append(("only the diagonal of the Jacobian kept: the output sensitivity written as "
                     "dJ/dz * z (1 - z) instead of z - t", "diagonal", (-t.t / np.maximum(z, 1e-300))
                     * z * (1 - z) / (t.x.shape[0] if "N" in t.loss_grad_formula else 1)))
    a_prev = t.layers[i - 2].a if i > 1 else t.x
    for words, slip, d in alts:
        if kind == "delta":
            val = nt.sign * d
        elif kind == "dW":
            val = a_prev.T @ d
            if nt.augmented:
                from .quantities import _theta

                val = _theta(val, d.sum(axis=0) if lt.b is not None else None)
        else:
            val = d.sum(axis=0)
        out.append((words, slip, _row(val, one) if kind != "dW" else val))
    return out


def _upstream(t: Any, i: int) -> np.ndarray:
    nxt = t.layers[i]
    d = nxt.delta_autograd if nxt.delta_autograd is not None else nxt.delta
    return d @ nxt.W.T


def _row(a: np.ndarray, one: bool) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[0] if one and a.ndim == 2 and a.shape[0] == 1 else a
