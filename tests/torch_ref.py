"""Run the same function under netgrad and torch on the same inputs; compare values and gradients.

Reusable by every test file (ops, nn layers, losses, training steps). tests/conftest.py puts ``tests/`` on
``sys.path`` (for the tests in every subfolder), so::

    from torch_ref import compare_with_torch
    compare_with_torch(lambda a, b: a @ b, lambda a, b: a @ b, [A, B])
    # a layer: pass its parameters as inputs, so both libraries differentiate them too
    compare_with_torch(lambda x, w, b: NF.linear(x, w, b), torch.nn.functional.linear, [X, W, B])
    # only some inputs differentiable; also compare second derivatives
    compare_with_torch(f_ng, f_torch, [X, labels], requires_grad=[True, False], double_backward=True)

``inputs`` are NumPy arrays (or Python scalars, passed through unchanged). Floating arrays become
leaf tensors that require grad in both libraries (unless ``requires_grad`` says otherwise);
integer and boolean arrays become plain tensors (indices, masks, labels). Each output is reduced
to a scalar with the same fixed random weights in both libraries, so one backward checks every
output element, including multi-output functions (tuples/lists of tensors).

torch is a test-only dependency: import this module only from tests and benchmarks.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch

import netgrad as ng

__all__ = ["compare_with_torch", "to_ng", "to_torch", "assert_close"]


def to_ng(a: Any, requires_grad: bool = False) -> Any:
    if isinstance(a, np.ndarray):
        return ng.tensor(a, dtype=a.dtype, requires_grad=requires_grad and a.dtype.kind == "f")
    return a


def to_torch(a: Any, requires_grad: bool = False) -> Any:
    if isinstance(a, np.ndarray):
        t = torch.from_numpy(np.array(a, copy=True))
        if requires_grad and a.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    return a


def _np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy(force=True)  # force: torch may hand back a lazy ZeroTensor
    if isinstance(t, ng.Tensor):
        return t.numpy()
    return np.asarray(t)


def assert_close(actual: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5,
                 what: str = "value", check_dtype: bool = True) -> None:
    """Compare a netgrad/torch/NumPy value with another, naming what differs."""
    a, e = _np(actual), _np(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != expected {e.shape}"
    if check_dtype and a.dtype.kind == "f" and e.dtype.kind == "f":
        assert a.dtype == e.dtype, f"{what}: dtype {a.dtype} != expected {e.dtype}"
    np.testing.assert_allclose(a.astype(np.float64) if a.dtype.kind == "f" else a,
                               e.astype(np.float64) if e.dtype.kind == "f" else e,
                               atol=atol, rtol=rtol, err_msg=what)


def _outputs(out: Any) -> list:
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def _weights(outs: list, seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(_np(o).shape) for o in outs]


def _flags(inputs: Sequence[Any], requires_grad: bool | Sequence[bool]) -> list:
    if isinstance(requires_grad, bool):
        return [requires_grad and isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in inputs]
    return [bool(f) and isinstance(a, np.ndarray) and a.dtype.kind == "f"
            for a, f in zip(inputs, requires_grad)]


def compare_with_torch(
    ng_fn: Callable,
    torch_fn: Callable,
    inputs: Sequence[Any],
    atol: float = 1e-6,
    rtol: float = 1e-5,
    requires_grad: bool | Sequence[bool] = True,
    grad: bool = True,
    double_backward: bool = False,
    check_dtype: bool = True,
    seed: int = 0,
) -> tuple:
    """Check that ``ng_fn`` and ``torch_fn`` agree on ``inputs`` in value and gradient.

    ``double_backward=True`` also compares second derivatives: the first gradients are taken with
    ``create_graph=True``, reduced with fixed weights and differentiated again.
    Non-floating outputs (indices, masks) are compared by value only. Returns the netgrad and
    torch outputs.
    """
    inputs = [np.asarray(a) if isinstance(a, np.generic) else a for a in inputs]  # 0-d draws
    flags = _flags(inputs, requires_grad)
    ng_in = [to_ng(a, f) for a, f in zip(inputs, flags)]
    th_in = [to_torch(a, f) for a, f in zip(inputs, flags)]
    ng_out, th_out = ng_fn(*ng_in), torch_fn(*th_in)
    ng_outs, th_outs = _outputs(ng_out), _outputs(th_out)
    assert len(ng_outs) == len(th_outs), f"{len(ng_outs)} netgrad outputs vs {len(th_outs)} torch outputs"
    for k, (a, b) in enumerate(zip(ng_outs, th_outs)):
        assert_close(a, b, atol, rtol, f"output {k}", check_dtype)
    if not grad or not any(flags):
        return ng_out, th_out

    diff = [k for k, f in enumerate(flags) if f]
    pairs = [(a, b) for a, b in zip(ng_outs, th_outs)
             if isinstance(b, torch.Tensor) and b.requires_grad]
    if not pairs:  # e.g. argmax, comparisons: netgrad's outputs must be constants too
        assert not any(isinstance(a, ng.Tensor) and a.requires_grad for a in ng_outs), \
            "netgrad output requires grad but torch's does not"
        return ng_out, th_out
    for a, _ in pairs:
        assert isinstance(a, ng.Tensor) and a.requires_grad, "netgrad output does not require grad"
    w = _weights([b for _, b in pairs], seed)
    ng_loss = sum((a * ng.tensor(wk, dtype=a.dtype)).sum() for (a, _), wk in zip(pairs, w))
    th_loss = sum((b * torch.tensor(wk, dtype=b.dtype)).sum() for (_, b), wk in zip(pairs, w))
    ng_g = ng.autograd.grad(ng_loss, [ng_in[k] for k in diff], create_graph=double_backward)
    th_g = torch.autograd.grad(th_loss, [th_in[k] for k in diff], create_graph=double_backward,
                               allow_unused=True)
    for k, a, b in zip(diff, ng_g, th_g):
        if b is None:
            b = torch.zeros_like(th_in[k])
        if a is None:
            a = np.zeros(inputs[k].shape, dtype=inputs[k].dtype)
        assert_close(a, b, atol, rtol, f"gradient of input {k}", check_dtype)
    if not double_backward:
        return ng_out, th_out

    used = [j for j, b in enumerate(th_g) if b is not None and b.requires_grad]
    if not used:
        return ng_out, th_out
    w2 = _weights([th_g[j] for j in used], seed + 1)
    # torch sometimes records a graph for a gradient that is constant in the inputs (abs: g*sgn(x));
    # netgrad may not: such a first gradient contributes zero second derivative.
    ng_terms = [(ng_g[j] * ng.tensor(wk, dtype=ng_g[j].dtype)).sum() for j, wk in zip(used, w2)
                if ng_g[j] is not None and ng_g[j].requires_grad]
    th_l2 = sum((th_g[j] * torch.tensor(wk, dtype=th_g[j].dtype)).sum() for j, wk in zip(used, w2))
    ng_gg = (ng.autograd.grad(sum(ng_terms), [ng_in[k] for k in diff], allow_unused=True)
             if ng_terms else [None] * len(diff))
    th_gg = torch.autograd.grad(th_l2, [th_in[k] for k in diff], allow_unused=True)
    for k, a, b in zip(diff, ng_gg, th_gg):
        a = np.zeros(inputs[k].shape, inputs[k].dtype) if a is None else a
        b = torch.zeros_like(th_in[k]) if b is None else b
        assert_close(a, b, atol, rtol, f"second derivative wrt input {k}", check_dtype)
    return ng_out, th_out
