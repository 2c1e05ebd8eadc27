"""Conv2d, MaxPool2d, AvgPool2d against torch (values, all gradients, second derivatives),
gradcheck in float64, max-pool tie routing, layer errors and default initialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad.testing import gradcheck
from tests.torch_ref import assert_close, compare_with_torch

CONV_CASES = [
    # (N, C, H, W, O, kernel, stride, padding, dilation)
    (2, 3, 7, 6, 4, 3, 1, 0, 1),
    (2, 3, 7, 6, 4, 3, 2, 1, 1),
    (1, 2, 9, 8, 3, (3, 2), (2, 1), (1, 0), (2, 1)),
    (2, 3, 7, 7, 2, 3, 1, "same", 2),
    (2, 2, 6, 5, 2, (2, 3), 1, "same", 1),
    (2, 3, 5, 5, 2, 3, 1, "valid", 1),
    (2, 1, 5, 5, 2, 1, 1, 0, 1),
    (1, 2, 6, 6, 3, 3, 3, 2, 1),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CONV_CASES, ids=[str(c) for c in CONV_CASES])
def test_conv2d_matches_torch(case, rng):
    N, C, H, W, O, k, s, p, d = case
    kk = k if isinstance(k, tuple) else (k, k)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = rng.standard_normal((O, C) + kk).astype(np.float32)
    b = rng.standard_normal(O).astype(np.float32)
    compare_with_torch(lambda x, w, b: F.conv2d(x, w, b, s, p, d),
                       lambda x, w, b: TF.conv2d(x, w, b, s, p, d), [x, w, b], atol=1e-4, rtol=1e-4)
    compare_with_torch(lambda x, w: F.conv2d(x, w, None, s, p, d),
                       lambda x, w: TF.conv2d(x, w, None, s, p, d),
                       [x.astype(np.float64), w.astype(np.float64)], atol=1e-9, rtol=1e-7,
                       double_backward=True)


def test_conv2d_gradcheck():
    ng.manual_seed(0)
    x = ng.randn(1, 2, 5, 4, dtype=ng.float64, requires_grad=True)
    w = ng.randn(2, 2, 3, 2, dtype=ng.float64, requires_grad=True)
    b = ng.randn(2, dtype=ng.float64, requires_grad=True)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)), [x, w, b])
    gradcheck(lambda x, w: F.conv2d(x, w, padding="same"), [x, w])


def test_conv2d_unbatched_input():
    x = np.random.default_rng(1).standard_normal((2, 5, 5)).astype(np.float32)
    w = np.random.default_rng(2).standard_normal((3, 2, 3, 3)).astype(np.float32)
    compare_with_torch(lambda x, w: F.conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1),
                       [x, w], atol=1e-5)


def test_conv2d_layer_matches_torch_with_copied_weights(rng):
    ng_c = nn.Conv2d(3, 5, 3, stride=2, padding=1)
    th_c = torch.nn.Conv2d(3, 5, 3, stride=2, padding=1)
    with torch.no_grad():
        th_c.weight.copy_(torch.from_numpy(ng_c.weight.numpy()))
        th_c.bias.copy_(torch.from_numpy(ng_c.bias.numpy()))
    x = rng.standard_normal((4, 3, 9, 9)).astype(np.float32)
    xn, xt = ng.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yn, yt = ng_c(xn), th_c(xt)
    assert_close(yn, yt, atol=1e-5)
    gy = rng.standard_normal(yt.shape).astype(np.float32)
    yn.backward(ng.tensor(gy))
    yt.backward(torch.tensor(gy))
    assert_close(xn.grad, xt.grad, atol=1e-4)
    assert_close(ng_c.weight.grad, th_c.weight.grad, atol=1e-4, rtol=1e-4)
    assert_close(ng_c.bias.grad, th_c.bias.grad, atol=1e-4)
    assert repr(ng_c) == repr(th_c)
    for kw in ({}, {"padding": "same", "bias": False}, {"padding": "valid", "dilation": 2}):
        assert repr(nn.Conv2d(1, 2, 3, **kw)) == repr(torch.nn.Conv2d(1, 2, 3, **kw))


def test_conv2d_default_init_matches_pytorch_bounds():
    ng.manual_seed(0)
    c = nn.Conv2d(32, 64, 3)
    bound = 1 / math.sqrt(32 * 9)
    w = c.weight.numpy()
    assert w.shape == (64, 32, 3, 3) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.abs(c.bias.numpy()).max() <= bound
    ng.manual_seed(0)
    np.testing.assert_array_equal(nn.Conv2d(32, 64, 3).weight.numpy(), w)


def test_conv2d_bad_input_names_layer_and_shapes():
    c = nn.Conv2d(1, 32, 3)
    with pytest.raises(ng.ShapeError, match=r"Conv2d\(1, 32, kernel_size=\(3, 3\), stride=\(1, 1\)\): "
                       r"expected input of shape \(N, 1, H, W\), got shape \(8, 3, 28, 28\)"):
        c(ng.zeros(8, 3, 28, 28))
    with pytest.raises(ng.ShapeError, match="Conv2d.*smaller than the kernel"):
        c(ng.zeros(8, 1, 2, 2))
    with pytest.raises(ValueError, match="same"):
        F.conv2d(ng.zeros(1, 1, 5, 5), ng.zeros(1, 1, 3, 3), stride=2, padding="same")


def test_conv_pipeline_layouts_match_torch(rng):
    """conv -> relu -> conv -> relu -> max_pool -> flatten, as in the MNIST CNN."""
    x = rng.standard_normal((3, 1, 12, 12)).astype(np.float32)
    w1 = (rng.standard_normal((4, 1, 3, 3)) * 0.5).astype(np.float32)
    w2 = (rng.standard_normal((6, 4, 3, 3)) * 0.3).astype(np.float32)

    def ng_net(x, w1, w2):
        return F.max_pool2d(F.relu(F.conv2d(F.relu(F.conv2d(x, w1)), w2)), 2).flatten(1)

    def th_net(x, w1, w2):
        return TF.max_pool2d(TF.relu(TF.conv2d(TF.relu(TF.conv2d(x, w1)), w2)), 2).flatten(1)

    compare_with_torch(ng_net, th_net, [x, w1, w2], atol=1e-5, rtol=1e-4)


# ------------------------------------------------------------------------------------ pooling
POOL_CASES = [(2, None, 0, 1), (3, 1, 1, 1), (3, 2, 1, 1), ((2, 3), (1, 2), (1, 1), 1), (2, 1, 0, 2),
              (3, 3, 0, 1)]


@pytest.mark.parametrize("case", POOL_CASES, ids=[str(c) for c in POOL_CASES])
def test_max_pool2d_matches_torch_with_ties(case, rng):
    k, s, p, d = case
    x = rng.integers(0, 3, (2, 3, 8, 7)).astype(np.float32)  # many ties, like MNIST's background
    compare_with_torch(lambda x: F.max_pool2d(x, k, s, p, d), lambda x: TF.max_pool2d(x, k, s, p, d), [x])
    compare_with_torch(lambda x: F.max_pool2d(x, k, s, p, d), lambda x: TF.max_pool2d(x, k, s, p, d),
                       [x.astype(np.float64)], double_backward=True)


def test_max_pool_routes_gradient_to_first_maximum_only():
    x = ng.zeros(1, 1, 4, 4, requires_grad=True)  # every window is a 4-way tie
    F.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4), np.float32)
    expected[::2, ::2] = 1  # the top-left element of each window
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)
    xt = torch.zeros(1, 1, 4, 4, requires_grad=True)
    TF.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(xt.grad.numpy()[0, 0], expected)


def test_max_pool_nan_propagates_like_torch():
    x = np.array([[[[1.0, np.nan], [3.0, 2.0]]]], np.float32)
    compare_with_torch(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), [x])


@pytest.mark.parametrize("case", [c for c in POOL_CASES if c[3] == 1], ids=lambda c: str(c))
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_matches_torch(case, count_include_pad, rng):
    k, s, p, _ = case
    x = rng.standard_normal((2, 3, 8, 7)).astype(np.float32)
    compare_with_torch(lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=count_include_pad),
                       lambda x: TF.avg_pool2d(x, k, s, p, count_include_pad=count_include_pad),
                       [x], atol=1e-6)
    compare_with_torch(lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=count_include_pad),
                       lambda x: TF.avg_pool2d(x, k, s, p, count_include_pad=count_include_pad),
                       [x.astype(np.float64)], atol=1e-12, double_backward=True)


def test_pool_gradcheck():
    ng.manual_seed(0)
    x = ng.randn(1, 2, 5, 5, dtype=ng.float64, requires_grad=True)
    gradcheck(lambda x: F.max_pool2d(x, 2), [x])
    gradcheck(lambda x: F.max_pool2d(x, 3, 1, 1), [x])
    gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [x])


def test_pool_modules_match_torch(rng):
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    pairs = ((nn.MaxPool2d(2), torch.nn.MaxPool2d(2)), (nn.MaxPool2d(3, 1, 1), torch.nn.MaxPool2d(3, 1, 1)),
             (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)), (nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1)))
    for m, tm in pairs:
        compare_with_torch(m, tm, [x], atol=1e-6)
        assert repr(m) == repr(tm)
    assert F.max_pool2d(ng.zeros(3, 4, 4), 2).shape == (3, 2, 2)  # unbatched


def test_pool_errors():
    with pytest.raises(ValueError, match="half of the kernel"):
        F.max_pool2d(ng.zeros(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ng.ShapeError, match="max_pool2d"):
        F.max_pool2d(ng.zeros(4, 4), 2)
