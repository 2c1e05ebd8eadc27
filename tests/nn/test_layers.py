"""Dropout, Dropout2d, BatchNorm1d/2d against torch and their train/eval semantics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad.testing import gradcheck
from tests.torch_ref import assert_close, compare_with_torch


def test_dropout_inverted_scaling_and_gradient():
    ng.manual_seed(0)
    x = ng.ones(200, 50, requires_grad=True)
    y = F.dropout(x, p=0.3)
    vals = np.unique(y.numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((y.numpy() == 0).mean() - 0.3) < 0.02
    assert abs(y.numpy().mean() - 1.0) < 0.03  # inverted dropout keeps the expectation
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # same mask in backward
    assert y.dtype == np.float32


def test_dropout_seeded_and_eval_identity():
    d = nn.Dropout(0.5)
    x = ng.randn(10, 10)
    ng.manual_seed(3)
    a = d(x).numpy().copy()
    ng.manual_seed(3)
    np.testing.assert_array_equal(d(x).numpy(), a)
    d.eval()
    assert d(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert np.all(F.dropout(x, 1.0).numpy() == 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    assert repr(nn.Dropout(0.25)) == repr(torch.nn.Dropout(0.25))


def test_dropout2d_zeroes_whole_channels():
    ng.manual_seed(1)
    x = ng.ones(8, 16, 5, 5, requires_grad=True)
    y = nn.Dropout2d(0.5)(x).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8
    assert nn.Dropout2d(0.5).eval()(x) is x
    gradcheck(lambda t: F.dropout2d(t, 0.5, generator=ng.Generator(5)),
              [ng.randn(2, 3, 2, 2, dtype=ng.float64, requires_grad=True)])


def _copy_bn(ng_bn, th_bn):
    with torch.no_grad():
        th_bn.weight.copy_(torch.from_numpy(ng_bn.weight.numpy()))
        th_bn.bias.copy_(torch.from_numpy(ng_bn.bias.numpy()))


@pytest.mark.parametrize("shape,cls,tcls", [
    ((8, 3), nn.BatchNorm1d, torch.nn.BatchNorm1d),
    ((6, 3, 5), nn.BatchNorm1d, torch.nn.BatchNorm1d),
    ((4, 3, 5, 6), nn.BatchNorm2d, torch.nn.BatchNorm2d),
])
def test_batchnorm_matches_torch_train_and_eval(shape, cls, tcls, rng):
    bn, tbn = cls(3, momentum=0.2), tcls(3, momentum=0.2)
    with ng.no_grad():
        bn.weight.copy_(rng.uniform(0.5, 2, 3).astype(np.float32))
        bn.bias.copy_(rng.standard_normal(3).astype(np.float32))
    _copy_bn(bn, tbn)
    for _ in range(3):  # running statistics follow torch's over several batches
        x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
        xn, xt = ng.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yn, yt = bn(xn), tbn(xt)
        assert_close(yn, yt, atol=1e-5, rtol=1e-4)
        gy = rng.standard_normal(shape).astype(np.float32)
        yn.backward(ng.tensor(gy))
        yt.backward(torch.tensor(gy))
        assert_close(xn.grad, xt.grad, atol=1e-4, rtol=1e-4)
        assert_close(bn.weight.grad, tbn.weight.grad, atol=1e-4, rtol=1e-4)
        assert_close(bn.bias.grad, tbn.bias.grad, atol=1e-4, rtol=1e-4)
        bn.zero_grad()
        tbn.zero_grad()
    assert_close(bn.running_mean, tbn.running_mean, atol=1e-5)
    assert_close(bn.running_var, tbn.running_var, atol=1e-4, rtol=1e-5)
    assert int(bn.num_batches_tracked.item()) == 3
    bn.eval()
    tbn.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    compare_with_torch(bn, tbn, [x], atol=1e-5, rtol=1e-4)
    assert repr(bn) == repr(tbn)


def test_batchnorm_state_dict_has_running_stats_and_round_trips():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == list(torch.nn.BatchNorm2d(4).state_dict())
    bn(ng.randn(5, 4, 3, 3))
    other = nn.BatchNorm2d(4)
    other.load_state_dict(bn.state_dict())
    np.testing.assert_array_equal(other.running_mean.numpy(), bn.running_mean.numpy())
    assert other.num_batches_tracked.item() == 1


def test_batchnorm_variants_match_torch(rng):
    x = rng.standard_normal((6, 3, 4)).astype(np.float32)
    for kw in ({"affine": False}, {"track_running_stats": False}, {"momentum": None}):
        bn, tbn = nn.BatchNorm1d(3, **kw), torch.nn.BatchNorm1d(3, **kw)
        for _ in range(2):
            compare_with_torch(bn, tbn, [x], atol=1e-5, rtol=1e-4)
        bn.eval()
        tbn.eval()
        compare_with_torch(bn, tbn, [x], atol=1e-5, rtol=1e-4)


def test_batchnorm_gradcheck_and_double_backward(rng):
    x = rng.standard_normal((5, 3, 2))
    w = rng.uniform(0.5, 2, 3)
    b = rng.standard_normal(3)

    def ng_bn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    def th_bn(x, w, b):
        return torch.nn.functional.batch_norm(x, None, None, w, b, training=True)

    compare_with_torch(ng_bn, th_bn, [x, w, b], atol=1e-9, rtol=1e-6, double_backward=True)
    gradcheck(ng_bn, [ng.tensor(x, requires_grad=True), ng.tensor(w, requires_grad=True),
                      ng.tensor(b, requires_grad=True)])


def test_batchnorm_errors_name_layer():
    with pytest.raises(ng.ShapeError, match=r"BatchNorm2d\(4, .*\): expected 4-D input with 4 channels"):
        nn.BatchNorm2d(4)(ng.zeros(2, 3, 5, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ng.zeros(1, 3))


def test_dropout2d_on_2d_and_3d_input_follows_torch_with_its_warnings():
    for shape, per in (((64, 6), None), ((16, 6, 5), -1)):
        x = ng.ones(*shape)
        tw = []
        with pytest.warns(UserWarning, match=r"dropout2d: Received a (2-D|3D) input") as rec:
            y = F.dropout2d(x, 0.5, True).numpy()
        tw = [str(w.message) for w in rec]
        with pytest.warns(UserWarning) as trec:
            torch.nn.functional.dropout2d(torch.ones(*shape), 0.5, True)
        assert tw[0] == str(trec[0].message)
        if per is None:  # elementwise, as torch's feature_dropout on (N, C)
            assert 0.2 < (y == 0).mean() < 0.8
        else:            # (N, C, L): one mask value per channel
            assert np.all((y == 0).all(-1) | (y == 2).all(-1))
