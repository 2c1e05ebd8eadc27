"""conv1d, transposed convolutions, fold/unfold, 1-D and adaptive pooling, interpolate/Upsample,
pixel (un)shuffle, padding modes and layers, Dropout1d/AlphaDropout against torch: values in
float32/float64, gradients, double backward, gradcheck, layers' init/state_dict/reprs, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad.functional.resample import pad_modes
from netgrad.testing import gradcheck
from tests.torch_ref import compare_with_torch

R = np.random.default_rng(0)
X1 = R.standard_normal((2, 3, 9))
X2 = R.standard_normal((2, 3, 7, 6))

# (id, netgrad fn, torch fn, inputs, torch has double backward)
CASES = [
    ("conv1d", lambda x, w, b: F.conv1d(x, w, b, 2, 1, 2), lambda x, w, b: TF.conv1d(x, w, b, 2, 1, 2),
     [X1, R.standard_normal((4, 3, 3)), R.standard_normal(4)], True),
    ("conv1d_same", lambda x, w: F.conv1d(x, w, padding="same", dilation=2),
     lambda x, w: TF.conv1d(x, w, padding="same", dilation=2), [X1, R.standard_normal((2, 3, 4))], True),
    ("conv1d_unbatched", F.conv1d, TF.conv1d, [X1[0], R.standard_normal((2, 3, 2))], True),
    ("conv1d_groups", lambda x, w, b: F.conv1d(x, w, b, 1, 1, 1, 3),
     lambda x, w, b: TF.conv1d(x, w, b, 1, 1, 1, 3),
     [X1, R.standard_normal((6, 1, 3)), R.standard_normal(6)], True),
    ("conv_transpose2d_groups", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1, 3),
     lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, 1, 1, 3),
     [X2, R.standard_normal((3, 2, 3, 2)), R.standard_normal(6)], True),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
     lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, 1, 1),
     [X2, R.standard_normal((3, 2, 3, 2)), R.standard_normal(2)], True),
    ("conv_transpose2d_dil", lambda x, w: F.conv_transpose2d(x, w, None, (2, 3), (0, 1), (1, 0), 1, (2, 1)),
     lambda x, w: TF.conv_transpose2d(x, w, None, (2, 3), (0, 1), (1, 0), 1, (2, 1)),
     [X2, R.standard_normal((3, 2, 2, 3))], True),
    ("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, 3, 1, 2, 1, 1),
     lambda x, w, b: TF.conv_transpose1d(x, w, b, 3, 1, 2, 1, 1),
     [X1, R.standard_normal((3, 2, 3)), R.standard_normal(2)], True),
    ("unfold", lambda x: F.unfold(x, (2, 3), 2, 1, (1, 2)), lambda x: TF.unfold(x, (2, 3), 2, 1, (1, 2)),
     [X2], True),
    ("fold", lambda c: F.fold(c, (5, 4), 2, 1, 0, (2, 1)), lambda c: TF.fold(c, (5, 4), 2, 1, 0, (2, 1)),
     [R.standard_normal((2, 12, 6))], True),
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, 1), lambda x: TF.max_pool1d(x, 3, 2, 1), [X1], True),
    ("avg_pool1d", lambda x: F.avg_pool1d(x, 3, 2, 1, False, False),
     lambda x: TF.avg_pool1d(x, 3, 2, 1, False, False), [X1], True),
    ("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4),
     [X1], True),
    ("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 4), lambda x: TF.adaptive_max_pool1d(x, 4),
     [X1], True),
    ("adaptive_avg_pool2d_1", lambda x: F.adaptive_avg_pool2d(x, (1, 1)),
     lambda x: TF.adaptive_avg_pool2d(x, (1, 1)), [X2], True),
    ("adaptive_avg_pool2d_uneven", lambda x: F.adaptive_avg_pool2d(x, (3, 4)),
     lambda x: TF.adaptive_avg_pool2d(x, (3, 4)), [X2], True),
    ("adaptive_avg_pool2d_none", lambda x: F.adaptive_avg_pool2d(x, (5, None)),
     lambda x: TF.adaptive_avg_pool2d(x, (5, None)), [X2[0]], True),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (3, 4)),
     lambda x: TF.adaptive_max_pool2d(x, (3, 4)), [X2], True),
    ("adaptive_max_pool2d_even", lambda x: F.adaptive_max_pool2d(x, (7, 2)),
     lambda x: TF.adaptive_max_pool2d(x, (7, 2)), [X2], True),
    ("nearest_scale", lambda x: F.interpolate(x, scale_factor=1.7),
     lambda x: TF.interpolate(x, scale_factor=1.7), [X2], True),
    ("nearest_size", lambda x: F.interpolate(x, size=(9, 4)), lambda x: TF.interpolate(x, size=(9, 4)),
     [X2], True),
    ("nearest_exact", lambda x: F.interpolate(x, size=(9, 9), mode="nearest-exact"),
     lambda x: TF.interpolate(x, size=(9, 9), mode="nearest-exact"), [X2], True),
    ("bilinear", lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
     lambda x: TF.interpolate(x, scale_factor=2, mode="bilinear"), [X2], True),
    ("bilinear_corners", lambda x: F.interpolate(x, size=(3, 11), mode="bilinear", align_corners=True),
     lambda x: TF.interpolate(x, size=(3, 11), mode="bilinear", align_corners=True), [X2], True),
    ("bilinear_frac", lambda x: F.interpolate(x, scale_factor=(1.7, 0.6), mode="bilinear"),
     lambda x: TF.interpolate(x, scale_factor=(1.7, 0.6), mode="bilinear"), [X2], True),
    ("bilinear_recompute", lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear",
                                                   recompute_scale_factor=True),
     lambda x: TF.interpolate(x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True), [X2], True),
    ("linear", lambda x: F.interpolate(x, size=13, mode="linear"),
     lambda x: TF.interpolate(x, size=13, mode="linear"), [X1], True),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2),
     [R.standard_normal((2, 8, 3, 2))], True),
    ("pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2),
     [R.standard_normal((2, 3, 4, 6))], True),
    ("channel_shuffle", lambda x: F.channel_shuffle(x, 3), lambda x: TF.channel_shuffle(x, 3), [X2], False),
]
for _mode in ("reflect", "replicate", "circular"):
    CASES += [
        (f"pad2d_{_mode}", lambda x, m=_mode: pad_modes(x, (2, 1, 3, 0), m),
         lambda x, m=_mode: TF.pad(x, (2, 1, 3, 0), mode=m), [X2], True),
        (f"pad1d_{_mode}", lambda x, m=_mode: pad_modes(x, (2, 4), m),
         lambda x, m=_mode: TF.pad(x, (2, 4), mode=m), [X1], True),
    ]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("dtype,atol", [(np.float32, 1e-4), (np.float64, 1e-10)])
@pytest.mark.parametrize("name,fn,tfn,inputs,dbl", CASES, ids=IDS)
def test_matches_torch(name, fn, tfn, inputs, dbl, dtype, atol):
    compare_with_torch(fn, tfn, [a.astype(dtype) for a in inputs], atol=atol, rtol=atol * 10)


DOUBLE = [c for c in CASES if c[4]]


@pytest.mark.parametrize("name,fn,tfn,inputs,dbl", DOUBLE, ids=[c[0] for c in DOUBLE])
def test_double_backward_matches_torch(name, fn, tfn, inputs, dbl):
    compare_with_torch(fn, tfn, inputs, atol=1e-9, rtol=1e-7, double_backward=True)


@pytest.mark.parametrize("name,fn,tfn,inputs,dbl", CASES, ids=IDS)
def test_gradcheck(name, fn, tfn, inputs, dbl):
    assert gradcheck(fn, [ng.tensor(a, requires_grad=True) for a in inputs])


def _load(m, tm):
    m.load_state_dict({k: ng.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


LAYERS = [
    (lambda M: M.Conv1d(3, 4, 3, stride=2, padding=1), (2, 3, 9),
     "Conv1d(3, 4, kernel_size=(3,), stride=(2,), padding=(1,))"),
    (lambda M: M.Conv1d(3, 2, 4, padding="same", bias=False, padding_mode="reflect"), (2, 3, 9),
     "Conv1d(3, 2, kernel_size=(4,), stride=(1,), padding=same, bias=False, padding_mode=reflect)"),
    (lambda M: M.Conv1d(3, 2, 3, padding=2, padding_mode="circular"), (3, 9),
     "Conv1d(3, 2, kernel_size=(3,), stride=(1,), padding=(2,), padding_mode=circular)"),
    (lambda M: M.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1), (2, 3, 5, 4),
     "ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))"),
    (lambda M: M.ConvTranspose1d(3, 2, 4, stride=2, dilation=2, bias=False), (2, 3, 6),
     "ConvTranspose1d(3, 2, kernel_size=(4,), stride=(2,), dilation=(2,), bias=False)"),
    (lambda M: M.Conv1d(4, 6, 3, groups=2), (2, 4, 7),
     "Conv1d(4, 6, kernel_size=(3,), stride=(1,), groups=2)"),
    (lambda M: M.ConvTranspose2d(4, 6, 3, stride=2, groups=2), (2, 4, 3, 3),
     "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), groups=2)"),
]


@pytest.mark.parametrize("make,shape,text", LAYERS, ids=[t.split(",")[0] for _, _, t in LAYERS])
def test_conv_layers_match_torch(make, shape, text):
    ng.manual_seed(0)
    m, tm = make(nn), make(torch.nn)
    assert repr(m) == repr(tm) == text
    assert m.weight.shape == tuple(tm.weight.shape)
    fan_in = m.weight.shape[1] * int(np.prod(m.weight.shape[2:]))
    assert np.abs(m.weight.numpy()).max() <= 1 / np.sqrt(fan_in) + 1e-7 and m.weight.numpy().std() > 0
    _load(m, tm)
    x = R.standard_normal(shape).astype(np.float32)
    xg, tx = ng.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = m(xg), tm(tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    for (name, p), tp in zip(m.named_parameters(), tm.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)


def test_conv_transpose_output_size_and_errors():
    m = nn.ConvTranspose2d(2, 3, 3, stride=2)
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    _load(m, tm)
    x = R.standard_normal((1, 2, 4, 4)).astype(np.float32)
    y = m(ng.tensor(x), output_size=(10, 10))
    ty = tm(torch.tensor(x), output_size=(10, 10))
    assert y.shape == (1, 3, 10, 10)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="output padding must be smaller"):
        F.conv_transpose2d(ng.zeros(1, 2, 3, 3), ng.zeros(2, 1, 3, 3), stride=1, output_padding=1)
    with pytest.raises(ng.autograd.errors.ShapeError, match="channels"):
        m(ng.zeros(1, 3, 4, 4))


MODULES = [
    (lambda M: M.MaxPool1d(2), (2, 3, 8)),
    (lambda M: M.AvgPool1d(3, 2, 1), (2, 3, 8)),
    (lambda M: M.AdaptiveAvgPool2d((1, 1)), (2, 3, 5, 7)),
    (lambda M: M.AdaptiveAvgPool2d(3), (2, 3, 5, 7)),
    (lambda M: M.AdaptiveMaxPool2d(2), (2, 3, 5, 7)),
    (lambda M: M.AdaptiveAvgPool1d(3), (2, 3, 8)),
    (lambda M: M.AdaptiveMaxPool1d(3), (2, 3, 8)),
    (lambda M: M.Upsample(scale_factor=2), (2, 3, 4, 3)),
    (lambda M: M.Upsample(size=(3, 4), mode="bilinear", align_corners=False), (2, 3, 5, 7)),
    (lambda M: M.UpsamplingBilinear2d(scale_factor=2), (2, 3, 4, 3)),
    (lambda M: M.UpsamplingNearest2d(size=3), (2, 3, 4, 3)),
    (lambda M: M.PixelShuffle(2), (2, 8, 3, 3)),
    (lambda M: M.PixelUnshuffle(2), (2, 3, 4, 6)),
    (lambda M: M.ChannelShuffle(3), (2, 6, 2, 2)),
    (lambda M: M.ZeroPad2d(2), (2, 3, 4, 3)),
    (lambda M: M.ZeroPad1d((1, 2)), (2, 3, 4)),
    (lambda M: M.ConstantPad1d(2, 3.5), (2, 3, 4)),
    (lambda M: M.ConstantPad2d((1, 2, 3, 4), 1.0), (2, 3, 4, 3)),
    (lambda M: M.ReflectionPad2d(1), (2, 3, 4, 3)),
    (lambda M: M.ReflectionPad1d(2), (2, 3, 4)),
    (lambda M: M.ReplicationPad2d((1, 0, 2, 0)), (2, 3, 4, 3)),
    (lambda M: M.ReplicationPad1d(1), (3, 4)),
    (lambda M: M.CircularPad2d(1), (2, 3, 4, 3)),
    (lambda M: M.Fold((4, 5), 2), (2, 12, 12)),
    (lambda M: M.Unfold(2, padding=1), (2, 3, 4, 3)),
    (lambda M: M.Dropout1d(0.3), (2, 3, 4)),
    (lambda M: M.AlphaDropout(0.2), (2, 3, 4)),
    (lambda M: M.FeatureAlphaDropout(0.2), (2, 3, 4)),
]


@pytest.mark.parametrize("make,shape", MODULES, ids=[repr(m(torch.nn)) for m, _ in MODULES])
def test_modules_match_torch(make, shape):
    m, tm = make(nn), make(torch.nn)
    assert repr(m) == repr(tm)
    m.eval()
    tm.eval()
    x = R.standard_normal(shape)
    xg, tx = ng.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = m(xg), tm(tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = R.standard_normal(ty.shape)
    (y * ng.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_dropout1d_drops_whole_channels():
    ng.manual_seed(0)
    x = ng.ones(40, 16, 9, requires_grad=True)
    y = F.dropout1d(x, 0.25)
    per_channel = y.numpy()
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # one mask value per channel
    np.testing.assert_allclose(np.unique(per_channel), [0.0, 1 / 0.75], rtol=1e-6)
    assert abs((per_channel[..., 0] == 0).mean() - 0.25) < 0.05
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), per_channel)
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(ng.ones(2, 3, 4, 5))


def test_alpha_dropout_keeps_mean_and_variance():
    ng.manual_seed(1)
    x = ng.randn(200000, dtype=ng.float64, requires_grad=True)
    y = F.alpha_dropout(x, 0.3, training=True)
    assert abs(y.mean().item()) < 0.01 and abs(y.std().item() - 1) < 0.01
    y.sum().backward()
    kept = x.grad.numpy() != 0
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * 0.3 + 1) * 0.7)
    b = a * 1.7580993408473766 * 0.3
    # the same two affine maps as torch's: kept a x + b, dropped a (-alpha') + b
    tx = torch.randn(20000, dtype=torch.float64)
    ty = TF.alpha_dropout(tx, 0.3, training=True).numpy()
    t_kept = np.isclose(ty, a * tx.numpy() + b, rtol=1e-12, atol=1e-12)
    dropped_value = np.unique(y.detach().numpy()[~kept])
    np.testing.assert_allclose(dropped_value, [b - a * 1.7580993408473766], rtol=1e-12)
    np.testing.assert_allclose(np.unique(ty[~t_kept]), dropped_value, rtol=1e-12)
    np.testing.assert_allclose(y.detach().numpy()[kept], a * x.detach().numpy()[kept] + b, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy()[kept], a)
    assert abs(kept.mean() - 0.7) < 0.01
    assert F.alpha_dropout(x, 0.3) is x and F.alpha_dropout(x, 0.0, training=True) is x
    ch = F.feature_alpha_dropout(ng.randn(50, 8, 6), 0.5, training=True).numpy()
    dropped = ch.std(-1) == 0
    assert 0.3 < dropped.mean() < 0.7


def test_errors():
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(ng.zeros(1, 1, 2, 2), size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(ng.zeros(1, 1, 2, 2), size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match="bilinear mode needs 4D input"):
        F.interpolate(ng.zeros(1, 1, 2), size=3, mode="bilinear")
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        pad_modes(ng.zeros(1, 1, 3), (3, 0), "reflect")
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(ng.zeros(1, 3, 2, 2), 2)
    with pytest.raises(RuntimeError, match="calculated number of sliding blocks"):
        F.fold(ng.zeros(1, 4, 5), (3, 3), 2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv1d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ng.autograd.errors.ShapeError, match="conv1d"):
        F.conv1d(ng.zeros(1, 2, 5), ng.zeros(1, 2, 3, 3))


def test_lp_pool_matches_torch():
    x = np.abs(X2) + 0.1  # torch's formula takes a non-integer power of the window sums
    compare_with_torch(lambda x: F.lp_pool2d(x, 2, 3, 2), lambda x: TF.lp_pool2d(x, 2, 3, 2), [x],
                       double_backward=True)
    compare_with_torch(lambda x: F.lp_pool2d(x, 1.5, (2, 3)), lambda x: TF.lp_pool2d(x, 1.5, (2, 3)), [x])
    compare_with_torch(lambda x: F.lp_pool1d(x, 3, 2), lambda x: TF.lp_pool1d(x, 3, 2), [np.abs(X1) + 0.1])
    for make in (lambda M: M.LPPool2d(2, 3), lambda M: M.LPPool1d(1.5, 2, 1)):
        assert repr(make(nn)) == repr(make(torch.nn))
    assert gradcheck(lambda x: F.lp_pool2d(x, 2, 2), [ng.tensor(x, requires_grad=True)])


LAZY = [
    (lambda M: M.LazyConv2d(4, 3, padding=1), (2, 3, 5, 5)),
    (lambda M: M.LazyConv1d(4, 3, 2), (2, 3, 9)),
    (lambda M: M.LazyConvTranspose2d(4, 3, 2, output_padding=1), (2, 3, 4, 4)),
    (lambda M: M.LazyConvTranspose1d(2, 4, bias=False), (3, 5)),
]


@pytest.mark.parametrize("make,shape", LAZY, ids=[repr(m(torch.nn)).split("(")[0] for m, _ in LAZY])
def test_lazy_convs_match_torch(make, shape):
    m, tm = make(nn), make(torch.nn)
    assert repr(m) == repr(tm)
    ng.manual_seed(0)
    before = ng.rand(3).numpy()
    ng.manual_seed(0)
    m2 = make(nn)  # making a lazy layer draws no random numbers
    np.testing.assert_array_equal(ng.rand(3).numpy(), before)
    opt = ng.optim.SGD(m2.parameters(), lr=0.1)
    x = R.standard_normal(shape).astype(np.float32)
    y, ty = m(ng.tensor(x)), tm(torch.tensor(x))
    assert repr(m) == repr(tm) and type(m).__name__ == type(tm).__name__
    _load(m, tm)
    np.testing.assert_allclose(m(ng.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    assert y.shape == tuple(ty.shape)
    m2(ng.tensor(x)).sum().backward()
    w0 = m2.weight.numpy().copy()
    opt.step()  # the optimizer made before materialisation sees the filled Parameters
    assert not np.array_equal(m2.weight.numpy(), w0)
    m3 = make(nn)
    _load(m3, tm)  # a checkpoint loaded before any forward materialises the layer too
    np.testing.assert_allclose(m3(ng.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


def test_functional_inplace_spellings():
    x = R.standard_normal((3, 4))
    for name, args in [("relu_", ()), ("elu_", (0.5,)), ("leaky_relu_", (0.2,)), ("threshold_", (0.1, -1.0)),
                       ("hardtanh_", (-0.5, 0.5)), ("selu_", ()), ("celu_", (0.7,)), ("rrelu_", (0.1, 0.3))]:
        t, tt = ng.tensor(x), torch.tensor(x)
        assert getattr(F, name)(t, *args) is t
        getattr(TF, name)(tt, *args)
        np.testing.assert_allclose(t.numpy(), tt.numpy(), rtol=1e-12, err_msg=name)


def _sig(f):
    import inspect

    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # a C builtin in torch: nothing to compare
        return None
    return [(p.name, p.kind, p.default) for p in params
            if p.name not in ("self", "device", "dtype", "generator")]


def test_signatures_match_torch():
    """Every layer's __init__/forward and every functional added for PyTorch parity takes torch's
    argument names, kinds and defaults (netgrad's optional ``generator`` aside)."""
    import netgrad.functional.activation_more as fa
    import netgrad.functional.conv_more as fc
    import netgrad.functional.ctc as fctc
    import netgrad.functional.distance as fd
    import netgrad.functional.dropout_more as fdr
    import netgrad.functional.loss_more as fl
    import netgrad.functional.pooling_more as fp
    import netgrad.functional.resample as fr
    import netgrad.nn.activation_more as a
    import netgrad.nn.conv_more as c
    import netgrad.nn.distance as d
    import netgrad.nn.lazy_conv as lz
    import netgrad.nn.loss_more as lo
    import netgrad.nn.pooling_more as p
    import netgrad.nn.resample as r

    plain = {"Softsign", "LogSigmoid", "Tanhshrink", "Softmax2d"}  # torch: (*args, **kwargs)
    checked = 0
    for mod in (a, c, d, lz, lo, p, r):
        for name in mod.__all__:
            for meth in ("__init__", "forward"):
                if meth == "__init__" and name in plain:
                    continue
                ours = _sig(getattr(getattr(nn, name), meth))
                theirs = _sig(getattr(getattr(torch.nn, name), meth))
                assert ours == theirs, f"{name}.{meth}: {ours} != {theirs}"
                checked += 1
    for mod in (fa, fc, fctc, fd, fdr, fl, fp, fr):
        for name in mod.__all__:
            if name == "pad_modes":  # netgrad's helper behind F.pad's non-constant modes
                continue
            theirs = _sig(getattr(TF, name))
            if theirs is None or theirs[0][0] == "args":
                continue
            assert _sig(getattr(mod, name)) == theirs, name
            checked += 1
    assert checked > 150
