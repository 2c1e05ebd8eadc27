"""netgrad.kernels.blas: direct GEMM/axpby calls into NumPy's BLAS, and the layer and optimiser
that use them, checked against NumPy and PyTorch with the calls active and with NumPy only."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import kernels, optim
from netgrad.kernels import blas

needs_blas = pytest.mark.skipif(not blas.available(), reason=f"kernels.blas inactive: {blas.reason}")


@pytest.fixture(autouse=True)
def _blas_on(monkeypatch):
    # these tests are about the fast path itself: on even in a NETGRAD_REFERENCE=1 run
    monkeypatch.setitem(kernels.on, "blas", True)


@pytest.fixture(params=["blas", "numpy"])
def mode(request):
    """Run the test with the BLAS calls on (where available) and with NumPy only."""
    if request.param == "blas":
        if not blas.available():
            pytest.skip(f"kernels.blas inactive: {blas.reason}")
        yield "blas"
    else:
        with blas.numpy_only():
            yield "numpy"


def _layouts(a):
    return [a, np.asfortranarray(a)]


@needs_blas
def test_the_wheels_openblas_is_found_and_checked():
    assert blas.reason == "active"
    assert "openblas" in os.path.basename(blas.library).lower()


@needs_blas
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7, 5, 3), (1, 9, 4), (6, 1, 1), (64, 33, 17)])
def test_gemm_matches_numpy_for_every_operand_layout(dtype, shape):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
    c0 = rng.standard_normal((m, n)).astype(dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a in _layouts(a0):
        for b in _layouts(b0):
            for beta in (0.0, 1.0, 0.5):
                out = c0.copy()
                assert blas.gemm(a, b, out, beta=beta)
                np.testing.assert_allclose(out, a0 @ b0 + beta * c0, rtol=tol, atol=tol)


@needs_blas
def test_gemm_bias_adds_a_row_or_a_column():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((6, 4)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
    row, col = rng.standard_normal(5).astype(np.float32), rng.standard_normal((6, 1)).astype(np.float32)
    for bias in (row, col):
        out = np.empty((6, 5), np.float32)
        assert blas.gemm_bias(a, b, bias, out)
        np.testing.assert_allclose(out, a @ b + bias, rtol=1e-5, atol=1e-6)
    assert not blas.gemm_bias(a, b, np.ones(3, np.float32), np.empty((6, 5), np.float32))
    assert not blas.gemm_bias(a, b, [1.0] * 5, np.empty((6, 5), np.float32))


def test_gemm_bias_writes_nothing_when_it_declines():
    """Out overlapping an operand: nothing is filled in, so NumPy's fallback sees intact data."""
    a = np.arange(1, 17, dtype=np.float32).reshape(4, 4)
    before = a.copy()
    assert not blas.gemm_bias(a, np.eye(4, dtype=np.float32), np.full(4, 100, np.float32), a)
    np.testing.assert_array_equal(a, before)


def test_gemm_declines_what_it_cannot_do_and_leaves_out_alone():
    a, b = np.ones((4, 3), np.float32), np.ones((3, 2), np.float32)
    big = np.ones((4, 6), np.float32)
    cases = [
        (a.astype(np.int64), b.astype(np.int64), np.zeros((4, 2), np.int64)),  # not a float type
        (a, b.astype(np.float64), np.zeros((4, 2), np.float32)),  # mixed dtypes
        (a.astype(np.float16), b.astype(np.float16), np.zeros((4, 2), np.float16)),
        (big[:, ::2], b, np.zeros((4, 2), np.float32)),  # strided operand
        (a, b, np.zeros((2, 4), np.float32).T),  # column-major output
        (a, b, np.zeros((4, 3), np.float32)),  # wrong output shape
        (np.ones((4, 0), np.float32), np.ones((0, 2), np.float32), np.zeros((4, 2), np.float32)),
    ]
    for x, y, out in cases:
        before = out.copy()
        assert not blas.gemm(x, y, out)
        np.testing.assert_array_equal(out, before)
    ro = np.zeros((4, 2), np.float32)
    ro.flags.writeable = False
    assert not blas.gemm(a, b, ro)
    buf = np.ones((4, 4), np.float32)  # output overlapping an operand: NumPy's job
    assert not blas.gemm(buf[:3], np.ones((4, 4), np.float32), buf[1:])
    np.testing.assert_array_equal(buf, 1.0)


@needs_blas
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpby_matches_numpy(dtype):
    rng = np.random.default_rng(2)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    for shape in [(10,), (30, 20), ()]:
        x0, y0 = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
        for order in "CF":
            x, y = x0.copy(order=order), y0.copy(order=order)
            alpha = np.float32(-0.1)  # NumPy scalars are fine as coefficients
            assert blas.axpby(alpha, x, 1.0, y)
            np.testing.assert_allclose(y, y0 + float(alpha) * x0, rtol=tol, atol=tol)
            y = y0.copy(order=order)
            assert blas.axpby(0.7, x, 0.9, y)
            np.testing.assert_allclose(y, 0.7 * x0 + 0.9 * y0, rtol=tol, atol=tol)


def test_axpby_declines_zero_coefficients_mixed_orders_overlap_and_arrays():
    x, y = np.ones((3, 4), np.float32), np.ones((3, 4), np.float32)
    assert not blas.axpby(0.0, x, 1.0, y)  # would skip x, NaNs included
    assert not blas.axpby(1.0, x, 0.0, y)  # would not read y
    assert not blas.axpby(1e-50, x, 1.0, y)  # 0 once rounded to float32
    assert not blas.axpby(1.0, np.asfortranarray(x), 1.0, y)  # flat orders differ
    assert not blas.axpby(1.0, x.astype(np.float64), 1.0, y)
    assert not blas.axpby(1.0, y, 1.0, y)  # overlap
    assert not blas.axpby(np.array([0.5]), x, 1.0, y)  # array coefficient: NumPy broadcasts it
    assert not blas.axpby(1.0, np.ma.masked_array(x), 1.0, y)
    z = np.ones(8, np.float32)
    assert not blas.axpby(1.0, z[:4], 1.0, z[2:6])
    np.testing.assert_array_equal(y, 1.0)


def test_numpy_only_switches_the_calls_off_in_its_thread_and_restores_them():
    a, b = np.ones((2, 2)), np.ones((2, 2))
    with pytest.raises(RuntimeError):
        with blas.numpy_only():
            assert not blas.gemm(a, b, np.zeros((2, 2)))
            with blas.numpy_only():  # nested
                pass
            assert not blas.gemm(a, b, np.zeros((2, 2)))
            if blas.available():  # another thread keeps its BLAS calls meanwhile
                seen = []
                t = threading.Thread(target=lambda: seen.append(blas.gemm(a, b, np.zeros((2, 2)))))
                t.start()
                t.join()
                assert seen == [True]
            raise RuntimeError
    assert blas.gemm(a, b, np.zeros((2, 2))) == blas.available()


def test_first_use_from_many_threads_with_numpy_only_blocks_settles_once():
    """Overlapping numpy_only() blocks in threads racing the first load leave BLAS on at the end
    (a fresh process, so the load really happens here)."""
    code = (
        "import threading, numpy as np\n"
        "from netgrad.kernels import blas\n"
        "def user(i):\n"
        "    for _ in range(50):\n"
        "        with blas.numpy_only():\n"
        "            blas.gemm(np.ones((2, 2)), np.ones((2, 2)), np.zeros((2, 2)))\n"
        "ts = [threading.Thread(target=user, args=(i,)) for i in range(4)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print(blas.available(), blas.reason)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == str(blas.available())


def test_netgrad_blas_0_in_the_environment_turns_it_off():
    code = ("from netgrad.kernels import blas; import netgrad as ng; "
            "m = ng.nn.Linear(300, 200); print(blas.available(), blas.reason, m(ng.ones(64, 300)).shape)")
    env = {**os.environ, "NETGRAD_BLAS": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False disabled by NETGRAD_BLAS (64, 200)"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_with_bias_in_the_product_matches_torch(mode, dtype):
    rng = np.random.default_rng(3)
    layer = ng.nn.Linear(300, 70, dtype=dtype)
    x = rng.standard_normal((1000, 300)).astype(dtype)  # 1000 x 70 outputs: the fused path
    tl = torch.nn.Linear(300, 70, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    if mode == "blas":  # the path under test is really taken
        from netgrad.functional import linalg
        assert x.shape[0] * 70 >= linalg._BIAS_IN_GEMM_FROM
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(np.ascontiguousarray(layer.weight.numpy())))
        tl.bias.copy_(torch.from_numpy(layer.bias.numpy()))
    xt = torch.from_numpy(x).requires_grad_()
    xn = ng.tensor(x, requires_grad=True)
    y, yt = layer(xn), tl(xt)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(ng.tensor(g))
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(layer.bias.grad.numpy(), tl.bias.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


def test_linear_bias_shape_errors_are_the_same_either_way(mode):
    from netgrad.functional.linalg import linear
    w = ng.nn.Linear(64, 128).weight
    with pytest.raises(ng.ShapeError, match="bias of shape"):
        linear(ng.ones(1024, 64), w, ng.ones(7))


SGD_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.3),
    dict(lr=0.1, momentum=0.9, dampening=1.0),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, momentum=0.5, weight_decay=0.01, maximize=True),
]


@pytest.mark.parametrize("kw", SGD_CONFIGS)
def test_sgd_on_a_large_weight_follows_torch(mode, kw):
    """A 100 x 120 weight (above SGD's BLAS threshold), in the Linear layout, for 10 steps."""
    rng = np.random.default_rng(5)
    layer = ng.nn.Linear(120, 100)
    w0 = np.ascontiguousarray(layer.weight.numpy())
    tw = torch.tensor(w0, requires_grad=True)
    opt, topt = optim.SGD([layer.weight], **kw), torch.optim.SGD([tw], **kw)
    for _ in range(10):
        x = rng.standard_normal((32, 120)).astype(np.float32)
        opt.zero_grad()
        topt.zero_grad()
        (layer(ng.tensor(x)) ** 2).mean().backward()
        (((torch.from_numpy(x) @ tw.T + torch.from_numpy(layer.bias.numpy())) ** 2).mean()).backward()
        opt.step()
        topt.step()
    np.testing.assert_allclose(layer.weight.numpy(), tw.detach().numpy(), rtol=1e-4, atol=1e-6)
    assert layer.weight._data.flags.c_contiguous  # the update kept the weight's (PyTorch's) layout


@needs_blas
def test_blas_and_numpy_paths_train_an_mlp_alike():
    def train():
        ng.manual_seed(0)
        model = ng.nn.Sequential(ng.nn.Linear(64, 128), ng.nn.ReLU(), ng.nn.Linear(128, 10))
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        rng = np.random.default_rng(6)
        for _ in range(20):
            x = ng.tensor(rng.standard_normal((64, 64)).astype(np.float32))
            y = ng.tensor(rng.integers(0, 10, 64))
            opt.zero_grad()
            ng.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
        return [p.numpy().copy() for p in model.parameters()]

    active = train()
    with blas.numpy_only():
        plain = train()
    for a, b in zip(active, plain):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)  # equal up to fused rounding


@needs_blas
def test_the_fast_data_pointer_agrees_with_ctypes_for_views_offsets_and_layouts():
    base = np.arange(4096, dtype=np.float32).reshape(64, 64)
    views = [base, base.T, base[5:], base[:, 3:], base[7:, 9:].T, base.reshape(-1)[13:],
             np.asfortranarray(base), np.ones(3, np.float64), np.empty(0, np.float32)]
    for v in views:
        assert blas._address(v) == v.ctypes.data


@needs_blas
def test_axpby_takes_numpy_scalars_and_python_ints_as_coefficients():
    x, y = np.arange(6, dtype=np.float32), np.ones(6, np.float32)
    assert blas.axpby(np.float32(2.0), x, 3, y)
    np.testing.assert_array_equal(y, 2 * np.arange(6) + 3)
    assert not blas.axpby(np.ones(1, np.float32), x, 1.0, y)  # a 1-element array is still an array
