"""Graph introspection as in PyTorch: grad_fn names, next_functions, tensor hooks, retain_grad."""

import re

import numpy as np
import pytest
import torch

import netgrad as ng


def test_grad_fn_repr_name_and_next_functions():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    c = ng.tensor([3.0, 4.0])
    y = (x * c).sum()
    assert re.fullmatch(r"<SumBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    assert y.grad_fn.name() == "SumBackward0"
    assert "grad_fn=<SumBackward0>" in repr(y)
    (mul, idx), = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0" and idx == 0
    acc, none = mul.next_functions
    assert type(acc[0]).__name__ == "AccumulateGrad" and acc[0].variable is x
    assert none == (None, 0)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    ty = (tx * torch.tensor([3.0, 4.0])).sum()
    tmul = ty.grad_fn.next_functions[0][0]
    assert [type(f).__name__ if f is not None else None for f, _ in tmul.next_functions] == \
        [type(f).__name__ if f is not None else None for f, _ in mul.next_functions]


def test_walk_the_graph_like_the_autograd_tutorial():
    x = ng.ones(5)
    w = ng.randn(5, 3, requires_grad=True)
    b = ng.randn(3, requires_grad=True)
    z = ng.matmul(x, w) + b
    names, stack = [], [z.grad_fn]
    while stack:
        fn = stack.pop()
        names.append(type(fn).__name__)
        stack.extend(f for f, _ in fn.next_functions if f is not None)
    assert names.count("AccumulateGrad") == 2


@pytest.mark.parametrize("lib", [ng, torch])
def test_tensor_hooks_scale_leaf_and_intermediate_gradients(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    seen = []
    hx = x.register_hook(lambda g: g * 10)
    h = x * x
    h.register_hook(lambda g: seen.append(g.clone()) or None)
    h.retain_grad()
    (h * 2 + h).sum().backward()   # two paths into h: its hook sees the summed gradient once
    assert len(seen) == 1
    np.testing.assert_allclose(np.asarray(seen[0].tolist()), [3.0, 3.0, 3.0])
    np.testing.assert_allclose(np.asarray(x.grad.tolist()), [60.0, -120.0, 180.0])
    np.testing.assert_allclose(np.asarray(h.grad.tolist()), [3.0, 3.0, 3.0])
    hx.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad.tolist()), [2.0, -4.0, 6.0])


def test_leaf_hook_sees_the_sum_of_all_paths_once():
    for lib in (ng, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        calls = []
        x.register_hook(lambda g: calls.append(g.tolist()))
        (x * 2 + x * 3).sum().backward()
        assert calls == [[5.0, 5.0]]


def test_hook_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError):
        ng.ones(2).register_hook(lambda g: g)
    with pytest.raises(RuntimeError):
        torch.ones(2).register_hook(lambda g: g)


def test_common_node_names_match_torch():
    x, tx = ng.randn(3, 4, requires_grad=True), torch.randn(3, 4, requires_grad=True)
    y, ty = ng.tensor([0, 1, 2]), torch.tensor([0, 1, 2])
    pairs = [
        (ng.nn.Linear(4, 2)(x), torch.nn.Linear(4, 2)(tx)),
        (x @ ng.randn(4, 2), tx @ torch.randn(4, 2)),
        (ng.nn.functional.cross_entropy(x, y), torch.nn.functional.cross_entropy(tx, ty)),
        (x.view(-1), tx.view(-1)), (x.relu(), tx.relu()), (x.exp(), tx.exp()), (x * 2, tx * 2),
        (x.sum(), tx.sum()), (x.clamp(0, 1), tx.clamp(0, 1)), (x.double(), tx.double()),
        (ng.nn.functional.log_softmax(x, 1), torch.nn.functional.log_softmax(tx, 1)),
    ]
    for n, t in pairs:
        assert n.grad_fn.name() == t.grad_fn.name()


def test_leaf_hook_runs_as_soon_as_its_gradient_is_complete():
    """A leaf's hook fires once its last gradient has arrived, before backward reaches the
    earlier layers (what lets DDP start an allreduce while backward goes on)."""
    order = []
    w1 = ng.tensor([1.0, 2.0], requires_grad=True)
    w2 = ng.tensor([3.0, 4.0], requires_grad=True)
    w2.register_hook(lambda g: order.append("w2") or None)
    x = ng.tensor([1.0, 1.0])
    h = (x * w1).exp()
    h.register_hook(lambda g: order.append("h") or None)
    loss = (h * w2 + h * w2 * 2).sum()
    loss.backward()
    assert order == ["w2", "h"]
    np.testing.assert_allclose(w2.grad.numpy(), 3 * np.exp([1.0, 2.0]), rtol=1e-6)
