"""PyTorch's argument names, keyword-only arguments, out= and deprecated loss arguments, each call
run with netgrad and with torch and compared (values, dtypes, errors)."""

import warnings

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn.functional as F


def _env(lib):
    gen = np.random.default_rng(0)
    a = gen.standard_normal((2, 3)).astype(np.float32)
    b = gen.standard_normal((2, 3)).astype(np.float32)
    m = gen.standard_normal((3, 4)).astype(np.float32)
    return {"lib": lib, "x": lib.tensor(a), "y": lib.tensor(b), "m": lib.tensor(m),
            "v": lib.tensor([1.0, 2.0, 3.0]), "i": lib.tensor([[7, -7, 5], [-5, 3, 0]]),
            "lo": lib.tensor([-0.5, 0.0, 0.5]), "hi": lib.tensor([0.5, 0.25, 0.4]),
            "b3": lib.tensor(np.ones((2, 3, 4), np.float32)),
            "c3": lib.tensor(np.ones((2, 4, 2), np.float32)),
            "F": F if lib is ng else torch.nn.functional}


def _cmp(a, t):
    if isinstance(t, tuple):
        assert isinstance(a, tuple) and len(a) == len(t)
        for p, q in zip(a, t):
            _cmp(p, q)
        return
    assert tuple(a.shape) == tuple(t.shape)
    assert str(t.dtype) == "torch." + a.dtype.name, (a.dtype, t.dtype)
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)


CALLS = [
    "lib.matmul(input=x, other=m)", "lib.matmul(x, other=m)", "lib.mm(input=x, mat2=m)",
    "lib.bmm(input=b3, mat2=c3)", "lib.dot(input=v, tensor=v)", "lib.outer(input=v, vec2=v)",
    "lib.add(input=x, other=y)", "lib.add(x, y, alpha=2)", "lib.add(x, 3, alpha=2)",
    "lib.sub(x, y, alpha=0.5)",
    "lib.sub(input=x, other=y, alpha=2)", "lib.mul(input=x, other=y)", "lib.mul(x, 2)",
    "lib.div(input=x, other=y)", "lib.div(i, 2)", "lib.div(i, 2, rounding_mode='trunc')",
    "lib.div(i, 2, rounding_mode='floor')", "lib.div(x, y, rounding_mode='floor')",
    "lib.div(x, y, rounding_mode='trunc')", "lib.div(i, 2.0, rounding_mode='floor')",
    "lib.div(i, lib.tensor([2, -2, 3]), rounding_mode='trunc')", "lib.true_divide(i, 2)",
    "lib.pow(input=x, exponent=2)", "lib.pow(2, v)", "lib.pow(v, exponent=v)",
    "lib.clamp(input=x, min=-0.5, max=0.5)", "lib.clamp(x, min=-0.1)", "lib.clamp(x, max=0.1)",
    "lib.clamp(x, lo, hi)", "lib.clamp(x, min=lo)", "lib.clamp(x, max=hi)", "lib.clamp(x, hi, lo)",
    "lib.clip(x, -0.2, 0.2)", "lib.maximum(input=x, other=y)", "lib.minimum(x, other=y)",
    "lib.where(x > 0, input=x, other=y)", "lib.where(condition=x > 0, input=x, other=y)", "lib.where(x > 0)",
    "lib.neg(input=x)", "lib.exp(input=x)", "lib.abs(input=x)", "lib.square(input=x)", "lib.sqrt(input=v)",
    "lib.log(input=v)", "lib.reciprocal(input=v)", "lib.eq(input=x, other=y)", "lib.gt(x, other=0)",
    "lib.sum(input=x)", "lib.sum(x, dim=1)", "lib.sum(x, 1, True)", "lib.sum(x, dim=(0, 1), keepdim=True)",
    "lib.sum(x, 0, dtype=lib.float64)", "lib.sum(i, dtype=lib.float32)", "lib.sum(i)",
    "lib.mean(input=x, dim=0)", "lib.mean(x, 1, True, dtype=lib.float64)", "lib.mean(x, dim=[0, 1])",
    "lib.max(input=x)", "lib.max(x, 1)", "lib.max(x, dim=1, keepdim=True)", "lib.max(input=x, dim=0)",
    "lib.min(x, dim=0)", "lib.max(x, y)", "lib.max(x, other=y)",
    "lib.amax(input=x, dim=1)", "lib.argmax(input=x, dim=1)", "lib.argmax(x, dim=0, keepdim=True)",
    "lib.logsumexp(input=x, dim=1)", "lib.prod(input=x, dim=1)", "lib.var(input=x, dim=1)",
    "lib.std(x, dim=0, correction=0)", "lib.all(input=x > -10)", "lib.any(input=x > 1, dim=1)",
    "F.linear(input=x, weight=m.t())",
]


METHODS = [
    "x.add(other=y, alpha=2)", "x.sub(y, alpha=3)", "x.mul(other=y)", "x.div(other=y)",
    "i.div(2, rounding_mode='floor')", "x.pow(exponent=2)", "x.matmul(other=m)", "x.mm(mat2=m)",
    "x.clamp(min=-0.2, max=0.2)", "x.clamp(min=lo, max=hi)", "x.clip(lo)", "x.maximum(other=y)",
    "x.sum(dim=1, keepdim=True, dtype=lib.float64)", "x.mean(dim=0, dtype=lib.float64)", "x.max(dim=1)",
    "x.max(dim=0, keepdim=True)", "x.argmax(dim=1, keepdim=True)", "x.std(dim=1, correction=0)",
    "x.logsumexp(dim=1, keepdim=True)", "x.prod(dim=0)", "v.dot(tensor=v)", "x.eq(other=y)",
]


@pytest.mark.parametrize("expr", METHODS)
def test_method_keywords_match_torch(expr):
    a, t = eval(expr, _env(ng)), eval(expr, _env(torch))
    _cmp(a, t)


@pytest.mark.parametrize("expr", CALLS)
def test_keywords_match_torch(expr):
    a, t = eval(expr, _env(ng)), eval(expr, _env(torch))
    _cmp(a, t)


def test_max_with_dim_returns_named_values_and_indices():
    for lib in (ng, torch):
        env = _env(lib)
        r = lib.max(env["x"], dim=1, keepdim=True)
        values, indices = r
        assert r.values is values and r.indices is indices
        assert indices.dtype == lib.int64 and tuple(values.shape) == (2, 1)
    np.testing.assert_array_equal(ng.max(_env(ng)["x"], 1).indices.numpy(),
                                  torch.max(_env(torch)["x"], 1).indices.numpy())


@pytest.mark.parametrize("expr", [
    "lib.add(x, y, 2)", "lib.div(x, y, rounding_mode='round')", "lib.div(i, 0, rounding_mode='floor')",
    "lib.matmul(x, x)", "lib.clamp(x)", "lib.where(x > 0, x)", "lib.mm(a=x, b=m)", "lib.sum(x, dim=5)",
    "lib.add(x, y, out=lib.empty(2, 3, dtype=lib.int64))",
])
def test_errors_match_torch(expr):
    with pytest.raises(Exception) as want:
        eval(expr, _env(torch))
    with pytest.raises(type(want.value)):
        eval(expr, _env(ng))


@pytest.mark.parametrize("expr", [
    "lib.add(x, y, out=o)", "lib.sub(x, y, alpha=2, out=o)", "lib.mul(x, y, out=o)", "lib.div(x, y, out=o)",
    "lib.exp(x, out=o)", "lib.neg(x, out=o)", "lib.clamp(x, -0.1, 0.1, out=o)", "lib.maximum(x, y, out=o)",
"lib.pow(x, 2, out=o)", "lib.matmul(x, m, out=o)",
    "lib.add(i, i, out=o)", "lib.mm(x, m, out=o)",
])
def test_out_matches_torch(expr):
    res = {}
    for lib in (ng, torch):
        env = _env(lib)
        env["o"] = o = lib.empty(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eval(expr, env)
        assert r is o
        res[lib] = o
    _cmp(res[ng], res[torch])


def test_out_refuses_gradients_like_torch():
    for lib in (ng, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="out="):
            lib.exp(x, out=lib.empty(2))
        with lib.no_grad():
            o = lib.empty(2)
            lib.exp(x, out=o)
        assert o.tolist() == pytest.approx([np.e, np.e])


def test_rounded_div_gradients_are_zero_like_torch():
    for lib in (ng, torch):
        x = lib.tensor([1.5, -2.5], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([2.0, 2.0], dtype=lib.float64, requires_grad=True)
        q = lib.div(x, y, rounding_mode="floor")
        assert q.requires_grad
        (q * lib.tensor([1.0, 2.0], dtype=lib.float64)).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0] and y.grad.tolist() == [0.0, 0.0]
    ng.testing.gradcheck(lambda a: ng.div(a, 3.0, rounding_mode="trunc"),
                         [ng.tensor([1.2, -2.3], dtype=ng.float64, requires_grad=True)])


def test_clamp_with_tensor_bounds_gradients_match_torch():
    grads = {}
    for lib in (ng, torch):
        x = lib.tensor([-1.0, 0.1, 2.0, 0.3], dtype=lib.float64, requires_grad=True)
        lo = lib.tensor([0.0, 0.0, 0.0, 0.5], dtype=lib.float64, requires_grad=True)
        hi = lib.tensor([1.0, 1.0, 1.0, 0.4], dtype=lib.float64, requires_grad=True)
        y = lib.clamp(x, lo, hi)
        (y * lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64)).sum().backward()
        grads[lib] = (y.detach().numpy(), x.grad.numpy(), lo.grad.numpy(), hi.grad.numpy())
    for a, t in zip(grads[ng], grads[torch]):
        np.testing.assert_allclose(a, t)


# ------------------------------------------------------------------ deprecated loss arguments
LEGACY = [(None, None), (True, None), (False, None), (None, True), (None, False), (True, False),
          (False, False), (False, True), (True, True)]


def _loss_inputs(lib, kind):
    gen = np.random.default_rng(1)
    z = gen.standard_normal((4, 3))
    if kind == "cls":
        return lib.tensor(z, dtype=lib.float64), lib.tensor([0, 2, 1, 2])
    if kind == "prob":
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        return lib.tensor(np.log(p), dtype=lib.float64), lib.tensor(p[::-1].copy(), dtype=lib.float64)
    if kind == "bin":
        return (lib.tensor(1 / (1 + np.exp(-z)), dtype=lib.float64),
                lib.tensor((z > 0).astype(float), dtype=lib.float64))
    return lib.tensor(z, dtype=lib.float64), lib.tensor(z[::-1].copy(), dtype=lib.float64)


FUNCTIONS = [("mse_loss", "reg"), ("l1_loss", "reg"), ("smooth_l1_loss", "reg"), ("cross_entropy", "cls"),
             ("nll_loss", "cls"), ("kl_div", "prob"), ("binary_cross_entropy", "bin"),
             ("binary_cross_entropy_with_logits", "reg_bin")]


@pytest.mark.parametrize("name,kind", FUNCTIONS)
@pytest.mark.parametrize("size_average,reduce", LEGACY)
def test_functional_losses_apply_size_average_and_reduce_as_torch(name, kind, size_average, reduce):
    out = {}
    for lib, mod in ((ng, F), (torch, torch.nn.functional)):
        if kind == "reg_bin":
            x, _ = _loss_inputs(lib, "reg")
            _, t = _loss_inputs(lib, "bin")
        else:
            x, t = _loss_inputs(lib, kind)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out[lib] = getattr(mod, name)(x, t, size_average=size_average, reduce=reduce, reduction="sum")
        legacy_warned = any("size_average" in str(m.message) for m in w)
        assert legacy_warned == (size_average is not None or reduce is not None)
    _cmp(out[ng], out[torch])


MODULES = ["MSELoss", "L1Loss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "KLDivLoss", "BCELoss",
           "BCEWithLogitsLoss"]


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("size_average,reduce", LEGACY)
@pytest.mark.filterwarnings("ignore:.*'mean' divides:UserWarning")
def test_loss_modules_apply_size_average_and_reduce_as_torch(name, size_average, reduce):
    kind = dict(zip(MODULES, ["reg", "reg", "reg", "cls", "cls", "prob", "bin", "reg_bin"]))[name]
    out = {}
    for lib in (ng, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            crit = getattr(lib.nn, name)(size_average=size_average, reduce=reduce)
        assert crit.reduction == getattr(torch.nn, name)(reduction="mean").reduction or (
            size_average is not None or reduce is not None)
        if kind == "reg_bin":
            x, _ = _loss_inputs(lib, "reg")
            _, t = _loss_inputs(lib, "bin")
        else:
            x, t = _loss_inputs(lib, kind)
        out[lib] = (crit.reduction, crit(x, t))
    assert out[ng][0] == out[torch][0]
    _cmp(out[ng][1], out[torch][1])


def test_loss_positional_arguments_in_torchs_order():
    x, t = _loss_inputs(ng, "reg")
    xt, tt = _loss_inputs(torch, "reg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _cmp(F.mse_loss(x, t, None, None, "sum"), torch.nn.functional.mse_loss(xt, tt, None, None, "sum"))
        _cmp(F.l1_loss(x, t, False), torch.nn.functional.l1_loss(xt, tt, False))
        _cmp(ng.nn.MSELoss(None, False)(x, t), torch.nn.MSELoss(None, False)(xt, tt))
    w = np.arange(12.0).reshape(4, 3) % 3
    _cmp(F.mse_loss(x, t, weight=ng.tensor(w)), torch.nn.functional.mse_loss(xt, tt, weight=torch.tensor(w)))
    _cmp(F.l1_loss(x, t, reduction="sum", weight=ng.tensor(w)),
         torch.nn.functional.l1_loss(xt, tt, reduction="sum", weight=torch.tensor(w)))


def test_kl_div_mean_warns_as_torch():
    for lib, mod in ((ng, F), (torch, torch.nn.functional)):
        x, t = _loss_inputs(lib, "prob")
        with pytest.warns(UserWarning, match="batchmean"):
            mod.kl_div(x, t)
        with pytest.warns(UserWarning, match="batchmean"):
            lib.nn.KLDivLoss()(x, t)
