"""``netgrad.autograd.functional``: Jacobians, Hessians and vector products of whole functions,
as ``torch.autograd.functional`` (built on ``autograd.grad``: one backward per output element for a
Jacobian, double backward for Hessians and Jacobian-vector products).

For f: R^n -> R^m the Jacobian J[i, j] = df_i/dx_j; a vector-Jacobian product is v^T J (one backward,
what backpropagation computes), a Jacobian-vector product J v.

>>> import netgrad as ng
>>> from netgrad.autograd.functional import jacobian, hessian
>>> jacobian(lambda x: x ** 2, ng.tensor([1.0, 3.0]))
tensor([[2., 0.],
        [0., 6.]])
>>> hessian(lambda x: (x ** 3).sum(), ng.tensor([1.0, 2.0]))
tensor([[6., 0.],
        [0., 12.]])
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .engine import grad
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


def _inputs(inputs: Any, create_graph: bool = False) -> tuple[tuple[Tensor, ...], bool]:
    """The inputs as fresh leaves, or, under ``create_graph``, still attached to their graph (so the
    result can be differentiated with respect to them, as in PyTorch)."""
    one = isinstance(inputs, Tensor)
    ts = (inputs,) if one else tuple(inputs)
    for k, t in enumerate(ts):
        if not isinstance(t, Tensor):
            raise TypeError(f"autograd.functional: input {k} must be a Tensor, got {type(t).__name__}")
        if t.dtype.kind != "f":
            raise TypeError(f"autograd.functional: input {k} must be floating point, got {t.dtype}")
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
                 for t in ts), one


def _outputs(out: Any) -> tuple[tuple[Tensor, ...], bool]:
    one = isinstance(out, Tensor)
    outs = (out,) if one else tuple(out)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"autograd.functional: output {k} of the function must be a Tensor, got "
                            f"{type(o).__name__}")
    return outs, one


def _grads(outs: tuple, ins: tuple, v: tuple, create_graph: bool, strict: bool) -> list:
    if not any(o.requires_grad for o in outs):
        if strict:
            raise RuntimeError("autograd.functional: the output does not depend on the inputs (strict=True)")
        return [Tensor._make(np.zeros(t.shape, t.dtype)) for t in ins]
    pairs = [(o, g) for o, g in zip(outs, v) if o.requires_grad]
    res = grad([o for o, _ in pairs], ins, [g for _, g in pairs], retain_graph=True,
               create_graph=create_graph, allow_unused=True)
    out = []
    for t, r in zip(ins, res):
        if r is None and strict:
            raise RuntimeError("autograd.functional: an input is not used by the function (strict=True)")
        out.append(Tensor._make(np.zeros(t.shape, t.dtype)) if r is None else r)
    return out


def _finish(t: Tensor, create_graph: bool) -> Tensor:
    return t if create_graph else t.detach()


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """J[i..., j...] = d func(inputs)[i...] / d inputs[j...]; a tuple of tuples for several
    outputs and inputs, as PyTorch returns."""
    ins, one_in = _inputs(inputs, create_graph)
    with enable_grad():
        outs, one_out = _outputs(func(*ins))
        table = []
        for o in outs:
            rows: list[list[Tensor]] = [[] for _ in ins]
            for idx in np.ndindex(*o.shape):
                e = np.zeros(o.shape, o.dtype)
                e[idx] = 1
                for k, g in enumerate(_grads((o,), ins, (Tensor._make(e),), create_graph, strict)):
                    rows[k].append(g)
            table.append(tuple(_stack_rows(r, o.shape, t.shape, create_graph) for r, t in zip(rows, ins)))
    if one_out and one_in:
        return table[0][0]
    if one_out:
        return table[0]
    return tuple(t[0] for t in table) if one_in else tuple(table)


def _stack_rows(rows: list, out_shape: tuple, in_shape: tuple, create_graph: bool) -> Tensor:
    """The rows d out[i] / d x stacked into a tensor of shape out_shape + in_shape. Under
    ``create_graph`` the stack stays differentiable: sum_i e_i (x) row_i, with Tensor's own operators
    (this layer may not import the op families above it)."""
    n = len(rows)
    if not rows:
        return Tensor._make(np.zeros(out_shape + in_shape))
    if not create_graph:
        return Tensor._make(np.stack([r._data for r in rows]).reshape(out_shape + in_shape))
    total = None
    for i, r in enumerate(rows):
        e = np.zeros((n,) + (1,) * len(in_shape), dtype=r.dtype)
        e[i] = 1
        term = Tensor._make(e) * r.reshape((1,) + tuple(in_shape))
        total = term if total is None else total + term
    return total.reshape(out_shape + in_shape)


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """H[i, j] = d^2 func / d x_i d x_j of a scalar function (the Jacobian of its gradient)."""
    ins, one_in = _inputs(inputs, create_graph)

    def gradient(*xs: Tensor) -> Any:
        out, _ = _outputs(func(*xs))
        if out[0].numel() != 1:
            raise RuntimeError("hessian: the function must return a single-element Tensor")
        g = _grads(out, xs, (Tensor._make(np.ones(out[0].shape, out[0].dtype)),), True, strict)
        return g[0] if one_in else tuple(g)

    return jacobian(gradient, ins[0] if one_in else ins, create_graph=create_graph, strict=strict)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T J): one backward pass, what backpropagation computes."""
    ins, one_in = _inputs(inputs, create_graph)
    with enable_grad():
        outs, one_out = _outputs(func(*ins))
        g = _grads(outs, ins, _vectors(v, outs, "vjp"), create_graph, strict)
    res = tuple(_finish(t, create_graph) for t in g)
    out = tuple(_finish(o, create_graph) for o in outs)
    return (out[0] if one_out else out), (res[0] if one_in else res)


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), J v), by the double-backward trick: J v = d/du (u^T J v) with u a dummy."""
    ins, one_in = _inputs(inputs, create_graph)
    vs = _vectors(v, ins, "jvp")
    with enable_grad():
        outs, one_out = _outputs(func(*ins))
        us = tuple(Tensor._make(np.zeros(o.shape, o.dtype)).requires_grad_(True) for o in outs)
        g = _grads(outs, ins, us, True, strict)
        jv = _grads(tuple(g), us, vs, create_graph, strict)
    out = _finish(outs[0], create_graph) if one_out else tuple(_finish(o, create_graph) for o in outs)
    jv = tuple(_finish(t, create_graph) for t in jv)
    return out, jv[0] if one_out else jv


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T H) for a scalar function."""
    ins, one_in = _inputs(inputs, create_graph)
    vs = _vectors(v, ins, "vhp")
    with enable_grad():
        out, _ = _outputs(func(*ins))
        if out[0].numel() != 1:
            raise RuntimeError("vhp: the function must return a single-element Tensor")
        g = _grads(out, ins, (Tensor._make(np.ones(out[0].shape, out[0].dtype)),), True, strict)
        res = _grads(tuple(g), ins, vs, create_graph, strict)
    res = tuple(_finish(t, create_graph) for t in res)
    return _finish(out[0], create_graph), res[0] if one_in else res


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), H v); H is symmetric for smooth functions, so this equals v^T H."""
    return vhp(func, inputs, v, create_graph, strict)


def _vectors(v: Any, like: tuple, op: str) -> tuple:
    if v is None:
        if any(t.numel() != 1 for t in like):
            raise RuntimeError(f"{op}: v may be omitted only when the tensor it multiplies has one element")
        return tuple(Tensor._make(np.ones(t.shape, t.dtype)) for t in like)
    vs = (v,) if isinstance(v, Tensor) else tuple(v)
    if len(vs) != len(like) or any(a.shape != b.shape for a, b in zip(vs, like)):
        raise RuntimeError(f"{op}: v must match the shapes {[tuple(t.shape) for t in like]}, got "
                           f"{[tuple(a.shape) for a in vs]}")
    return vs
