"""One backward for both modes: ops that save their own output (save_for_backward) or branch on
ctx.create_graph, against torch: second derivatives on 0-d tensors and on reductions without
keepdim (the saved output is the returned array), PyTorch's rule for an in-place change of a saved
output or input before backward, and gradients that own their memory (_fresh_grads)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import assert_close, compare_with_torch

import netgrad as ng

F, TF = ng.nn.functional, torch.nn.functional

# name: (netgrad fn, torch fn); each works on one float64 input in (0.2, 0.9)
UNARY = {
    "exp": (ng.exp, torch.exp),
    "sqrt": (ng.sqrt, torch.sqrt),
    "exp2": (ng.exp2, torch.exp2),
    "rsqrt": (ng.rsqrt, torch.rsqrt),
    "tan": (ng.tan, torch.tan),
    "erfinv": (ng.erfinv, torch.erfinv),
    "lgamma": (ng.lgamma, torch.lgamma),
    "digamma": (ng.digamma, torch.digamma),
    "elu": (lambda x: F.elu(x - 0.5, 0.7), lambda x: TF.elu(x - 0.5, 0.7)),
    "hypot": (lambda x: ng.hypot(x, x * x + 0.1), lambda x: torch.hypot(x, x * x + 0.1)),
    "logaddexp": (lambda x: ng.logaddexp(x, x * x), lambda x: torch.logaddexp(x, x * x)),
    "logaddexp2": (lambda x: ng.logaddexp2(x, 1 - x), lambda x: torch.logaddexp2(x, 1 - x)),
    "logsumexp": (lambda x: x.logsumexp(0), lambda x: x.logsumexp(0)),
    "norm": (lambda x: x.norm(), lambda x: x.norm()),
    "sigmoid": (ng.sigmoid, torch.sigmoid),
    "tanh": (ng.tanh, torch.tanh),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_double_backward_on_0d_tensors_matches_torch(name):
    # NumPy's ufuncs give a scalar, not an array, for 0-d input: the saved output must still be
    # the output, attached to the node, for the second derivative to be right.
    ngf, thf = UNARY[name]
    compare_with_torch(ngf, thf, [np.array(0.3)], atol=1e-10, rtol=1e-8, double_backward=True)


REDUCE = {
    "std": (lambda x, **k: x.std(**k), lambda x, **k: x.std(**k)),
    "logsumexp": (lambda x, **k: x.logsumexp(**k), lambda x, **k: x.logsumexp(**k)),
    "norm": (lambda x, **k: x.norm(**k), lambda x, **k: torch.linalg.vector_norm(x, **k)),
    "prod": (lambda x, **k: x.prod(**k), lambda x, **k: x.prod(**k)),
}


@pytest.mark.parametrize("dim", [0, 1, -1, None], ids=str)
@pytest.mark.parametrize("name", list(REDUCE))
def test_reduction_double_backward_without_keepdim_matches_torch(name, dim, rng):
    # without keepdim the saved output has the reduced shape; backward restores the kept dims
    ngf, thf = REDUCE[name]
    a = rng.uniform(0.5, 1.5, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))  # no zeros: prod's form
    kw = {} if dim is None else {"dim": dim}
    if name == "logsumexp" and dim is None:
        kw = {"dim": (0, 1)}
    compare_with_torch(lambda t: ngf(t, **kw), lambda t: thf(t, **kw), [a], atol=1e-10, rtol=1e-8,
                       double_backward=True)


def _inplace_before_backward(lib, fn, change):
    """Run fn on two non-leaf tensors, change its output ('out') or first input ('in') in place,
    backward: None if that raises, else the leaves' gradients."""
    la = lib.tensor(np.array([0.1, -0.5, 0.7]), requires_grad=True)
    lb = lib.tensor(np.array([0.3, 0.2, -0.9]), requires_grad=True)
    a, b = la * 1, lb * 1
    y = fn(lib, a, b)
    (y if change == "out" else a).mul_(3)
    try:
        y.sum().backward()
    except RuntimeError:
        return None
    return [t.grad for t in (la, lb)]


INPLACE = {
    "exp": lambda lib, a, b: a.exp(),
    "sqrt": lambda lib, a, b: a.exp().sqrt(),
    "exp2": lambda lib, a, b: lib.exp2(a),
    "rsqrt": lambda lib, a, b: a.exp().rsqrt(),
    "tan": lambda lib, a, b: a.tan(),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "erfinv": lambda lib, a, b: lib.erfinv(a),
    "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "logaddexp2": lambda lib, a, b: lib.logaddexp2(a, b),
    "std": lambda lib, a, b: (a * b).std(0),
    "logsumexp": lambda lib, a, b: (a * b).logsumexp(0),
    "norm": lambda lib, a, b: (a * b).norm(),
    "silu": lambda lib, a, b: lib.nn.functional.silu(a),
    "softplus": lambda lib, a, b: lib.nn.functional.softplus(a, beta=2.0),
    "gelu": lambda lib, a, b: lib.nn.functional.gelu(a),
    "bce_with_logits": lambda lib, a, b: lib.nn.functional.binary_cross_entropy_with_logits(
        a, b.sigmoid(), pos_weight=lib.tensor(2.0, dtype=lib.float64), reduction="none"),
    "sigmoid": lambda lib, a, b: a.sigmoid(),
    "tanh": lambda lib, a, b: a.tanh(),
    "softmax": lambda lib, a, b: (a * b).softmax(0),
    "log_softmax": lambda lib, a, b: (a * b).log_softmax(0),
}


@pytest.mark.parametrize("change", ["out", "in"])
@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_change_before_backward_follows_torch(name, change):
    """Raises where PyTorch raises (a saved value changed); elsewhere the gradients are PyTorch's."""
    fn = INPLACE[name]
    got, want = _inplace_before_backward(ng, fn, change), _inplace_before_backward(torch, fn, change)
    assert (got is None) == (want is None), f"{name}: netgrad {'raises' if got is None else 'does not raise'}"
    for g, w in zip(got or (), want or ()):
        if w is None:
            assert g is None
        else:
            assert_close(g, w, 1e-12, 1e-10, f"{name} gradient after an in-place change of its {change}")


def test_elu_input_change_raises_as_in_torch():
    # elu also saves its output (the formula reads it), which PyTorch's out-of-place elu does not
    assert _inplace_before_backward(ng, lambda lib, a, b: lib.nn.functional.elu(a), "in") is None


FRESH = ["exp", "sqrt", "exp2", "rsqrt", "tan", "erfinv", "lgamma", "digamma", "elu", "hypot",
         "logaddexp", "logsumexp", "norm", "sigmoid", "tanh"]


@pytest.mark.parametrize("name", FRESH)
def test_leaf_gradient_owns_its_memory(name):
    # these ops declare _fresh_grads: their gradient becomes .grad without a copy, so it must share
    # memory with nothing the graph keeps (the saved output, the incoming gradient)
    x = ng.tensor(np.array([0.3, 0.6, 0.8]), requires_grad=True)
    y = UNARY[name][0](x)
    g = ng.ones_like(y)
    y.backward(g)
    assert not np.shares_memory(x.grad.numpy(), y.numpy())
    assert not np.shares_memory(x.grad.numpy(), g.numpy())


@pytest.mark.parametrize("pos_weight", [None, 2.5])
def test_binary_cross_entropies_double_backward_in_input_and_target_match_torch(pos_weight, rng):
    z, t = rng.standard_normal((3, 4)), rng.uniform(0.1, 0.9, (3, 4))
    pw = pos_weight
    compare_with_torch(
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, pos_weight=None if pw is None else ng.tensor(pw, dtype=ng.float64), reduction="sum"),
        lambda a, b: TF.binary_cross_entropy_with_logits(
            a, b, pos_weight=None if pw is None else torch.tensor(pw, dtype=torch.float64), reduction="sum"),
        [z, t], atol=1e-10, rtol=1e-8, double_backward=True)
    p = 1 / (1 + np.exp(-z))
    compare_with_torch(lambda a, b: F.binary_cross_entropy(a, b, reduction="sum"),
                       lambda a, b: TF.binary_cross_entropy(a, b, reduction="sum"),
                       [p, t], atol=1e-9, rtol=1e-8, double_backward=True)


def test_inplace_scatter_double_backward_matches_torch(rng):
    # x[i] = v and a change through a view (ViewScatter, PyTorch's CopySlices) under create_graph
    def setitem(lib):
        def f(x, v):
            h = x * x
            h[1:, 0] = v * v
            return h * x
        return f

    def through_view(lib):
        def f(x, v):
            h = x * x
            h[0].mul_(v)
            return h.exp()
        return f

    x, v = rng.standard_normal((3, 4)), rng.standard_normal(2)
    compare_with_torch(setitem(ng), setitem(torch), [x, v], atol=1e-10, rtol=1e-8, double_backward=True)
    compare_with_torch(through_view(ng), through_view(torch), [x, rng.standard_normal(4)], atol=1e-10,
                       rtol=1e-8, double_backward=True)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_double_backward_reads_the_saved_output_as_torch(name, rng):
    # both save their output a (softmax(net) = a, or e^a): under create_graph it comes back
    # attached to the node, so the second derivative runs through it as in PyTorch
    a = rng.normal(size=(3, 4))
    w = rng.normal(size=(3, 4))
    compare_with_torch(lambda t: getattr(t, name)(1) * ng.tensor(w),
                       lambda t: getattr(t, name)(1) * torch.tensor(w), [a],
                       atol=1e-10, rtol=1e-8, double_backward=True)
