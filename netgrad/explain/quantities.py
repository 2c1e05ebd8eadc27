"""``Trace.quantities()``: every number of a trace by its name in the trace's notation.

Names (notation's defaults): ``x``, ``t`` (targets; one-hot rows for class indices), ``J``,
``y_hat`` (the prediction; ``z`` too when the loss or the last layer gives probabilities),
``dJ/dy_hat`` (= dJ/da^(L)), and per layer ``W^(l)``, ``b^(l)`` (or the augmented ``Theta^(l-1)``),
``net^(l)``, ``a^(l)``, ``g'(net^(l))`` (elementwise activations), ``delta^(l)``, ``dJ/dW^(l)``,
``dJ/db^(l)`` (or ``dJ/dTheta^(l-1)``). One example gives vectors, a batch one row per example.
``autograd_quantities`` gives the same names with autograd's numbers where autograd computes them
(J, dJ/dy_hat, the deltas and the weight gradients), for ``check``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .notation import Notation

__all__ = ["quantities", "autograd_quantities", "layer_of"]


def _v(a: Any, one: bool) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[0] if one and a.ndim == 2 and a.shape[0] == 1 else a


def _theta(W: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """Theta = [b | W^T]: N_out x (N_in + 1), column 0 the bias (the weight on x_0 = 1)."""
    bias = np.zeros(W.shape[1]) if b is None else b
    return np.concatenate([bias.reshape(-1, 1), W.T], axis=1)


def _fill(t: Any, nt: Notation, delta: list, dW: list, db: list, J: float, dJ: np.ndarray) -> dict:
    one = t.x.shape[0] == 1
    q: dict[str, np.ndarray] = {"x": _v(t.x, one), "t": _v(t.t, one), "J": np.asarray(J, dtype=np.float64)}
    if t.class_targets:
        q["y"] = np.asarray(t.y)
    else:
        q["y"] = q["t"]
    q["y_hat"] = _v(t.y_hat, one)
    if t.softmax_in_loss or t.layers[-1].activation == "softmax" or t.sigmoid_in_loss:
        q["z"] = q["y_hat"]
    q["dJ/dy_hat"] = _v(dJ, one) if not (t.softmax_in_loss or t.sigmoid_in_loss) else None
    q[nt.da(len(t.layers)).text] = _v(dJ, one)
    if q["dJ/dy_hat"] is None:
        del q["dJ/dy_hat"]
    q[nt.a(0).text] = q["x"]
    for k, lt in enumerate(t.layers):
        i = lt.index
        if nt.augmented:
            q[nt.W(i).text] = _theta(lt.W, lt.b)
        else:
            q[nt.W(i).text] = lt.W
            if lt.b is not None:
                q[nt.b(i).text] = lt.b
        q[nt.net(i).text] = _v(lt.net, one)
        q[nt.a(i).text] = _v(lt.a, one)
        if lt.dg is not None:
            q[nt.dg(i).text] = _v(lt.dg, one)
        q[nt.delta_sym(i).text] = nt.sign * _v(delta[k], one)
        if nt.augmented:
            q[nt.dW(i).text] = _theta(dW[k], db[k] if lt.b is not None else None)
        else:
            q[nt.dW(i).text] = dW[k]
            if lt.b is not None:
                q[nt.db(i).text] = db[k]
    return q


def quantities(t: Any, nt: Notation) -> dict[str, np.ndarray]:
    """The trace's own (closed-form) numbers by name."""
    return _fill(t, nt, [lt.delta for lt in t.layers], [lt.dW for lt in t.layers],
                 [lt.db for lt in t.layers], t.loss, t.dJ_da)


def autograd_quantities(t: Any, nt: Notation) -> dict[str, np.ndarray]:
    """The same names, with autograd's numbers for J, dJ/dy_hat, the deltas and the gradients."""
    def pick(auto: Any, own: Any) -> Any:
        return own if auto is None else auto

    return _fill(t, nt, [pick(lt.delta_autograd, lt.delta) for lt in t.layers],
                 [pick(lt.dW_autograd, lt.dW) for lt in t.layers],
                 [pick(lt.db_autograd, lt.db) for lt in t.layers],
                 pick(t.loss_autograd, t.loss), pick(t.dJ_da_autograd, t.dJ_da))


def layer_of(t: Any, nt: Notation, name: str) -> tuple[str, int] | None:
    """('delta' | 'dW' | 'db' | 'a' | 'net' | ..., layer) for a quantity's name; None for x, t, J..."""
    for lt in t.layers:
        i = lt.index
        for kind, s in (("delta", nt.delta_sym(i)), ("dW", nt.dW(i)), ("db", nt.db(i)), ("a", nt.a(i)),
                        ("net", nt.net(i)), ("dg", nt.dg(i)), ("W", nt.W(i)), ("b", nt.b(i)),
                        ("da", nt.da(i))):
            if s.text == name:
                return kind, i
    if name in ("y_hat", "z"):
        return "out", len(t.layers)
    if name == "dJ/dy_hat":
        return "da", len(t.layers)
    return None
