"""The backward engine: deep graphs, fan-out, accumulation, retain_graph, grad modes, autograd.grad
with create_graph, retain_grad, custom Functions, errors, determinism and dtypes."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradgradcheck


# ------------------------------------------------------------------ graph shapes
def test_chain_10000_ops_deep_has_no_recursion_error():
    x = ng.tensor(1.0, dtype=ng.float64, requires_grad=True)
    y = x
    for k in range(10_000):
        y = y * 1.0001 if k % 2 else y + 0.001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001 ** 5000, rtol=1e-10)
    del y  # freeing the deep graph must not recurse either


def test_deep_chain_autograd_grad_with_create_graph():
    x = ng.tensor(0.5, dtype=ng.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0 + 0.0
    y = y * y
    (g,) = ng.autograd.grad(y, x, create_graph=True)
    (gg,) = ng.autograd.grad(g, x)
    assert g.item() == pytest.approx(1.0) and gg.item() == pytest.approx(2.0)


def test_fan_out_sums_every_use():
    a = np.array([0.3, -1.2, 2.0])
    x = ng.tensor(a, requires_grad=True)
    y = x * x + x.exp() + x - 3 * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * a + np.exp(a) + 1 - 3)
    compare_with_torch(lambda t: (t * t + t.exp() + t - 3 * t), lambda t: (t * t + t.exp() + t - 3 * t), [a])


def test_diamond_graph_and_shared_subexpression(rng):
    a = rng.standard_normal((3, 2))

    def f(lib):
        def g(x):
            h = x * 2
            u, v = h * 3, h.exp()
            return (u * v + h).sum(0)
        return g

    compare_with_torch(f(ng), f(torch), [a], double_backward=True)


def test_leaf_used_as_both_operands():
    x = ng.tensor([3.0], requires_grad=True)
    (x * x).backward()
    assert x.grad.tolist() == [6.0]
    y = ng.tensor([2.0], requires_grad=True)
    (y / y).backward()
    assert y.grad.tolist() == [0.0]


def test_gradients_accumulate_across_backward_calls():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    g = x.grad
    (x * x).sum().backward()
    assert x.grad is g  # accumulated in place, as PyTorch does
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad.zero_()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_grads_are_writable_and_not_shared():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    z = ng.tensor([3.0, 4.0], requires_grad=True)
    (x + z).sum().backward()
    x.grad.mul_(10.0)  # an optimizer might do this: z.grad must not change with it
    assert z.grad.tolist() == [1.0, 1.0] and x.grad.tolist() == [10.0, 10.0]
    gout = ng.tensor([1.0, 1.0])
    w = ng.tensor([1.0, 1.0], requires_grad=True)
    w.backward(gout)
    gout.fill_(5.0)
    assert w.grad.tolist() == [1.0, 1.0]
    ga, gz = ng.autograd.grad((x + z).sum(), [x, z])
    ga.zero_()
    assert gz.tolist() == [1.0, 1.0]


def test_create_graph_grads_are_not_shared_between_leaves():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    z = ng.tensor([3.0, 4.0], requires_grad=True)
    (x + z).sum().backward(create_graph=True)
    assert x.grad is not z.grad
    (x * 1 + z * 5).sum().backward()  # accumulating into x.grad must leave z.grad alone
    assert x.grad.tolist() == [2.0, 2.0] and z.grad.tolist() == [6.0, 6.0]
    w = ng.tensor([1.0, 2.0], requires_grad=True)
    gout = ng.tensor([1.0, 3.0])
    w.backward(gout, create_graph=True)
    assert w.grad is not gout and w.grad.tolist() == [1.0, 3.0]


def test_retain_graph_allows_second_backward_and_without_it_raises():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(ng.GraphError, match="retain_graph=True"):
        y.backward()
    z = (x.exp() * 2).sum()
    z.backward()
    with pytest.raises(ng.GraphError, match="second time"):
        z.backward()


def test_second_backward_through_freed_shared_subgraph_raises():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.sum().backward()
    with pytest.raises(ng.GraphError, match="retain_graph"):
        (h * 2).sum().backward()


def test_autograd_grad_frees_graph_unless_retained():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    (g1,) = ng.autograd.grad(y, x, retain_graph=True)
    (g2,) = ng.autograd.grad(y, [x])
    assert g1.tolist() == g2.tolist() == [3.0, 12.0]
    assert x.grad is None  # autograd.grad returns, it does not accumulate
    with pytest.raises(ng.GraphError):
        ng.autograd.grad(y, x)


def test_autograd_grad_options(rng):
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    unused = ng.tensor([1.0], requires_grad=True)
    y = x * 2
    gx, gu = ng.autograd.grad(y, [x, unused], grad_outputs=ng.tensor([1.0, 10.0]))
    assert gx.tolist() == [2.0, 20.0] and gu is None
    with pytest.raises(ng.GraphError, match="not used"):
        ng.autograd.grad((x * 2).sum(), [x, unused], allow_unused=False)
    with pytest.raises(ng.GraphError, match="does not require grad"):
        ng.autograd.grad((x * 2).sum(), [ng.tensor([1.0])])
    h = x * 3  # gradient with respect to an intermediate (non-leaf) tensor
    (gh,) = ng.autograd.grad((h * h).sum(), h, retain_graph=True)
    np.testing.assert_allclose(gh.numpy(), 2 * h.numpy())
    g1, g2, g3 = ng.autograd.grad((h * h).sum(), [x, h, x])  # an input listed twice, as torch allows
    assert g1.tolist() == g3.tolist() == [18.0, 36.0] and g1 is not g3
    np.testing.assert_allclose(g2.numpy(), 2 * h.numpy())


def test_autograd_backward_several_roots():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * 2).sum(), (x * x).sum()
    ng.autograd.backward([a, b])
    assert x.grad.tolist() == [4.0, 6.0]
    y = x * 3
    ng.autograd.backward(y, ng.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [7.0, 7.5]


# ------------------------------------------------------------------ double backward
def test_create_graph_second_derivatives_match_torch(rng):
    a, b = rng.standard_normal(3), np.abs(rng.standard_normal(3)) + 0.5

    def f(x, y):
        return (x ** 3 * y + (x * y).exp() / y + x.abs() * y.sqrt()).sum()

    x, y = ng.tensor(a, requires_grad=True), ng.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    gx, gy = ng.autograd.grad(f(x, y), [x, y], create_graph=True)
    tgx, tgy = torch.autograd.grad(f(tx, ty), [tx, ty], create_graph=True)
    np.testing.assert_allclose(gx.numpy(), tgx.detach().numpy(), rtol=1e-10)
    assert gx.requires_grad and gx.grad_fn is not None
    hx = ng.autograd.grad((gx * gx).sum() + gy.sum(), [x, y])
    thx = torch.autograd.grad((tgx * tgx).sum() + tgy.sum(), [tx, ty])
    for a_, b_ in zip(hx, thx):
        np.testing.assert_allclose(a_.numpy(), b_.numpy(), rtol=1e-9)


def test_backward_create_graph_then_backward_again():
    x = ng.tensor(2.0, dtype=ng.float64, requires_grad=True)
    y = x ** 4
    y.backward(create_graph=True)
    g = x.grad
    assert g.item() == 32.0 and g.requires_grad
    x.grad = None
    g.backward()
    assert x.grad.item() == 48.0  # d2/dx2 x^4 = 12 x^2


def test_hessian_vector_product_of_small_network_matches_torch(rng):
    X, W, v = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((3, 5))

    def hvp(lib, X, W, v):
        W = W.detach().requires_grad_()
        loss = (lib.logsumexp(X @ W, dim=1) - (X @ W).mean(1)).mean() + (W * W).sum() * 0.1
        (g,) = lib.autograd.grad(loss, [W], create_graph=True)
        (h,) = lib.autograd.grad((g * v).sum(), [W])
        return h

    h = hvp(ng, ng.tensor(X), ng.tensor(W), ng.tensor(v))
    th = hvp(torch, torch.tensor(X), torch.tensor(W), torch.tensor(v))
    np.testing.assert_allclose(h.numpy(), th.numpy(), rtol=1e-9, atol=1e-12)


def test_gradgradcheck_on_composite(rng):
    a = ng.tensor(rng.standard_normal((2, 3)), dtype=ng.float64, requires_grad=True)
    b = ng.tensor(rng.standard_normal((3, 2)), dtype=ng.float64, requires_grad=True)
    assert gradgradcheck(lambda x, y: ng.logsumexp((x @ y).exp() * 0.1, dim=0), [a, b])


# ------------------------------------------------------------------ retain_grad / leaves
def test_retain_grad_on_non_leaf():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    other = x * 2
    assert not h.is_leaf and x.is_leaf
    (h * h + other).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    assert other.grad is None  # not retained
    assert x.grad.tolist() == [20.0, 38.0]


def test_retained_grad_accumulates_like_torch():
    for lib in (ng, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        y = (h * h).sum()
        y.backward(retain_graph=True)
        y.backward()
        assert h.grad.tolist() == [12.0, 24.0], lib.__name__


def test_retain_grad_on_multi_output_and_errors():
    x = ng.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a, b = x.unbind(0)
    b.retain_grad()
    (a * 2 + b * 5).sum().backward()
    assert b.grad.tolist() == [5.0, 5.0]
    with pytest.raises(ng.GraphError, match="retain_grad"):
        ng.tensor([1.0]).retain_grad()


def test_leaf_attributes_and_requires_grad_rules():
    x = ng.tensor([1.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None and x.requires_grad
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    c = ng.tensor([1.0])
    assert c.is_leaf and not (c * 2).requires_grad
    with pytest.raises(ng.GraphError, match="detach"):
        y.requires_grad_(False)
    d = y.detach()
    assert d.is_leaf and not d.requires_grad
    assert np.shares_memory(d.numpy(), y.numpy())


# ------------------------------------------------------------------ grad modes
def test_no_grad_context_manager_and_nesting():
    x = ng.tensor([1.0], requires_grad=True)
    with ng.no_grad():
        assert not ng.is_grad_enabled()
        y = x * 2
        with ng.enable_grad():
            assert ng.is_grad_enabled()
            z = x * 2
        w = x * 2
    assert ng.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    assert not w.requires_grad


def test_grad_modes_as_decorators():
    x = ng.tensor([1.0], requires_grad=True)

    @ng.no_grad()
    def f(t):
        return t * 2

    @ng.no_grad
    def f_bare(t):
        """docstring kept"""
        return t * 2

    @ng.enable_grad()
    def g(t):
        return t * 2

    @ng.set_grad_enabled(False)
    def h(t):
        return t * 2

    assert ng.is_grad_enabled()  # defining the decorators changed nothing
    assert not f(x).requires_grad and not f_bare(x).requires_grad and not h(x).requires_grad
    assert f_bare.__doc__ == "docstring kept" and f_bare.__name__ == "f_bare"
    with ng.no_grad():
        assert g(x).requires_grad
        assert not ng.is_grad_enabled()
    assert ng.is_grad_enabled()


def test_set_grad_enabled_context_and_call():
    x = ng.tensor([1.0], requires_grad=True)
    with ng.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ng.is_grad_enabled()
    with ng.set_grad_enabled(True):
        assert (x * 2).requires_grad
    ng.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    ng.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(KeyError):
        with ng.no_grad():
            raise KeyError
    assert ng.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = []
    with ng.no_grad():
        t = threading.Thread(target=lambda: seen.append(ng.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_in_place_update_of_leaf_needs_no_grad():
    w = ng.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ng.GraphError, match="no_grad"):
        w.sub_(1.0)
    with ng.no_grad():
        w.sub_(ng.tensor([0.5, 0.5]))
    assert w.tolist() == [0.5, 1.5] and w.requires_grad and w.is_leaf


# ------------------------------------------------------------------ errors
def test_backward_on_non_scalar_without_gradient_is_clear():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ng.GraphError, match=r"one-element.*\(2,\).*gradient="):
        (x * 2).backward()
    with pytest.raises(ng.ShapeError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(ng.ones(3))
    (x * 2).backward(ng.tensor([1.0, 1.0]))
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    (x * 2).backward(np.array([1.0, 2.0]))
    assert x.grad.tolist() == [2.0, 4.0]


def test_backward_on_tensor_without_grad_is_clear():
    with pytest.raises(ng.GraphError, match="does not require grad"):
        ng.tensor([1.0]).sum().backward()
    x = ng.tensor([1.0], requires_grad=True)
    with ng.no_grad():
        y = (x * 2).sum()
    with pytest.raises(ng.GraphError, match="no_grad"):
        y.backward()


def test_requires_grad_on_int_tensor_errors():
    with pytest.raises(ng.DTypeError, match="floating"):
        ng.tensor([1, 2], requires_grad=True)
    with pytest.raises(ng.DTypeError, match="int64"):
        ng.arange(3).requires_grad_()
    with pytest.raises(ng.DTypeError):
        ng.zeros(2, dtype=ng.int64, requires_grad=True)
    t = ng.tensor([True])
    with pytest.raises(TypeError):
        t.requires_grad = True


def test_errors_are_netgrad_and_builtin_types():
    assert issubclass(ng.ShapeError, ValueError) and issubclass(ng.DTypeError, TypeError)
    assert issubclass(ng.GraphError, RuntimeError)
    for e in (ng.ShapeError, ng.DTypeError, ng.GraphError):
        assert issubclass(e, ng.NetgradError)


# ------------------------------------------------------------------ determinism and dtypes
def _grads_of_graph(seed):
    rng = np.random.default_rng(seed)
    W = ng.tensor(rng.standard_normal((20, 30)).astype(np.float32), requires_grad=True)
    X = ng.tensor(rng.standard_normal((64, 20)).astype(np.float32))
    b = ng.tensor(np.zeros(30, np.float32), requires_grad=True)
    h = X @ W + b
    loss = (ng.logsumexp(h, dim=1) - h.max(dim=1)[0] + (h * h).mean(1) + h.std(0).sum()).mean()
    loss.backward()
    return W.grad.numpy().tobytes(), b.grad.numpy().tobytes()


def test_same_graph_twice_gives_bit_identical_gradients():
    assert _grads_of_graph(3) == _grads_of_graph(3)


def test_float32_stays_float32_through_ops_and_grads(rng):
    x = ng.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    w = ng.tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    steps = [x @ w, (x @ w).exp(), ((x @ w) ** 2).sqrt(), (x * 0.5 + 1.5) / 2.0, ng.logsumexp(x, 1),
             x.var(0), x.clamp(-0.5, 0.5), ng.maximum(x, 0.0), x[[0, 0]], ng.cat([x, x]), x.abs().log(),
             ng.where(x > 0, x, 0.0), 2.0 ** x, x.max(0)[0], x.mean(), ng.pad(x, (1, 1)), ng.linear(x, w.T)]
    for y in steps:
        assert y.dtype == ng.float32, y
    total = sum(y.sum() for y in steps)
    assert total.dtype == ng.float32
    total.backward()
    assert x.grad.dtype == ng.float32 and w.grad.dtype == ng.float32


def test_float64_stays_float64(rng):
    x = ng.tensor(rng.standard_normal(3), requires_grad=True)
    assert x.dtype == ng.float64  # a float64 ndarray keeps its dtype, as torch.from_numpy
    y = (x * 2.5 + 1).exp().sum()
    assert y.dtype == ng.float64
    y.backward()
    assert x.grad.dtype == ng.float64


# ------------------------------------------------------------------ layering
_AUTOGRAD_DIR = __import__("pathlib").Path(ng.__file__).parent / "autograd"
_UPPER = ("functional", "nn", "optim", "data", "train", "testing", "serialization", "estimators",
          "cli", "viz", "explain")


def test_autograd_layer_imports_nothing_above_it_statically():
    import ast

    bad = []
    for path in sorted(_AUTOGRAD_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):  # also imports inside functions
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if node.level >= 2:  # from .. or from ..x: the netgrad package itself
                    top = mod.split(".")[0] if mod else ""
                    names = [top] if top else [a.name for a in node.names]
                    bad += [f"{path.name}: from {'.' * node.level}{mod}" for n in names if n in _UPPER]
                elif mod.startswith("netgrad.") and mod.split(".")[1] in _UPPER:
                    bad.append(f"{path.name}: from {mod}")
            elif isinstance(node, ast.Import):
                bad += [f"{path.name}: import {a.name}" for a in node.names
                        if a.name.startswith("netgrad.") and a.name.split(".")[1] in _UPPER]
    assert not bad, bad


def test_autograd_layer_imports_nothing_above_it_at_runtime():
    import subprocess
    import sys

    # Load netgrad.autograd without running netgrad/__init__.py (which imports every layer); it may
    # use netgrad.kernels, the layer below it (fast code on NumPy alone).
    code = f"""
import importlib, sys, types
pkg = types.ModuleType("netgrad"); pkg.__path__ = [{str(_AUTOGRAD_DIR.parent)!r}]
sys.modules["netgrad"] = pkg
for name in {sorted(p.stem for p in _AUTOGRAD_DIR.glob("*.py"))!r}:
    importlib.import_module("netgrad.autograd" + ("" if name == "__init__" else "." + name))
print(sorted(m for m in sys.modules if m.startswith("netgrad.")
             and not m.startswith(("netgrad.autograd", "netgrad.kernels"))))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr

