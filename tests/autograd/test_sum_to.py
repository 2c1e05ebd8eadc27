"""The engine's sum_to, the one place where broadcasting is undone (a bias's gradient is the sum
of delta over the batch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_a_bias_gradient_is_the_batch_sum_for_every_layout(dtype, layout, rng):
    from netgrad.autograd.engine import sum_to_array

    g = rng.standard_normal((130, 24)).astype(dtype)
    if layout == "F":
        g = np.asfortranarray(g)
    elif layout == "strided":
        g = g[::2]
    got = sum_to_array(g, (24,))
    assert got.dtype == dtype and got.shape == (24,)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, g.astype(np.float64).sum(0), rtol=tol, atol=tol)


def test_a_batch_sum_over_many_rows_keeps_pairwise_accuracy():
    from netgrad.autograd.engine import sum_to_array

    g = np.full((65536, 3), 0.1, np.float32)
    np.testing.assert_array_equal(sum_to_array(g, (3,)), np.add.reduce(g, axis=0))


def test_a_bias_gradient_matches_torch_at_the_mlp_shapes(rng):
    x = rng.standard_normal((128, 20)).astype(np.float32)
    w = rng.standard_normal((256, 20)).astype(np.float32)
    b = rng.standard_normal(256).astype(np.float32)
    bt = ng.tensor(b, requires_grad=True)
    (ng.nn.functional.linear(ng.tensor(x), ng.tensor(w), bt) ** 2).sum().backward()
    tb = torch.tensor(b, requires_grad=True)
    (torch.nn.functional.linear(torch.tensor(x), torch.tensor(w), tb) ** 2).sum().backward()
    np.testing.assert_allclose(bt.grad.numpy(), tb.grad.numpy(), rtol=1e-5, atol=1e-4)
