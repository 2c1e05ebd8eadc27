"""Elementwise ops: forward vs NumPy, gradients vs gradcheck (float64) and torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck


def _sample(rng, shape, domain="any"):
    x = rng.standard_normal(shape)
    if domain == "pos":
        x = np.abs(x) + 0.5
    elif domain == "nonzero":
        x = np.where(np.abs(x) < 0.2, np.sign(x + 1e-12) * 0.5, x)
    elif domain == "clamp":  # keep clear of the kinks at +-0.5 so central differences are valid
        x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x * 1.3, x)
    return x


def _gc(fn, *arrays):
    ts = [ng.tensor(a, dtype=ng.float64, requires_grad=True) for a in arrays]
    assert gradcheck(fn, ts)


# name, netgrad fn, torch fn, numpy fn, input domain
UNARY = [
    ("neg", lambda x: -x, lambda x: -x, np.negative, "any"),
    ("neg_fn", ng.neg, torch.neg, np.negative, "any"),
    ("exp", ng.exp, torch.exp, np.exp, "any"),
    ("exp_method", lambda x: x.exp(), lambda x: x.exp(), np.exp, "any"),
    ("log", ng.log, torch.log, np.log, "pos"),
    ("sqrt", ng.sqrt, torch.sqrt, np.sqrt, "pos"),
    ("abs", ng.abs, torch.abs, np.abs, "nonzero"),
    ("abs_builtin", lambda x: abs(x), lambda x: abs(x), np.abs, "nonzero"),
    ("square", ng.square, torch.square, np.square, "any"),
    ("reciprocal", ng.reciprocal, torch.reciprocal, np.reciprocal, "nonzero"),
    ("clamp", lambda x: ng.clamp(x, -0.5, 0.5), lambda x: torch.clamp(x, -0.5, 0.5),
     lambda a: np.clip(a, -0.5, 0.5), "clamp"),
    ("clamp_min", lambda x: x.clamp(min=-0.5), lambda x: x.clamp(min=-0.5),
     lambda a: np.maximum(a, -0.5), "clamp"),
    ("clamp_max", lambda x: x.clamp(max=0.5), lambda x: x.clamp(max=0.5),
     lambda a: np.minimum(a, 0.5), "clamp"),
    ("clip", lambda x: ng.clip(x, -0.5, 0.5), lambda x: torch.clip(x, -0.5, 0.5),
     lambda a: np.clip(a, -0.5, 0.5), "clamp"),
    ("pow_int", lambda x: x ** 3, lambda x: x ** 3, lambda a: a ** 3, "any"),
    ("pow_2", lambda x: x ** 2, lambda x: x ** 2, lambda a: a ** 2, "any"),
    ("pow_half", lambda x: x ** 0.5, lambda x: x ** 0.5, np.sqrt, "pos"),
    ("pow_neg", lambda x: x ** -2, lambda x: x ** -2, lambda a: a ** -2.0, "nonzero"),
    ("pow_fn", lambda x: ng.pow(x, 1.5), lambda x: torch.pow(x, 1.5), lambda a: a ** 1.5, "pos"),
    ("rpow", lambda x: 2 ** x, lambda x: 2 ** x, lambda a: 2.0 ** a, "any"),
    ("radd", lambda x: 2 + x, lambda x: 2 + x, lambda a: 2 + a, "any"),
    ("add_scalar", lambda x: x + 2.5, lambda x: x + 2.5, lambda a: a + 2.5, "any"),
    ("rsub", lambda x: 2 - x, lambda x: 2 - x, lambda a: 2 - a, "any"),
    ("sub_scalar", lambda x: x - 2, lambda x: x - 2, lambda a: a - 2, "any"),
    ("rmul", lambda x: 3 * x, lambda x: 3 * x, lambda a: 3 * a, "any"),
    ("mul_scalar", lambda x: x * 0.5, lambda x: x * 0.5, lambda a: a * 0.5, "any"),
    ("rdiv", lambda x: 2 / x, lambda x: 2 / x, lambda a: 2 / a, "nonzero"),
    ("div_scalar", lambda x: x / 4, lambda x: x / 4, lambda a: a / 4, "any"),
]
UNARY_IDS = [u[0] for u in UNARY]


@pytest.mark.parametrize("name,ngf,thf,npf,domain", UNARY, ids=UNARY_IDS)
def test_unary_forward_matches_numpy_float32(name, ngf, thf, npf, domain, rng):
    a = _sample(rng, (3, 4), domain).astype(np.float32)
    out = ngf(ng.tensor(a))
    assert out.dtype == ng.float32
    np.testing.assert_allclose(out.numpy(), npf(a).astype(np.float32), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,ngf,thf,npf,domain", UNARY, ids=UNARY_IDS)
def test_unary_gradcheck(name, ngf, thf, npf, domain, rng):
    _gc(ngf, _sample(rng, (2, 3), domain))


@pytest.mark.parametrize("name,ngf,thf,npf,domain", UNARY, ids=UNARY_IDS)
def test_unary_matches_torch(name, ngf, thf, npf, domain, rng):
    compare_with_torch(ngf, thf, [_sample(rng, (3, 4), domain)], atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("name,ngf,thf,npf,domain", UNARY, ids=UNARY_IDS)
def test_unary_float32_grad_matches_torch(name, ngf, thf, npf, domain, rng):
    compare_with_torch(ngf, thf, [_sample(rng, (5,), domain).astype(np.float32)], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", UNARY_IDS)
def test_unary_double_backward_matches_torch(name, rng):
    _, ngf, thf, _, domain = UNARY[UNARY_IDS.index(name)]
    compare_with_torch(ngf, thf, [_sample(rng, (2, 3), domain)], atol=1e-10, rtol=1e-8,
                       double_backward=True)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "pow_int", "rpow", "rdiv"])
def test_unary_gradgradcheck(name, rng):
    _, ngf, _, _, domain = UNARY[UNARY_IDS.index(name)]
    x = ng.tensor(_sample(rng, (3,), domain), dtype=ng.float64, requires_grad=True)
    assert gradgradcheck(ngf, [x])


# ------------------------------------------------------------------ binary ops
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, np.add, "any"),
    ("add_fn", ng.add, torch.add, np.add, "any"),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, np.subtract, "any"),
    ("sub_fn", ng.sub, torch.sub, np.subtract, "any"),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, np.multiply, "any"),
    ("div", lambda a, b: a / b, lambda a, b: a / b, np.divide, "nonzero"),
    ("div_fn", ng.div, torch.div, np.divide, "nonzero"),
    ("pow", lambda a, b: a ** b, lambda a, b: a ** b, np.power, "pos"),
    ("pow_fn", ng.pow, torch.pow, np.power, "pos"),
    ("maximum", ng.maximum, torch.maximum, np.maximum, "any"),
    ("minimum", ng.minimum, torch.minimum, np.minimum, "any"),
    ("max_tensor", lambda a, b: ng.max(a, b), lambda a, b: torch.max(a, b), np.maximum, "any"),
    ("add_alpha", lambda a, b: ng.add(a, b, alpha=2), lambda a, b: torch.add(a, b, alpha=2),
     lambda a, b: a + 2 * b, "any"),
]
BINARY_IDS = [b[0] for b in BINARY]
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((5, 1), (1,)),
          ((4,), (2, 1, 4))]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name,ngf,thf,npf,domain", BINARY, ids=BINARY_IDS)
def test_binary_forward_and_torch(name, ngf, thf, npf, domain, shapes, rng):
    a, b = (_sample(rng, s, domain) for s in shapes)
    out = ngf(ng.tensor(a.astype(np.float32)), ng.tensor(b.astype(np.float32)))
    assert out.dtype == ng.float32
    np.testing.assert_allclose(out.numpy(), npf(a.astype(np.float32), b.astype(np.float32)),
                               rtol=1e-6, atol=1e-6)
    compare_with_torch(ngf, thf, [a, b], atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("shapes", SHAPES[:3], ids=str)
@pytest.mark.parametrize("name,ngf,thf,npf,domain", BINARY, ids=BINARY_IDS)
def test_binary_gradcheck(name, ngf, thf, npf, domain, shapes, rng):
    _gc(ngf, *(_sample(rng, s, domain) for s in shapes))


@pytest.mark.parametrize("name", BINARY_IDS)
def test_binary_double_backward(name, rng):
    _, ngf, thf, _, domain = BINARY[BINARY_IDS.index(name)]
    a, b = _sample(rng, (2, 3), domain), _sample(rng, (3,), domain)
    compare_with_torch(ngf, thf, [a, b], atol=1e-10, rtol=1e-8, double_backward=True)
    ta, tb = (ng.tensor(v, requires_grad=True) for v in (a, b))
    assert gradgradcheck(ngf, [ta, tb])


def test_binary_gradient_to_one_side_only(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    compare_with_torch(lambda x, y: x * y / (y + 3), lambda x, y: x * y / (y + 3), [a, b],
                       requires_grad=[True, False])
    compare_with_torch(lambda x, y: x ** y, lambda x, y: x ** y, [np.abs(a) + 0.5, b],
                       requires_grad=[False, True])


def test_maximum_minimum_ties_split_evenly_like_torch():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 0.0, 3.0])
    compare_with_torch(ng.maximum, torch.maximum, [a, b])
    compare_with_torch(ng.minimum, torch.minimum, [a, b])
    x = ng.tensor(a, requires_grad=True)
    ng.maximum(x, ng.tensor(b)).sum().backward()
    assert x.grad.tolist() == [0.5, 1.0, 0.5]


def test_clamp_gradient_is_zero_outside_and_one_inside():
    x = ng.tensor([-2.0, -0.1, 0.3, 5.0], requires_grad=True)
    x.clamp(-1.0, 1.0).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="clamp"):
        ng.clamp(x)


def test_abs_gradient_at_zero_is_zero_like_torch():
    compare_with_torch(ng.abs, torch.abs, [np.array([-1.0, 0.0, 2.0])])


def test_pow_tensor_exponent_with_zero_base_like_torch():
    # d(a^b)/db = a^b ln a, taken as 0 at a = 0 (as PyTorch does); d/da at a = 0 for b = 2 is 0.
    a, b = np.array([0.0, 1.5, 2.0]), np.array([2.0, 3.0, 0.5])
    compare_with_torch(lambda x, y: x ** y, lambda x, y: x ** y, [a, b])


def test_scalar_pow_tensor_uses_log_of_base():
    x = ng.tensor([0.0, 1.0, 2.0], dtype=ng.float64, requires_grad=True)
    (3.0 ** x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3.0 ** x.numpy() * np.log(3.0))


# ------------------------------------------------------------------ where
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)),
                                    ((2, 1), (1, 3), ())], ids=str)
def test_where_matches_torch_and_gradcheck(shapes, rng):
    cs, sa, sb = shapes
    cond = rng.standard_normal(cs) > 0
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    out, _ = compare_with_torch(lambda c, x, y: ng.where(c, x, y), torch.where, [cond, a, b])
    np.testing.assert_array_equal(out.numpy(), np.where(cond, a, b))
    ta, tb = (ng.tensor(v, requires_grad=True) for v in (a, b))
    assert gradcheck(lambda x, y: ng.where(ng.tensor(cond), x, y), [ta, tb])
    assert gradgradcheck(lambda x, y: ng.where(ng.tensor(cond), x * x, y * y * y), [ta, tb])


def test_where_with_scalar_branch_keeps_dtype(rng):
    x = ng.tensor(rng.standard_normal(5).astype(np.float32), requires_grad=True)
    y = ng.where(x > 0, x, 0.0)
    assert y.dtype == ng.float32
    y.sum().backward()
    assert x.grad.dtype == ng.float32
    np.testing.assert_array_equal(x.grad.numpy(), (x.numpy() > 0).astype(np.float32))
    z = x.masked_fill(x > 0, 1.0)
    np.testing.assert_array_equal(z.numpy(), np.where(x.numpy() > 0, 1.0, x.numpy()).astype(np.float32))


# ------------------------------------------------------------------ numpy / python operands
NP_OPS = [
    ("add", lambda a, t: a + t, lambda t, a: t + a),
    ("sub", lambda a, t: a - t, lambda t, a: t - a),
    ("mul", lambda a, t: a * t, lambda t, a: t * a),
    ("div", lambda a, t: a / t, lambda t, a: t / a),
    ("pow", lambda a, t: a ** t, lambda t, a: t ** a),
]


@pytest.mark.parametrize("name,left,right", NP_OPS, ids=[o[0] for o in NP_OPS])
def test_numpy_array_on_either_side(name, left, right, rng):
    arr = np.abs(rng.standard_normal((2, 3))) + 0.5
    x = np.abs(rng.standard_normal((3,))) + 0.5
    for f in (left, right):
        tx, th = ng.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, ref = f(arr, tx), f(torch.from_numpy(arr), th)
        assert isinstance(out, ng.Tensor), f"{name}: got {type(out).__name__}, not a Tensor"
        assert_close(out, ref, 1e-12, 1e-10)
        out.sum().backward()
        ref.sum().backward()
        assert_close(tx.grad, th.grad, 1e-12, 1e-10)


def test_numpy_array_matmul_either_side(rng):
    arr, x = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    t = ng.tensor(x, requires_grad=True)
    out = arr @ t
    assert isinstance(out, ng.Tensor)
    np.testing.assert_allclose(out.numpy(), arr @ x)
    out2 = t @ arr
    np.testing.assert_allclose(out2.numpy(), x @ arr)
    (out.sum() + out2.sum()).backward()
    np.testing.assert_allclose(t.grad.numpy(), arr.T @ np.ones((2, 2)) + np.ones((3, 3)) @ arr.T)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
def test_python_scalars_do_not_change_float32(op):
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    f = {"add": lambda t: t + 1.5, "sub": lambda t: 1.5 - t, "mul": lambda t: 2.5 * t,
         "div": lambda t: 3 / t, "pow": lambda t: t ** 2.5}[op]
    y = f(x)
    assert y.dtype == ng.float32
    y.sum().backward()
    assert x.grad.dtype == ng.float32


def test_int_tensor_with_python_float_gives_float32_like_torch():
    i = ng.tensor([1, 2, 3])
    assert i.dtype == ng.int64
    for f in (lambda t: t + 0.5, lambda t: t * 1.5, lambda t: t / 2, lambda t: 0.5 - t,
              lambda t: t ** 0.5):
        out, ref = f(i), f(torch.tensor([1, 2, 3]))
        assert out.dtype == ng.float32 and ref.dtype == torch.float32
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    assert (i + 1).dtype == ng.int64
    assert (i * i).dtype == ng.int64
    assert (i / i).dtype == ng.float32


def test_mixed_float_dtypes_promote_and_grads_keep_each_dtype():
    a = ng.tensor([1.0, 2.0], dtype=ng.float32, requires_grad=True)
    b = ng.tensor([3.0, 4.0], dtype=ng.float64, requires_grad=True)
    y = a * b
    assert y.dtype == ng.float64
    y.sum().backward()
    assert a.grad.dtype == ng.float32 and b.grad.dtype == ng.float64
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]


def test_float64_default_dtype_round_trip():
    ng.set_default_dtype(ng.float64)
    try:
        assert (ng.tensor([1, 2]) + 0.5).dtype == ng.float64
        assert ng.tensor([1.0]).dtype == ng.float64
    finally:
        ng.set_default_dtype(ng.float32)
    assert ng.tensor([1.0]).dtype == ng.float32


# ------------------------------------------------------------------ comparisons and casts
CMP = [("eq", lambda a, b: a == b), ("ne", lambda a, b: a != b), ("lt", lambda a, b: a < b),
       ("le", lambda a, b: a <= b), ("gt", lambda a, b: a > b), ("ge", lambda a, b: a >= b)]


@pytest.mark.parametrize("name,f", CMP, ids=[c[0] for c in CMP])
def test_comparisons_are_bool_and_not_differentiable(name, f):
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([3.0, 2.0, 1.0])
    x = ng.tensor(a, requires_grad=True)
    for other in (ng.tensor(b), b, 2.0):
        out = f(x, other)
        assert out.dtype == ng.bool
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.numpy(), f(a, other if not isinstance(other, ng.Tensor) else b))
    fn = getattr(ng, name)
    np.testing.assert_array_equal(fn(x, ng.tensor(b)).numpy(), f(a, b))
    np.testing.assert_array_equal(getattr(x, name)(ng.tensor(b)).numpy(), f(a, b))


def test_bool_tensor_logic_and_predicates():
    m = ng.tensor([1.0, float("nan"), float("inf")])
    assert ng.isnan(m).tolist() == [False, True, False]
    assert ng.isinf(m).tolist() == [False, False, True]
    assert ng.isfinite(m).tolist() == [True, False, False]
    a, b = ng.tensor([True, False]), ng.tensor([True, True])
    assert (a & b).tolist() == [True, False]
    assert (a | b).tolist() == [True, True]
    assert (~a).tolist() == [False, True]
    assert ng.sign(ng.tensor([-2.0, 0.0, 3.0], requires_grad=True)).requires_grad is False


@pytest.mark.parametrize("cast,dtype", [(lambda t: t.double(), ng.float64),
                                        (lambda t: t.to(ng.float64), ng.float64),
                                        (lambda t: t.to("float64"), ng.float64),
                                        (lambda t: ng.cast(t, ng.float16).float(), ng.float32)])
def test_float_casts_are_differentiable(cast, dtype):
    x = ng.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = cast(x)
    assert y.dtype == dtype and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == ng.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_int_and_bool_casts_cut_the_graph():
    x = ng.tensor([1.7, -2.2, 0.0], requires_grad=True)
    for t, d in ((x.long(), ng.int64), (x.int(), ng.int32), (x.bool(), ng.bool)):
        assert t.dtype == d and not t.requires_grad
    np.testing.assert_array_equal(x.long().numpy(), torch.tensor([1.7, -2.2, 0.0]).long().numpy())
    assert x.to(ng.float32) is x
    f = x.double().float()
    assert f.dtype == ng.float32 and f.requires_grad


def test_cast_gradcheck_and_torch():
    compare_with_torch(lambda t: t.float() * 2, lambda t: t.float() * 2,
                       [np.array([1.0, -2.0])], atol=1e-6, check_dtype=True)
    x = ng.tensor([0.3, 0.7], dtype=ng.float64, requires_grad=True)
    assert gradcheck(lambda t: t.to(ng.float64).exp(), [x])


def test_shape_mismatch_names_op_and_both_shapes():
    with pytest.raises(ng.ShapeError) as e:
        ng.ones(2, 3) + ng.ones(4)
    msg = str(e.value)
    assert "add" in msg and "(2, 3)" in msg and "(4,)" in msg
    with pytest.raises(ValueError, match=r"mul.*\(2, 3\).*\(3, 2\)"):
        ng.ones(2, 3) * ng.ones(3, 2)


def test_numpy_scalars_keep_float32_like_torch():
    x = ng.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0, 3.0])
    s, hi = np.float64(1.5), np.float64(2.5)
    for f in (lambda t: t * s, lambda t: s - t, lambda t: t / s, lambda t: t ** s, lambda t: s ** t,
              lambda t: t.clamp(s, hi), lambda t: t.clamp(max=hi)):
        out, ref = f(x), f(tx)
        assert out.dtype == ng.float32 and ref.dtype == torch.float32
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    assert ng.maximum(x, s).dtype == ng.float32 and ng.minimum(s, x).dtype == ng.float32
    ng.maximum(x, s).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0] and x.grad.dtype == ng.float32


def test_scalar_base_pow_double_backward_is_float64_exact():
    # The gradient of 2 ** x under create_graph must use log(2) in float64, not a float32 constant.
    a = np.array([0.3, 0.7, -1.2])
    compare_with_torch(lambda t: 2.0 ** t, lambda t: 2.0 ** t, [a], atol=0, rtol=1e-14, double_backward=True)


def test_zero_dim_float64_operand_does_not_widen_float32_like_torch():
    x32 = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    s64 = np.array(0.75)
    for f in (lambda a, b: a * b, lambda a, b: b - a, lambda a, b: a / b, lambda a, b: a ** b.abs(),
              lambda a, b: ng.where(a > 0, a, b) if isinstance(a, ng.Tensor) else torch.where(a > 0, a, b)):
        compare_with_torch(f, f, [np.abs(x32) + 0.5, s64], atol=1e-6, rtol=1e-6)
    x = ng.tensor(x32, requires_grad=True)
    y = x * np.array(2.0)  # a 0-d float64 ndarray: torch keeps float32 too
    assert y.dtype == ng.float32
    # Both 0-d, or a float64 tensor with dims: float64 wins, as in torch.
    assert (x.sum() * ng.tensor(2.0, dtype=ng.float64)).dtype == ng.float64
    assert (x * ng.tensor([2.0], dtype=ng.float64)).dtype == ng.float64
    assert (ng.tensor([1, 2]) * ng.tensor(2.0, dtype=ng.float64)).dtype == ng.float64


def test_maximum_minimum_keep_float32_gradients():
    a = ng.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ng.tensor([3.0, 2.0, 1.0], requires_grad=True)
    (ng.maximum(a, b) + ng.minimum(a, b)).sum().backward()
    assert a.grad.dtype == ng.float32 and b.grad.dtype == ng.float32
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0, 1.0])
