"""Matrix products: matmul (1-D, 2-D, batched, broadcast-batched), mm, bmm, dot, outer, linear."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck

MATMUL_SHAPES = [
    ((3,), (3,)),            # dot
    ((3,), (3, 4)),          # vector @ matrix
    ((2, 3), (3,)),          # matrix @ vector
    ((2, 3), (3, 4)),        # 2-D
    ((5, 2, 3), (5, 3, 4)),  # batched
    ((5, 2, 3), (3, 4)),     # batched @ matrix
    ((2, 3), (5, 3, 4)),     # matrix @ batched
    ((2, 1, 2, 3), (5, 3, 4)),  # broadcast batch dims
    ((3,), (2, 5, 3, 4)),    # vector @ batched
    ((2, 5, 2, 3), (3,)),    # batched @ vector
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_forward_torch_gradcheck(shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    out32 = ng.tensor(a.astype(np.float32)) @ ng.tensor(b.astype(np.float32))
    assert out32.dtype == ng.float32
    np.testing.assert_allclose(out32.numpy(), np.matmul(a, b).astype(np.float32), rtol=1e-5, atol=1e-5)
    compare_with_torch(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], atol=1e-10, rtol=1e-9,
                       double_backward=True)
    compare_with_torch(ng.matmul, torch.matmul, [a, b], requires_grad=[True, False], atol=1e-10)
    compare_with_torch(ng.matmul, torch.matmul, [a, b], requires_grad=[False, True], atol=1e-10)
    ta, tb = (ng.tensor(v, requires_grad=True) for v in (a, b))
    assert gradcheck(ng.matmul, [ta, tb])


@pytest.mark.parametrize("shapes", [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 2, 3), (3,))], ids=str)
def test_matmul_gradgradcheck(shapes, rng):
    ta, tb = (ng.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    assert gradgradcheck(lambda x, y: (x @ y) ** 2, [ta, tb])


def test_mm_bmm_dot_outer(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    compare_with_torch(ng.mm, torch.mm, [a, b], atol=1e-10)
    compare_with_torch(lambda x, y: x.mm(y), lambda x, y: x.mm(y), [a, b], atol=1e-10)
    p, q = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 3, 5))
    compare_with_torch(ng.bmm, torch.bmm, [p, q], atol=1e-10)
    u, v = rng.standard_normal(3), rng.standard_normal(3)
    compare_with_torch(ng.dot, torch.dot, [u, v], atol=1e-10)
    compare_with_torch(ng.outer, torch.outer, [u, rng.standard_normal(4)], atol=1e-10)
    with pytest.raises(ng.ShapeError, match="mm"):
        ng.mm(ng.zeros(3), ng.zeros(3, 2))
    with pytest.raises(ng.ShapeError, match="bmm"):
        ng.bmm(ng.zeros(2, 2, 3), ng.zeros(3, 3, 2))
    with pytest.raises(ng.ShapeError, match="dot"):
        ng.dot(ng.zeros(2, 2), ng.zeros(2))


@pytest.mark.parametrize("xshape", [(5, 3), (3,), (2, 4, 3)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear(xshape, bias, rng):
    x, w, b = rng.standard_normal(xshape), rng.standard_normal((4, 3)), rng.standard_normal(4)
    arrays = [x, w, b] if bias else [x, w]
    out, _ = compare_with_torch(lambda *t: ng.linear(*t), lambda *t: TF.linear(*t), arrays, atol=1e-10,
                                double_backward=True)
    ref = x @ w.T + (b if bias else 0)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12)
    ts = [ng.tensor(v, requires_grad=True) for v in arrays]
    assert gradcheck(ng.linear, ts)
    assert gradgradcheck(lambda *t: ng.linear(*t) ** 2, ts)


def test_linear_float32_and_partial_grads(rng):
    x = rng.standard_normal((8, 3)).astype(np.float32)
    w = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    compare_with_torch(ng.linear, TF.linear, [x, w, b], atol=1e-5, rtol=1e-5)
    compare_with_torch(ng.linear, TF.linear, [x, w, b], requires_grad=[False, True, False], atol=1e-5)


def test_linear_errors_name_shapes_and_dtypes():
    with pytest.raises(ng.ShapeError, match=r"linear.*\(5, 2\).*\(4, 3\)"):
        ng.linear(ng.zeros(5, 2), ng.zeros(4, 3))
    with pytest.raises(ng.DTypeError, match="linear"):
        ng.linear(ng.zeros(5, 3, dtype=ng.float64), ng.zeros(4, 3))
    with pytest.raises(ng.ShapeError, match=r"linear.*\(5, 3\).*weight of shape \(3,\)"):
        ng.linear(ng.zeros(5, 3), ng.zeros(3))  # a 1-D weight: was an IndexError
    with pytest.raises(ng.ShapeError, match=r"linear: bias of shape \(3,\).*\(5, 4\)"):
        ng.linear(ng.zeros(5, 3), ng.zeros(4, 3), ng.zeros(3))  # was NumPy's broadcast error


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ng.ShapeError) as e:
        ng.ones(2, 3) @ ng.ones(4, 5)
    msg = str(e.value)
    assert "matmul" in msg and "(2, 3)" in msg and "(4, 5)" in msg
    with pytest.raises(ng.ShapeError, match="matmul"):
        ng.ones(2, 3, 4) @ ng.ones(3, 4, 2)  # batch dims 2 vs 3 do not broadcast
    with pytest.raises(ng.ShapeError, match="matmul"):
        ng.tensor(2.0) @ ng.ones(2)


def test_matmul_float32_with_float64_is_a_dtype_error():
    a = ng.ones(2, 3)
    b = ng.ones(3, 2, dtype=ng.float64)
    with pytest.raises(ng.DTypeError) as e:
        a @ b
    msg = str(e.value)
    assert "matmul" in msg and "float32" in msg and "float64" in msg
    assert isinstance(e.value, TypeError)
    assert (a @ b.float()).dtype == ng.float32


def test_linear_bias_shaped_like_the_output_gets_its_own_gradient():
    # The engine undoes the bias's broadcasting; a full-shape bias keeps its full gradient.
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal((4, 2))
    compare_with_torch(lambda x, w, b: ng.linear(x, w, b), lambda x, w, b: TF.linear(x, w, b),
                       [x, w, b])
