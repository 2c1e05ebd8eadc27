"""netgrad.kernels.conv and .pool against torch where the fast path splits a batch into blocks of
images (several blocks, a partial last one) and gathers max-pool taps; the same tests run the
plain NumPy forms under NETGRAD_REFERENCE=1."""

from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as TF

import netgrad.kernels.conv as K
import netgrad.nn.functional as F
from netgrad.functional.conv import conv_geometry
from tests.torch_ref import compare_with_torch

BLOCK_CASES = [
    # (N, C, H, W, O, kernel, stride, padding, dilation)
    (5, 2, 8, 8, 3, 3, 1, 0, 1),
    (5, 3, 9, 7, 4, (3, 2), (2, 1), (2, 1), (1, 2)),
    (7, 2, 6, 6, 2, 2, 1, "same", 1),
    (5, 2, 9, 8, 3, 3, 1, 2, (2, 1)),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", BLOCK_CASES, ids=[str(c) for c in BLOCK_CASES])
def test_conv2d_in_blocks_of_images_matches_torch(case, monkeypatch, rng):
    """A block holds 2 images' columns, so the batch goes in several blocks, the last one short."""
    N, C, H, W, O, k, s, p, d = case
    kk = k if isinstance(k, tuple) else (k, k)
    g = conv_geometry("conv2d", (N, C, H, W), kk, s, p, d)
    monkeypatch.setattr(K, "_BLOCK_COLS", 2 * C * kk[0] * kk[1] * g.oh * g.ow)
    assert len(K._blocks(g)) == (N + 1) // 2
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = rng.standard_normal((O, C) + kk).astype(np.float32)
    b = rng.standard_normal(O).astype(np.float32)
    compare_with_torch(lambda x, w, b: F.conv2d(x, w, b, s, p, d),
                       lambda x, w, b: TF.conv2d(x, w, b, s, p, d), [x, w, b], atol=1e-4, rtol=1e-4)
    # a convolution's output as a second layer's input, in float64 with double backward
    w2 = rng.standard_normal((2, O, 1, 1))
    compare_with_torch(lambda x, w, w2: F.conv2d(F.conv2d(x, w, None, s, p, d), w2),
                       lambda x, w, w2: TF.conv2d(TF.conv2d(x, w, None, s, p, d), w2),
                       [x.astype(np.float64), w.astype(np.float64), w2], atol=1e-9, rtol=1e-7,
                       double_backward=True)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_conv2d_with_an_infinite_weight_matches_torch(rng):
    """dJ/dx's stride-1 form adds zero columns w^T 0; an infinite weight would make them NaN, so
    the infinite and NaN entries must land where torch's do."""
    x = rng.standard_normal((2, 2, 6, 7)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    w[1, 0, 0, 2] = np.inf
    compare_with_torch(F.conv2d, TF.conv2d, [x, w])  # no padding: torch skips padded taps, inf * 0


def test_max_pool2d_of_a_conv_map_with_nan_and_ties_matches_torch(rng):
    """2x2 pooling (the tiling fast path) of a convolution's output, with ties and a NaN."""
    x = rng.integers(0, 3, (3, 2, 6, 6)).astype(np.float32)
    x[1, 0, 2, 3] = np.nan
    w = np.ones((2, 2, 1, 1), np.float32)
    compare_with_torch(lambda x, w: F.max_pool2d(F.conv2d(x, w), 2),
                       lambda x, w: TF.max_pool2d(TF.conv2d(x, w), 2), [x, w])
    compare_with_torch(lambda x: F.max_pool2d(x, (2, 3), (2, 3)),
                       lambda x: TF.max_pool2d(x, (2, 3), (2, 3)), [x])


def test_conv2d_output_and_input_gradient_have_torchs_strides(rng):
    """C-contiguous NCHW results (padded input included), as PyTorch's: view(-1) and raw bytes
    behave the same."""
    import torch

    import netgrad as ng

    x = rng.standard_normal((3, 2, 7, 6)).astype(np.float32)
    w = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    xn, xt = ng.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yn, yt = F.conv2d(xn, ng.tensor(w), padding=1), TF.conv2d(xt, torch.tensor(w), padding=1)
    assert yn.stride() == yt.stride() and yn.is_contiguous()
    yn.sum().backward()
    yt.sum().backward()
    assert xn.grad.stride() == xt.grad.stride()
    assert yn.view(-1).shape == yt.view(-1).shape
