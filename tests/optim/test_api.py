"""Optimizer base behaviour: param groups, zero_grad, closure, state dicts, no allocation per step,
gradient clipping against torch."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import optim
from netgrad.nn.utils import clip_grad_norm_, clip_grad_value_

ALL = [(optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
       (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.01)), (optim.AdamW, dict(lr=0.01)),
       (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.9)), (optim.Adagrad, dict(lr=0.1)),
       (optim.Adadelta, dict(weight_decay=0.01))]


def _params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [ng.tensor(rng.normal(size=s), dtype=dtype, requires_grad=True) for s in [(50, 40), (40,), (3,)]]


def _train(opt, ps, steps, lib=ng):
    for _ in range(steps):
        opt.zero_grad()
        loss = sum(((p - 0.5) ** 2 + lib.log(1 + p ** 2)).sum() for p in ps)
        loss.backward()
        opt.step()


@pytest.mark.parametrize("cls,kw", ALL, ids=[c.__name__ for c, _ in ALL])
def test_state_dict_resume_is_exact(cls, kw, tmp_path):
    ps = _params()
    opt = cls(ps, **kw)
    _train(opt, ps, 20)
    want = [p.numpy().copy() for p in ps]

    ps2 = _params()
    opt2 = cls(ps2, **kw)
    _train(opt2, ps2, 10)
    ng.save({"opt": opt2.state_dict(), "params": [p.detach() for p in ps2]}, tmp_path / "s.ngz")
    loaded = ng.load(tmp_path / "s.ngz")
    ps3 = [ng.tensor(p, dtype=p.dtype, requires_grad=True) for p in loaded["params"]]
    opt3 = cls(ps3, lr=123.0)  # hyper-parameters come back from the state dict
    opt3.load_state_dict(loaded["opt"])
    assert opt3.param_groups[0]["lr"] == kw.get("lr", 1.0)
    _train(opt3, ps3, 10)
    for p, w in zip(ps3, want):
        np.testing.assert_array_equal(p.numpy(), w)


def test_state_dict_layout_like_torch():
    ps = _params()
    ts = [torch.tensor(p.numpy().copy(), requires_grad=True) for p in ps]
    opt = optim.Adam([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.1}])
    topt = torch.optim.Adam([{"params": ts[:1]}, {"params": ts[1:], "lr": 0.1}])
    _train(opt, ps, 1)
    _train(topt, ts, 1, torch)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sorted(sd["state"]) == sorted(tsd["state"]) == [0, 1, 2]
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in tsd["param_groups"]]
    assert set(sd["state"][0]) == set(tsd["state"][0])
    assert set(sd["param_groups"][1]) <= set(tsd["param_groups"][1])
    # the state is keyed by the parameter itself, never by id()
    assert all(any(k is p for p in ps) for k in opt.state)


def test_state_dict_is_a_copy():
    ps = _params()
    opt = optim.SGD(ps, lr=0.1, momentum=0.9)
    _train(opt, ps, 2)
    sd = opt.state_dict()
    before = sd["state"][0]["momentum_buffer"].numpy().copy()
    _train(opt, ps, 2)
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"].numpy(), before)


@pytest.mark.parametrize("cls,kw", ALL, ids=[c.__name__ for c, _ in ALL])
def test_step_allocates_nothing(cls, kw):
    ps = _params(dtype=np.float64)
    opt = cls(ps, **kw)
    _train(opt, ps, 2)  # state and scratch buffers exist from here on
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    # The 50x40 float64 parameter is 16,000 bytes: no array of its size may be allocated.
    assert peak < 4000, f"{cls.__name__}.step allocated {peak} bytes"


def test_zero_grad_and_skipping_params_without_grad():
    a, b = ng.tensor([1.0], requires_grad=True), ng.tensor([2.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1)
    (a * 3).sum().backward()
    opt.step()
    assert b.grad is None and b.item() == 2.0 and abs(a.item() - 0.7) < 1e-6
    opt.zero_grad(set_to_none=False)
    assert a.grad is not None and a.grad.item() == 0.0
    opt.zero_grad()
    assert a.grad is None


def test_closure_returns_loss():
    w = ng.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 4.0 and abs(w.item() - 1.6) < 1e-6


def test_argument_errors():
    w = ng.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="lr"):
        optim.SGD([w], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam([w], betas=(0.9, 1.5))
    with pytest.raises(TypeError, match="single Tensor"):
        optim.Adam(w)
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])
    with pytest.raises(ValueError, match="more than one group"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(ValueError, match="required"):
        optim.SGD([w])
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2], lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


def test_add_param_group_and_repr():
    a, b = ng.tensor([1.0], requires_grad=True), ng.tensor([1.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999) and opt.param_groups[1]["lr"] == 0.01
    assert "Parameter Group 1" in repr(opt)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=s) for s in [(4, 3), (3,)]]
    ps = [ng.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    ts = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, t, g in zip(ps, ts, grads):
        p.grad = ng.tensor(g)
        t.grad = torch.tensor(g)
    n = clip_grad_norm_(ps, max_norm, norm_type)
    tn = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type)
    assert n.item() == pytest.approx(tn.item(), rel=1e-12)
    for p, t in zip(ps, ts):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_takes_a_generator():
    # model.parameters() is a generator: the norm and the clipping must both see every gradient
    ps = [ng.tensor([0.0, 0.0], requires_grad=True), ng.tensor([0.0], requires_grad=True)]
    ps[0].grad, ps[1].grad = ng.tensor([3.0, 0.0]), ng.tensor([4.0])
    n = clip_grad_norm_((p for p in ps), 1.0)
    assert n.item() == pytest.approx(5.0)
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(ps[1].grad.numpy(), [0.8], rtol=1e-6)


def test_clip_grad_value_and_nonfinite():
    p = ng.tensor([0.0, 0.0, 0.0], requires_grad=True)
    p.grad = ng.tensor([-3.0, 0.5, 7.0])
    clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]
    p.grad = ng.tensor([float("nan"), 1.0, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
