"""Losses against torch (values and gradients for every reduction), gradcheck in float64, the notes'
closed forms, stability at the extremes, and module forms."""

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

REDUCTIONS = ["mean", "sum", "none"]


def _reg(rng, shape=(4, 3), dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "l1", "huber", "huber2", "smooth_l1"])
def test_regression_losses_match_torch(name, reduction, rng):
    x, t = _reg(rng)
    x[0, 0] = t[0, 0] + 0.3  # inside the quadratic zone of huber
    fns = {
        "mse": (lambda a, b: F.mse_loss(a, b, reduction=reduction),
                lambda a, b: TF.mse_loss(a, b, reduction=reduction)),
        "l1": (lambda a, b: F.l1_loss(a, b, reduction=reduction),
               lambda a, b: TF.l1_loss(a, b, reduction=reduction)),
        "huber": (lambda a, b: F.huber_loss(a, b, reduction=reduction),
                  lambda a, b: TF.huber_loss(a, b, reduction=reduction)),
        "huber2": (lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=0.5),
                   lambda a, b: TF.huber_loss(a, b, reduction=reduction, delta=0.5)),
        "smooth_l1": (lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=0.7),
                      lambda a, b: TF.smooth_l1_loss(a, b, reduction=reduction, beta=0.7)),
    }
    f, tf = fns[name]
    compare_with_torch(f, tf, [x, t], atol=1e-5, rtol=1e-5)


def test_regression_gradcheck(rng):
    x, t = _reg(rng, (3, 2), np.float64)
    xs = ng.tensor(x, requires_grad=True)
    ts = ng.tensor(t, requires_grad=True)
    for f in (F.mse_loss, F.half_mse_loss, F.sse_loss, F.l1_loss, F.huber_loss,
              lambda a, b: F.smooth_l1_loss(a, b, beta=0.5)):
        gradcheck(f, [xs, ts])


def test_half_mse_and_sse_formulas(rng):
    x, t = _reg(rng, (5,), np.float64)
    y_hat, y = ng.tensor(x, requires_grad=True), ng.tensor(t)
    j = F.half_mse_loss(y_hat, y)
    np.testing.assert_allclose(j.item(), ((t - x) ** 2).sum() / (2 * 5))
    j.backward()
    np.testing.assert_allclose(y_hat.grad.numpy(), (x - t) / 5)  # dJ/dy_hat = (y_hat - y) / N
    np.testing.assert_allclose(F.sse_loss(y_hat, y).item(), ((t - x) ** 2).sum())
    assert F.rss_loss is F.sse_loss and nn.RSSLoss is nn.SSELoss
    np.testing.assert_allclose(nn.HalfMSELoss(reduction="sum")(y_hat, y).item(), ((t - x) ** 2).sum() / 2)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_torch(reduction, rng):
    p = rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    t = rng.uniform(0, 1, (4, 3)).astype(np.float32)
    w = rng.uniform(0.5, 2, (3,)).astype(np.float32)
    compare_with_torch(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction),
                       lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction),
                       [p, t], atol=1e-5, rtol=1e-4)
    compare_with_torch(lambda a, b: F.binary_cross_entropy(a, b, ng.tensor(w), reduction=reduction),
                       lambda a, b: TF.binary_cross_entropy(a, b, torch.tensor(w), reduction=reduction),
                       [p, t], atol=1e-5, rtol=1e-4, requires_grad=[True, False])


def test_bce_clamps_instead_of_log_zero():
    p = ng.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    t = ng.tensor([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy(p, t, reduction="none")
    tl = TF.binary_cross_entropy(torch.tensor([0.0, 1, 0, 1], requires_grad=True),
                                 torch.tensor([0.0, 1, 1, 0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), tl.detach().numpy())  # [0, 0, 100, 100]
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(ng.tensor([1.5]), ng.tensor([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch(reduction, rng):
    z = (rng.standard_normal((4, 3)) * 4).astype(np.float32)
    t = rng.uniform(0, 1, (4, 3)).astype(np.float32)
    pw = rng.uniform(0.5, 3, (3,)).astype(np.float32)
    w = rng.uniform(0.5, 2, (4, 1)).astype(np.float32)
    compare_with_torch(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
                       lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=reduction),
                       [z, t], atol=1e-5, rtol=1e-4)
    compare_with_torch(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, ng.tensor(w), reduction=reduction,
                                                        pos_weight=ng.tensor(pw)),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, torch.tensor(w), reduction=reduction,
                                                         pos_weight=torch.tensor(pw)),
        [z, t], atol=1e-5, rtol=1e-4)


def test_binary_losses_gradcheck(rng):
    p = ng.tensor(rng.uniform(0.1, 0.9, (3, 2)), requires_grad=True)
    z = ng.tensor(rng.standard_normal((3, 2)) * 3, requires_grad=True)
    t = ng.tensor(rng.uniform(0, 1, (3, 2)), requires_grad=True)
    pw = ng.tensor([2.0, 0.5], dtype=ng.float64)
    gradcheck(F.binary_cross_entropy, [p, t])
    gradcheck(F.binary_cross_entropy_with_logits, [z, t])
    gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw), [z, t])
    gradcheck(F.binary_log_likelihood, [p, t])


def test_bce_with_logits_stable_at_extremes():
    z = ng.tensor([-1e4, -100.0, 100.0, 1e4], requires_grad=True)
    t = ng.tensor([0.0, 1.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(z, t, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0, 100, 100, 0])
    loss.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0, -1, 1, 0])


# ------------------------------------------------------------------------------ cross-entropy
CE_CONFIGS = [
    {}, {"weight": True}, {"ignore_index": 1}, {"label_smoothing": 0.2},
    {"weight": True, "ignore_index": 2, "label_smoothing": 0.1}, {"weight": True, "label_smoothing": 0.3},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("cfg", CE_CONFIGS, ids=[str(c) for c in CE_CONFIGS])
def test_cross_entropy_index_targets_match_torch(cfg, reduction, rng):
    C = 4
    z = (rng.standard_normal((6, C)) * 2).astype(np.float32)
    y = np.array([0, 1, 2, 3, 1, 2])
    w = rng.uniform(0.2, 2, (C,)).astype(np.float32)
    kw = dict(reduction=reduction, ignore_index=cfg.get("ignore_index", -100),
              label_smoothing=cfg.get("label_smoothing", 0.0))

    def f(a, b):
        return F.cross_entropy(a, b, weight=ng.tensor(w) if cfg.get("weight") else None, **kw)

    def tf(a, b):
        return TF.cross_entropy(a, b, weight=torch.tensor(w) if cfg.get("weight") else None, **kw)

    compare_with_torch(f, tf, [z, y], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("cfg", [{}, {"weight": True}, {"label_smoothing": 0.2},
                                 {"weight": True, "label_smoothing": 0.1}])
def test_cross_entropy_probability_targets_match_torch(cfg, reduction, rng):
    C = 5
    z = (rng.standard_normal((4, C)) * 2).astype(np.float32)
    t = rng.uniform(0, 1, (4, C)).astype(np.float32)
    t /= t.sum(1, keepdims=True)
    w = rng.uniform(0.2, 2, (C,)).astype(np.float32)
    ls = cfg.get("label_smoothing", 0.0)
    compare_with_torch(
        lambda a, b: F.cross_entropy(a, b, weight=ng.tensor(w) if cfg.get("weight") else None,
                                     reduction=reduction, label_smoothing=ls),
        lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(w) if cfg.get("weight") else None,
                                      reduction=reduction, label_smoothing=ls),
        [z, t], atol=1e-5, rtol=1e-5, requires_grad=[True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_and_unbatched(reduction, rng):
    z = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    y = rng.integers(0, 3, (2, 4, 5))
    y[0, 0, 0] = -100
    compare_with_torch(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
                       lambda a, b: TF.cross_entropy(a, b, reduction=reduction), [z, y], atol=1e-5)
    compare_with_torch(lambda a, b: F.nll_loss(a, b, reduction=reduction),
                       lambda a, b: TF.nll_loss(a, b, reduction=reduction), [z, y], atol=1e-5)
    z1 = rng.standard_normal(4).astype(np.float32)
    y1 = np.array(2)
    compare_with_torch(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
                       lambda a, b: TF.cross_entropy(a, b, reduction=reduction), [z1, y1], atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("cfg", [{}, {"weight": True}, {"ignore_index": 0},
                                 {"weight": True, "ignore_index": 3}])
def test_nll_loss_matches_torch(cfg, reduction, rng):
    C = 4
    a = np.log(rng.dirichlet(np.ones(C), 6)).astype(np.float32)
    y = np.array([0, 1, 2, 3, 0, 3])
    w = rng.uniform(0.2, 2, (C,)).astype(np.float32)
    kw = dict(reduction=reduction, ignore_index=cfg.get("ignore_index", -100))
    compare_with_torch(
        lambda x, t: F.nll_loss(x, t, weight=ng.tensor(w) if cfg.get("weight") else None, **kw),
        lambda x, t: TF.nll_loss(x, t, weight=torch.tensor(w) if cfg.get("weight") else None, **kw),
        [a, y], atol=1e-5, rtol=1e-5)


def test_cross_entropy_and_nll_double_backward_match_torch(rng):
    z = rng.standard_normal((5, 4))
    y = np.array([0, 3, 1, 1, 2])
    w = rng.uniform(0.5, 2, 4)
    for kw in ({}, {"label_smoothing": 0.1}, {"reduction": "none"}):
        compare_with_torch(lambda a, b: F.cross_entropy(a, b, ng.tensor(w), **kw),
                           lambda a, b: TF.cross_entropy(a, b, torch.tensor(w), **kw),
                           [z, y], atol=1e-9, rtol=1e-7, double_backward=True)
    compare_with_torch(lambda a, b: F.nll_loss(F.log_softmax(a, 1), b),
                       lambda a, b: TF.nll_loss(TF.log_softmax(a, 1), b),
                       [z, y], atol=1e-9, rtol=1e-7, double_backward=True)


def test_cross_entropy_gradcheck(rng):
    z = ng.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = ng.tensor([0, 2, 1, 2])
    t = ng.tensor(rng.dirichlet(np.ones(3), 4))
    w = ng.tensor([0.5, 1.0, 2.0], dtype=ng.float64)
    gradcheck(lambda a: F.cross_entropy(a, y), [z])
    gradcheck(lambda a: F.cross_entropy(a, y, w, ignore_index=1, label_smoothing=0.2), [z])
    gradcheck(lambda a: F.cross_entropy(a, t, reduction="none"), [z])
    gradcheck(lambda a: F.nll_loss(a, y, w, reduction="sum"), [z])


def test_cross_entropy_stable_for_huge_logits():
    z = ng.tensor([[1e4, -1e4, 0.0], [-1e30, 1e30, 0.0]], requires_grad=True)
    loss = F.cross_entropy(z, ng.tensor([1, 1]), label_smoothing=0.1)
    assert np.isfinite(loss.item())
    loss.backward()
    assert np.all(np.isfinite(z.grad.numpy()))


def test_cross_entropy_all_ignored_is_nan_like_torch():
    z = ng.randn(2, 3)
    loss = F.cross_entropy(z, ng.tensor([-100, -100]))
    assert np.isnan(loss.item())


def test_cross_entropy_errors_name_the_loss():
    z = ng.randn(4, 3)
    with pytest.raises(IndexError, match="cross_entropy: target 3 is out of bounds for 3 classes"):
        F.cross_entropy(z, ng.tensor([0, 1, 2, 3]))
    with pytest.raises(ng.ShapeError, match="cross_entropy.*\\(4,\\).*\\(5,\\)"):
        F.cross_entropy(z, ng.tensor([0, 1, 2, 1, 0]))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(z, ng.tensor([0, 1, 2, 1]), reduction="avg")
    with pytest.raises(ng.ShapeError, match="nll_loss"):
        F.nll_loss(z, ng.tensor([0, 1]))


# ----------------------------------------------------------------------- the notes' closed forms
def test_softmax_cross_entropy_gives_output_sensitivity_z_minus_t(rng):
    """With z = softmax(net) and J = -sum t log z, dJ/dnet = z - t."""
    net = ng.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    y = np.array([0, 3, 1, 1, 2])
    t = np.eye(4)[y]
    F.cross_entropy(net, ng.tensor(y), reduction="sum").backward()
    z = F.softmax(net, dim=1).numpy()
    np.testing.assert_allclose(net.grad.numpy(), z - t, atol=1e-12)
    net.grad = None
    F.cross_entropy(net, ng.tensor(t), reduction="sum").backward()  # one-hot targets too
    np.testing.assert_allclose(net.grad.numpy(), z - t, atol=1e-12)


def test_logistic_output_with_log_likelihood_gives_y_minus_yhat_h(rng):
    """l = sum y log y_hat + (1 - y) log(1 - y_hat), y_hat = sigma(h w): dl/dw = (y - y_hat) h."""
    h = rng.standard_normal((6, 3))
    y = rng.integers(0, 2, 6).astype(np.float64)
    w = ng.tensor(rng.standard_normal(3), requires_grad=True)
    y_hat = F.sigmoid(ng.tensor(h) @ w)
    F.binary_log_likelihood(y_hat, ng.tensor(y)).backward()
    np.testing.assert_allclose(w.grad.numpy(), (y - y_hat.numpy()) @ h, rtol=1e-10)
    # the same through the module form
    w.grad = None
    nn.BinaryLogLikelihood()(F.sigmoid(ng.tensor(h) @ w), ng.tensor(y)).backward()
    np.testing.assert_allclose(w.grad.numpy(), (y - y_hat.numpy()) @ h, rtol=1e-10)


def test_squared_error_with_logistic_output_closed_form(rng):
    """J = sum (y - y_hat)^2, y_hat = sigma(h w): dJ/dw = 2 (y_hat - y) y_hat (1 - y_hat) h."""
    h = rng.standard_normal((6, 3))
    y = rng.uniform(0, 1, 6)
    w = ng.tensor(rng.standard_normal(3), requires_grad=True)
    y_hat = F.sigmoid(ng.tensor(h) @ w)
    F.sse_loss(y_hat, ng.tensor(y)).backward()
    yh = y_hat.numpy()
    np.testing.assert_allclose(w.grad.numpy(), (2 * (yh - y) * yh * (1 - yh)) @ h, rtol=1e-10)


# ---------------------------------------------------------------------------- other losses
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target, rng):
    a = np.log(rng.dirichlet(np.ones(4), 3)).astype(np.float32)
    t = rng.dirichlet(np.ones(4), 3).astype(np.float32)
    t[0, 1] = 0.0  # t log t = 0 at t = 0
    t = np.log(t + 1e-3).astype(np.float32) if log_target else t
    compare_with_torch(lambda x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target),
                       lambda x, y: TF.kl_div(x, y, reduction=reduction, log_target=log_target),
                       [a, t], atol=1e-5, rtol=1e-5, requires_grad=[True, log_target])
    # (torch's target gradient is NaN where t = 0; netgrad's is finite)


def test_kl_div_gradcheck(rng):
    a = ng.tensor(np.log(rng.dirichlet(np.ones(3), 2)), requires_grad=True)
    t = ng.tensor(rng.dirichlet(np.ones(3), 2), requires_grad=True)
    gradcheck(lambda x, y: F.kl_div(x, y, reduction="batchmean"), [a, t])
    gradcheck(lambda x, y: F.kl_div(x, y, log_target=True), [a, t])


def test_symmetric_cross_entropy(rng):
    z = rng.dirichlet(np.ones(3), 4)
    t = np.eye(3)[[0, 2, 1, 1]]
    eps = 1e-7
    expected = -(t * np.log(np.clip(z, eps, 1)) + z * np.log(np.clip(t, eps, 1))).sum(1)
    zt = ng.tensor(z, requires_grad=True)
    out = F.symmetric_cross_entropy(zt, ng.tensor(t), reduction="none")
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(F.symmetric_cross_entropy(zt, ng.tensor(t)).item(), expected.mean())
    gradcheck(lambda a: F.symmetric_cross_entropy(a, ng.tensor(t)), [zt])
    assert np.isfinite(nn.SymmetricCrossEntropyLoss()(ng.tensor(t), ng.tensor(t)).item())


def test_one_hot_matches_torch():
    y = np.array([[0, 3], [2, 1]])
    np.testing.assert_array_equal(F.one_hot(ng.tensor(y)).numpy(), TF.one_hot(torch.tensor(y)).numpy())
    np.testing.assert_array_equal(F.one_hot(ng.tensor(y), 6).numpy(),
                                  TF.one_hot(torch.tensor(y), 6).numpy())
    assert F.one_hot(ng.tensor([1])).dtype == np.int64
    with pytest.raises(ValueError):
        F.one_hot(ng.tensor([5]), 3)


LOSS_MODULES = [
    (nn.MSELoss(), torch.nn.MSELoss(), "reg"),
    (nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum"), "reg"),
    (nn.HuberLoss(delta=0.5), torch.nn.HuberLoss(delta=0.5), "reg"),
    (nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5), "reg"),
    (nn.BCELoss(), torch.nn.BCELoss(), "prob"),
    (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), "reg01"),
    (nn.CrossEntropyLoss(label_smoothing=0.1), torch.nn.CrossEntropyLoss(label_smoothing=0.1), "cls"),
    (nn.NLLLoss(reduction="none"), torch.nn.NLLLoss(reduction="none"), "cls"),
    (nn.KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean"), "prob"),
]


@pytest.mark.parametrize("mod,tmod,kind", LOSS_MODULES, ids=[type(m).__name__ for m, _, _ in LOSS_MODULES])
def test_loss_modules_match_torch(mod, tmod, kind, rng):
    if kind == "cls":
        inputs = [rng.standard_normal((5, 4)).astype(np.float32), rng.integers(0, 4, 5)]
    elif kind == "prob":
        inputs = [rng.uniform(0.1, 0.9, (5, 4)).astype(np.float32),
                  rng.uniform(0, 1, (5, 4)).astype(np.float32)]
    elif kind == "reg01":
        inputs = [rng.standard_normal((5, 4)).astype(np.float32),
                  rng.uniform(0, 1, (5, 4)).astype(np.float32)]
    else:
        inputs = list(_reg(rng, (5, 4)))
    compare_with_torch(mod, tmod, inputs, atol=1e-5, rtol=1e-5)
    assert repr(mod) == repr(tmod)
