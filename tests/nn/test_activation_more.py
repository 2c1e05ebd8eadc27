"""netgrad.functional.activation_more and netgrad.nn.activation_more against torch: forward in
float32/float64, gradients, double backward, gradcheck, reprs, parameters and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad.testing import gradcheck
from tests.torch_ref import compare_with_torch

CASES = [
    ("hardtanh", F.hardtanh, TF.hardtanh),
    ("hardtanh_args", lambda x: F.hardtanh(x, -0.5, 2.0), lambda x: TF.hardtanh(x, -0.5, 2.0)),
    ("relu6", F.relu6, TF.relu6),
    ("selu", F.selu, TF.selu),
    ("celu", lambda x: F.celu(x, 0.7), lambda x: TF.celu(x, 0.7)),
    ("mish", F.mish, TF.mish),
    ("softsign", F.softsign, TF.softsign),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid),
    ("hardsigmoid", F.hardsigmoid, TF.hardsigmoid),
    ("hardswish", F.hardswish, TF.hardswish),
    ("softshrink", lambda x: F.softshrink(x, 0.7), lambda x: TF.softshrink(x, 0.7)),
    ("hardshrink", F.hardshrink, TF.hardshrink),
    ("tanhshrink", F.tanhshrink, TF.tanhshrink),
    ("softmin", lambda x: F.softmin(x, dim=1), lambda x: TF.softmin(x, dim=1)),
    ("glu", lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0)),
    ("glu_last", F.glu, TF.glu),
    ("rrelu_eval", lambda x: F.rrelu(x, 0.1, 0.3), lambda x: TF.rrelu(x, 0.1, 0.3)),
]
IDS = [c[0] for c in CASES]


def _input(rng, dtype, shape=(4, 6)):
    x = rng.standard_normal(shape) * 3
    # away from the kinks (0, +-0.5, +-0.7, +-1, 2, +-3, 6), where one-sided derivatives differ
    for k in (0.0, 0.5, -0.5, 0.7, -0.7, 1.0, -1.0, 2.0, 3.0, -3.0, 6.0):
        x = np.where(np.abs(x - k) < 0.05, k + 0.13, x)
    return x.astype(dtype)


# torch's float64 celu and hardsigmoid kernels round 1/alpha and 1/6 in float32 (rel. ~1e-7)
@pytest.mark.parametrize("dtype,atol,rtol", [(np.float32, 1e-5, 1e-4), (np.float64, 1e-9, 1e-7)])
@pytest.mark.parametrize("name,fn,tfn", CASES, ids=IDS)
def test_forward_and_gradient_match_torch(name, fn, tfn, dtype, atol, rtol, rng):
    compare_with_torch(fn, tfn, [_input(rng, dtype)], atol=atol, rtol=rtol)


NO_TORCH_DOUBLE = {"hardsigmoid"}  # torch: derivative for hardsigmoid_backward is not implemented


@pytest.mark.parametrize("name,fn,tfn", [c for c in CASES if c[0] not in NO_TORCH_DOUBLE],
                         ids=[i for i in IDS if i not in NO_TORCH_DOUBLE])
def test_double_backward_matches_torch(name, fn, tfn, rng):
    compare_with_torch(fn, tfn, [_input(rng, np.float64, (4, 4))], atol=1e-9, rtol=1e-7,
                       double_backward=True)


@pytest.mark.parametrize("name,fn,tfn", CASES, ids=IDS)
def test_gradcheck(name, fn, tfn, rng):
    x = ng.tensor(_input(rng, np.float64, (4, 4)), requires_grad=True)
    assert gradcheck(fn, [x])


def test_boundaries_gradients_match_torch():
    x = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0])
    for fn, tfn in [(F.hardtanh, TF.hardtanh), (F.relu6, TF.relu6), (F.hardsigmoid, TF.hardsigmoid),
                    (F.softshrink, TF.softshrink), (F.hardshrink, TF.hardshrink)]:
        compare_with_torch(fn, tfn, [x])


def test_large_inputs_stay_finite():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4])
    for fn, tfn in [(F.logsigmoid, TF.logsigmoid), (F.mish, TF.mish), (F.selu, TF.selu),
                    (F.celu, TF.celu), (F.softsign, TF.softsign)]:
        compare_with_torch(fn, tfn, [x])


def test_prelu_matches_torch(rng):
    x = _input(rng, np.float64, (2, 3, 4))
    compare_with_torch(F.prelu, TF.prelu, [x, np.array([0.1, -0.2, 0.3])], double_backward=True)
    compare_with_torch(F.prelu, TF.prelu, [x, np.array([0.25])], double_backward=True)
    compare_with_torch(F.prelu, TF.prelu, [x[0, 0], np.array([0.3])])
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        TF.prelu(torch.zeros(4), torch.ones(4))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(ng.zeros(4), ng.ones(4))
    xg = ng.tensor(x, requires_grad=True)
    w = ng.tensor([0.1, -0.2, 0.3], dtype=ng.float64, requires_grad=True)
    assert gradcheck(F.prelu, [xg, w])


def test_prelu_module_init_state_dict_and_grads(rng):
    m, tm = nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert repr(m) == repr(tm) == "PReLU(num_parameters=3)"
    np.testing.assert_array_equal(m.weight.numpy(), tm.weight.detach().numpy())
    m.load_state_dict({k: ng.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x = _input(rng, np.float32, (2, 3, 5))
    y, ty = m(ng.tensor(x)), tm(torch.from_numpy(x))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-6)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-5)
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        m(ng.zeros(2, 4))


def test_rrelu_training_uses_netgrad_generator():
    x = ng.tensor(-np.ones((200,)))
    ng.manual_seed(1)
    a = F.rrelu(x, 0.1, 0.3, training=True)
    ng.manual_seed(1)
    b = F.rrelu(x, 0.1, 0.3, training=True)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    slopes = -a.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    pos = F.rrelu(ng.ones(5), training=True)
    np.testing.assert_array_equal(pos.numpy(), np.ones(5))
    m = nn.RReLU(0.1, 0.3)
    xg = ng.tensor(-np.ones(50), requires_grad=True)
    y = m(xg)
    y.sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), -y.detach().numpy())  # slope of each element
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), np.full(200, -0.2))


def test_gumbel_softmax():
    ng.manual_seed(0)
    logits = ng.tensor(np.log(np.array([[0.7, 0.2, 0.1]] * 4000)), requires_grad=True)
    y = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert set(np.unique(y.numpy())) == {0.0, 1.0}
    np.testing.assert_array_equal(y.numpy().sum(1), 1.0)
    # Gumbel-max: argmax samples follow the softmax of the logits
    np.testing.assert_allclose(y.numpy().mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (y * ng.tensor([1.0, 2.0, 3.0], dtype=ng.float64)).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0
    soft = F.gumbel_softmax(ng.zeros(3, 5), dim=0)
    np.testing.assert_allclose(soft.numpy().sum(0), 1.0, rtol=1e-6)


MODULES = [
    (lambda m: m.Hardtanh(-2.0, 2.0), "Hardtanh(min_val=-2.0, max_val=2.0)"),
    (lambda m: m.ReLU6(), "ReLU6()"),
    (lambda m: m.ReLU6(inplace=True), "ReLU6(inplace=True)"),
    (lambda m: m.SELU(), "SELU()"),
    (lambda m: m.CELU(0.5), "CELU(alpha=0.5)"),
    (lambda m: m.Mish(), "Mish()"),
    (lambda m: m.Softsign(), "Softsign()"),
    (lambda m: m.LogSigmoid(), "LogSigmoid()"),
    (lambda m: m.Hardsigmoid(), "Hardsigmoid()"),
    (lambda m: m.Hardswish(), "Hardswish()"),
    (lambda m: m.Softshrink(0.3), "Softshrink(0.3)"),
    (lambda m: m.Hardshrink(), "Hardshrink(0.5)"),
    (lambda m: m.Tanhshrink(), "Tanhshrink()"),
    (lambda m: m.Softmin(1), "Softmin(dim=1)"),
    (lambda m: m.Softmax2d(), "Softmax2d()"),
    (lambda m: m.GLU(1), "GLU(dim=1)"),
    (lambda m: m.RReLU(0.1, 0.3), "RReLU(lower=0.1, upper=0.3)"),
]


@pytest.mark.parametrize("make,text", MODULES, ids=[t for _, t in MODULES])
def test_modules_repr_and_forward_match_torch(make, text, rng):
    m, tm = make(nn), make(torch.nn)
    assert repr(m) == repr(tm) == text
    m.eval()
    tm.eval()
    x = _input(rng, np.float32, (2, 4, 3, 2))
    np.testing.assert_allclose(m(ng.tensor(x)).numpy(), tm(torch.from_numpy(x)).numpy(),
                               rtol=1e-5, atol=1e-6)


def test_inplace_variants_write_into_input(rng):
    x = _input(rng, np.float32, (3, 3))
    for name in ("relu6", "hardtanh", "selu", "celu", "hardswish", "hardsigmoid", "mish"):
        t = ng.tensor(x)
        out = getattr(F, name)(t, inplace=True)
        assert out is t
        np.testing.assert_allclose(t.numpy(), getattr(TF, name)(torch.from_numpy(x)).numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_errors():
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(ng.zeros(3))
    with pytest.raises(ValueError, match="Softmax2d"):
        nn.Softmax2d()(ng.zeros(3))
    with pytest.raises(ValueError, match="lambda must be greater or equal to 0"):
        F.softshrink(ng.zeros(3), -1.0)
    with pytest.raises(ValueError, match="rrelu"):
        F.rrelu(ng.zeros(3), 0.5, 0.1)
    with pytest.raises(ValueError, match="max_val must be greater than min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(TypeError, match="hardtanh"):
        F.hardtanh("x")
