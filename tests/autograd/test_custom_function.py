"""Custom ops as in PyTorch: ``Function`` subclasses with ctx.save_for_backward, saved_tensors,
needs_input_grad, several outputs, None gradients, keyword tensors and double backward."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck

class Exp(ng.autograd.Function):
    """PyTorch's documentation example: save the result, reuse it in backward."""

    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class LinearFunction(ng.autograd.Function):
    """PyTorch's documentation example with needs_input_grad and an optional bias."""

    calls: list = []

    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        LinearFunction.calls.append(tuple(ctx.needs_input_grad))
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


def test_custom_function_exp_from_pytorch_docs(rng):
    a = rng.standard_normal(4)
    x = ng.tensor(a, requires_grad=True)
    y = Exp.apply(x)
    assert type(y.grad_fn) is Exp
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(a))
    assert gradcheck(Exp.apply, [ng.tensor(a, requires_grad=True)])
    # Backward is written with tensor ops, so it is differentiable again.
    assert gradgradcheck(Exp.apply, [ng.tensor(a, requires_grad=True)])
    with pytest.raises(ng.GraphError):
        y.grad_fn.saved_tensors  # freed by backward


def test_custom_linear_function_needs_input_grad(rng):
    x, w, b = rng.standard_normal((5, 3)), rng.standard_normal((2, 3)), rng.standard_normal(2)
    compare_with_torch(LinearFunction.apply, torch.nn.functional.linear, [x, w, b], atol=1e-10)
    LinearFunction.calls.clear()
    compare_with_torch(LinearFunction.apply, torch.nn.functional.linear, [x, w, b],
                       requires_grad=[False, True, False], atol=1e-10)
    assert LinearFunction.calls == [(False, True, False)]
    tx, tw = ng.tensor(x, requires_grad=True), ng.tensor(w, requires_grad=True)
    assert gradcheck(LinearFunction.apply, [tx, tw])
    assert gradgradcheck(lambda p, q: LinearFunction.apply(p, q) ** 2, [tx, tw])


class SplitScale(ng.autograd.Function):
    """Two outputs: y1 = 2 x, y2 = x^2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, g1, g2):
        (x,) = ctx.saved_tensors
        return g1 * 2 + g2 * 2 * x


def test_multi_output_custom_function(rng):
    a = rng.standard_normal(3)
    x = ng.tensor(a, requires_grad=True)
    y1, y2 = SplitScale.apply(x)
    assert y1.grad_fn is y2.grad_fn
    (y1.sum() + (y2 * 3).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 + 6 * a)
    x.grad = None
    y1, y2 = SplitScale.apply(x)
    y2.sum().backward()  # the unused output contributes a zero gradient
    np.testing.assert_allclose(x.grad.numpy(), 2 * a)
    assert gradcheck(SplitScale.apply, [ng.tensor(a, requires_grad=True)])


class HalfGrad(ng.autograd.Function):
    """Returns None for its second input although it requires grad (allowed, as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, None


def test_custom_function_returning_none_does_not_block_shared_inputs():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    HalfGrad.apply(h, h).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    y = ng.tensor([1.0, 2.0], requires_grad=True)
    k = y * 3
    (HalfGrad.apply(y, k) + k).sum().backward()  # k's node gets one gradient, not two
    assert y.grad.tolist() == [4.0, 4.0]
    z = ng.tensor([1.0], requires_grad=True)
    m = z * 5
    (HalfGrad.apply(z, m * 2)).sum().backward()  # nothing at all reaches m's node
    assert z.grad.tolist() == [1.0]


def test_custom_function_tensors_passed_by_keyword_get_gradients():
    b_ng = ng.tensor([2.0, 5.0], requires_grad=True)
    x_ng = ng.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w_ng = ng.tensor([[1.0, 0.0], [0.5, 1.0]], requires_grad=True)
    LinearFunction.apply(x_ng, weight=w_ng, bias=b_ng).sum().backward()
    bt = torch.tensor([2.0, 5.0], requires_grad=True)
    xt = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    wt = torch.tensor([[1.0, 0.0], [0.5, 1.0]], requires_grad=True)
    torch.nn.functional.linear(xt, wt, bt).sum().backward()
    for a, b in ((x_ng, xt), (w_ng, wt), (b_ng, bt)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
    with pytest.raises(TypeError, match="LinearFunction.apply"):
        LinearFunction.apply(x_ng, w_ng, nonsense=1)


def test_custom_function_wrong_number_of_gradients():
    class Bad(ng.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    x = ng.tensor([1.0], requires_grad=True)
    with pytest.raises(ng.GraphError, match="Bad.backward returned 1 gradients, expected 2"):
        Bad.apply(x, x).sum().backward()


def test_custom_function_gradient_of_wrong_shape_names_the_function():
    class BadShape(ng.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return ng.ones(5)

    x = ng.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ng.ShapeError, match=r"BadShape.backward.*\(5,\).*\(2,\)"):
        BadShape.apply(x).sum().backward()


def test_multi_output_custom_function_double_backward(rng):
    x = ng.tensor(rng.standard_normal(3), requires_grad=True)
    assert gradgradcheck(lambda t: SplitScale.apply(t), [x])


def test_custom_function_forward_runs_without_recording():
    class Probe(ng.autograd.Function):
        seen = []

        @staticmethod
        def forward(ctx, x):
            Probe.seen.append(ng.is_grad_enabled())
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ng.tensor([1.0], requires_grad=True)
    y = Probe.apply(x)
    assert Probe.seen == [False] and type(y.grad_fn) is Probe
    with ng.no_grad():
        assert Probe.apply(x).grad_fn is None
