"""norm and prod: forward vs NumPy, gradcheck in float64, and torch autograd (zeros included)."""

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_prod_matches_torch_with_zeros(dim, keepdim):
    a = np.random.default_rng(0).standard_normal((3, 4))
    a[1, 2] = 0.0  # one zero: the gradient of its slice is the product of the others
    a[2, 0] = a[2, 3] = 0.0  # two zeros in a row: each zero's gradient is still a product with a zero
    if dim is None:
        compare_with_torch(lambda x: x.prod(), lambda x: x.prod(), [a])
    else:
        compare_with_torch(lambda x: x.prod(dim, keepdim), lambda x: x.prod(dim, keepdim), [a])


def test_prod_forward_and_gradcheck():
    x = ng.tensor(np.random.default_rng(1).uniform(0.5, 1.5, (2, 3)), dtype=ng.float64, requires_grad=True)
    np.testing.assert_allclose(x.prod(1).numpy(), np.prod(x.numpy(), 1))
    assert gradcheck(lambda t: t.prod(1), [x])
    assert gradcheck(lambda t: t.prod(), [x])
    assert gradgradcheck(lambda t: t.prod(0), [x])


@pytest.mark.parametrize("p", [2, 1, float("inf"), 3])
@pytest.mark.parametrize("dim", [None, 1])
def test_norm_matches_torch(p, dim):
    a = np.random.default_rng(2).standard_normal((3, 4))
    compare_with_torch(lambda x: ng.norm(x, p, dim), lambda x: torch.linalg.vector_norm(x, p, dim), [a])


def test_norm_zero_vector_has_zero_gradient_like_torch():
    x = ng.zeros(3, dtype=ng.float64, requires_grad=True)
    x.norm().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


def test_norm_gradcheck_and_double_backward():
    x = ng.tensor(np.random.default_rng(3).standard_normal((2, 3)), requires_grad=True, dtype=ng.float64)
    assert gradcheck(lambda t: t.norm(dim=1, keepdim=True), [x])
    assert gradgradcheck(lambda t: t.norm(), [x])
    assert ng.tensor([3.0, 4.0]).norm().item() == 5.0


def test_norm_bad_p():
    with pytest.raises(ValueError, match="norm: unsupported p"):
        ng.tensor([1.0]).norm(p="bad")  # p = -1, 0, -inf and 'nuc' work as torch's
