"""ReLU and LeakyReLU against their definitions: values and gradients for small and large inputs
(up to conv feature maps), infinities, transposed and integer inputs, with and without a graph."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn.functional as F


def ref_leaky(x, slope):
    with np.errstate(invalid="ignore"):  # inf * 0 in the branch np.where discards
        return np.where(x > 0, x, x * np.asarray(slope, x.dtype))


@pytest.mark.parametrize("shape", [(7,), (3, 5000), (2, 1 << 19), (8, 3, 10, 10)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_values_and_gradients(shape, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    x.flat[:3] = [0.0, np.inf, -np.inf]
    expected = np.maximum(x, 0)
    with ng.no_grad():
        out = F.relu(ng.tensor(x))
    assert out.dtype == ng.tensor(x).dtype and out.shape == shape
    np.testing.assert_array_equal(out.numpy(), expected)
    t = ng.tensor(x, requires_grad=True)
    y = F.relu(t)
    np.testing.assert_array_equal(y.numpy(), expected)
    g = rng.standard_normal(shape).astype(dtype)
    y.backward(ng.tensor(g))
    np.testing.assert_array_equal(t.grad.numpy(), np.where(x > 0, g, 0))
    # a new array each time: an all-negative input gives zeros
    assert np.array_equal(F.relu(ng.tensor(-np.ones(shape, dtype))).numpy(), np.zeros(shape, dtype))


def test_relu_non_contiguous_and_integer_inputs():
    x = np.arange(-6000.0, 6000.0, dtype=np.float32).reshape(2, 6000).T  # transposed view
    with ng.no_grad():
        np.testing.assert_array_equal(F.relu(ng.tensor(x)).numpy(), np.maximum(x, 0))
    xi = np.arange(-5000, 5000).reshape(2, 5000)
    out = F.relu(ng.tensor(xi))
    assert out.numpy().dtype == xi.dtype
    np.testing.assert_array_equal(out.numpy(), np.maximum(xi, 0))


@pytest.mark.parametrize("slope", [0.01, 0.2, 1.0, 0.0, 1.5, -0.5])
@pytest.mark.parametrize("size", [9, 5000])
def test_leaky_relu_with_and_without_a_graph(slope, size):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(size).astype(np.float32)
    x[:4] = [0.0, -0.0, np.inf, -np.inf] if slope != 0.0 else [0.0, -0.0, np.inf, -1.0]
    with ng.no_grad():
        plain = F.leaky_relu(ng.tensor(x), slope)
    t = ng.tensor(x, requires_grad=True)
    recorded = F.leaky_relu(t, slope)
    for out in (plain, recorded):
        assert out.dtype == ng.float32
        np.testing.assert_allclose(out.numpy(), ref_leaky(x, slope), rtol=1e-6)
    recorded.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.where(x > 0, 1.0, np.float32(slope)))
