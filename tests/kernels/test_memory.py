"""Aligned allocations (netgrad.kernels.memory): the arrays every training step streams through
start on a cache line, keep their layout, and come back to the pool when no array is left on them;
a gradient becomes a leaf's .grad without a copy only where its op declared it fresh."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

import netgrad as ng
from netgrad import kernels, nn, optim
from netgrad.kernels import memory
from netgrad.nn import functional as F


def _aligned(a: np.ndarray) -> bool:
    return a.ctypes.data % memory.ALIGN == 0


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", [(256, 784), (3000,), (64, 32, 3)])
def test_empty_is_aligned_with_the_requested_layout(shape, order):
    a = memory.empty(shape, np.float32, order=order)
    assert a.shape == shape and a.dtype == np.float32 and _aligned(a)
    assert a.flags.c_contiguous if order == "C" else a.flags.f_contiguous
    a[...] = 1.5  # writable, and the whole extent is ours
    assert float(a.sum()) == 1.5 * a.size


def test_small_arrays_are_plain_numpy():
    a = memory.empty((4, 4), np.float64)
    assert a.flags.owndata and a.shape == (4, 4)


def test_copy_keeps_values_and_layout():
    src = np.asfortranarray(np.arange(12000, dtype=np.float32).reshape(120, 100))
    c = memory.copy(src)
    np.testing.assert_array_equal(c, src)
    assert c.flags.f_contiguous and _aligned(c) and not np.shares_memory(c, src)
    f = memory.full_like(src, 2.0, dtype=np.float64)
    assert f.dtype == np.float64 and f.flags.f_contiguous and np.all(f == 2.0)


@pytest.fixture(autouse=True)
def _pool_on(monkeypatch):
    # these tests are about the fast path itself: on even in a NETGRAD_REFERENCE=1 run
    monkeypatch.setitem(kernels.on, "pool", True)


def test_leaves_never_share_gradient_memory():
    # reproducers from review: views of one upstream gradient reaching two leaves
    lin = nn.Linear(784, 10)
    x = ng.randn(64, 784, requires_grad=True)
    delta = ng.zeros(64 * 784, requires_grad=True)
    lin(x + delta.view(64, 784)).sum().backward()
    assert not np.shares_memory(x.grad.numpy(), delta.grad.numpy())
    a = ng.randn(128, 64, requires_grad=True)
    b = ng.randn(64, 128, requires_grad=True)
    (F.relu(a + b.T) * 3).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    ga, gb = ng.autograd.grad(F.relu(a + b.T).sum(), [a, b])
    assert not np.shares_memory(ga.numpy(), gb.numpy())


def test_grad_does_not_alias_the_callers_gradient():
    G = nn.Linear(64, 128)(ng.randn(64, 64)).detach()  # pooled data
    x = ng.randn(128, 64, requires_grad=True)
    x.T.backward(G)
    assert not np.shares_memory(x.grad.numpy(), G.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), G.numpy().T)


def test_deepcopy_keeps_the_weight_layout():
    import copy

    layer = nn.Linear(300, 200)
    clone = copy.deepcopy(layer)
    assert clone.weight.numpy().flags.c_contiguous  # PyTorch's (out, in) row-major weight
    np.testing.assert_array_equal(clone.weight.numpy(), layer.weight.numpy())
    p = nn.Parameter(ng.tensor(np.asfortranarray(np.arange(60000.0).reshape(200, 300))))
    q = copy.deepcopy(p)
    assert q.numpy().flags.f_contiguous and not np.shares_memory(q.numpy(), p.numpy())
    np.testing.assert_array_equal(q.numpy(), p.numpy())


def test_relu_on_a_mid_sized_integer_tensor():
    x = ng.tensor(np.arange(-3000, 3000).reshape(60, 100))
    np.testing.assert_array_equal(F.relu(x).numpy(), np.maximum(np.arange(-3000, 3000), 0).reshape(60, 100))


def test_a_linear_weight_gradient_is_not_copied_into_grad(monkeypatch):
    from netgrad.functional import linalg

    returned = []
    real = linalg.Linear.backward

    def spy(ctx, g):
        out = real(ctx, g)
        returned.append(out[1])
        return out

    monkeypatch.setattr(linalg.Linear, "backward", staticmethod(spy))
    ng.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = ng.tensor(np.random.default_rng(0).standard_normal((32, 784)).astype(np.float32))
    y = ng.tensor(np.arange(32) % 10)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    w = model[0].weight
    assert opt.state[w]["momentum_buffer"].numpy().flags.c_contiguous
    # the gradient the Linear op wrote (a fresh array) is the very array in .grad: not re-copied
    assert w.grad.numpy() is returned[-1]


# ---------------------------------------------------------------------------- the buffer pool
BIG = (512, 256)  # 512 KB of float32: pooled


def test_a_free_buffer_is_reused_and_a_held_one_never():
    memory.empty_cache()
    a = memory.empty(BIG, np.float32)
    addr = a.ctypes.data
    del a
    b = memory.empty(BIG, np.float32)
    assert b.ctypes.data == addr  # nothing referred to it: handed out again
    c = memory.empty(BIG, np.float32)
    assert c.ctypes.data != b.ctypes.data  # b still alive


@pytest.mark.parametrize("holder", ["view", "tensor", "numpy", "transpose", "memoryview"])
def test_anything_still_referring_to_a_buffer_keeps_it_out_of_the_pool(holder):
    memory.empty_cache()
    a = memory.empty(BIG, np.float32)
    a[...] = 7.0
    makers = {"view": lambda arr: arr[3:5], "tensor": ng.Tensor._make,
              "numpy": lambda arr: ng.Tensor._make(arr).numpy(), "transpose": lambda arr: arr.T,
              "memoryview": memoryview}
    keep = makers[holder](a)
    del a
    others = [memory.empty(BIG, np.float32) for _ in range(3)]
    for o in others:
        o[...] = -1.0
    kept = np.asarray(keep.numpy() if isinstance(keep, ng.Tensor) else keep)
    assert np.all(kept == 7.0), "a buffer in use was handed out and overwritten"


def test_layer_outputs_come_back_to_the_pool_after_backward():
    memory.empty_cache()
    layer = nn.Linear(256, 128)
    x = ng.tensor(np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32))
    seen = set()
    for _ in range(4):
        out = layer(x)
        seen.add(out.numpy().ctypes.data)
        out.sum().backward()
        del out
    assert len(seen) == 1  # the same buffer every step, no fresh allocation


def test_empty_cache_forgets_free_buffers_only():
    held = memory.empty(BIG, np.float32)
    held[...] = 3.0
    free = memory.empty(BIG, np.float32)
    mapping = weakref.ref(free.base)
    del free
    assert mapping() is not None  # back in the pool
    memory.empty_cache()
    assert mapping() is None and memory._free_bytes == 0  # given back
    others = [memory.empty(BIG, np.float32) for _ in range(3)]
    for o in others:
        o[...] = -1.0
    assert np.all(held == 3.0)  # the one in use was never touched


def test_a_view_alone_keeps_the_mapping_and_gives_it_back_when_gone():
    memory.empty_cache()
    a = memory.empty(BIG, np.float32)
    v = a.T[10:]
    addr = a.ctypes.data
    del a
    assert memory.empty(BIG, np.float32).ctypes.data != addr  # v still holds it
    del v
    assert memory.empty(BIG, np.float32).ctypes.data == addr  # now free again


def test_a_gradient_is_copied_unless_its_op_declares_it_fresh():
    # MatMul declares its products fresh: .grad is the array backward made; Add returns its
    # incoming gradient to both inputs: each leaf gets a copy of its own
    a = ng.randn(64, 64, requires_grad=True)
    b = ng.randn(64, 64, requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[...] = 0  # a leaf's .grad is its own: writing it changes nothing else
    np.testing.assert_array_equal(b.grad.numpy(), np.ones((64, 64), np.float32))


def test_threads_never_share_a_buffer():
    import threading

    memory.empty_cache()
    errors = []

    def work(k):
        for _ in range(200):
            a = memory.empty(BIG, np.float32)
            a.fill(k)
            if not np.all(a == k):
                errors.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_empty_like_keeps_a_channel_major_order():
    x = np.empty((32, 64, 24, 24), np.float32).transpose(1, 0, 2, 3)  # (N, C, H, W), C outermost
    y = memory.empty_like(x, dtype=bool)
    assert y.shape == x.shape and y.strides == np.empty_like(x, dtype=bool).strides


@pytest.mark.parametrize("shape", [1024, np.int64(2048), [32, 64], (8, 16, 32)])
def test_empty_takes_ints_lists_and_numpy_ints_as_shapes(shape):
    a = memory.empty(shape, np.float64)
    want = (int(shape),) if np.ndim(shape) == 0 else tuple(shape)
    assert a.shape == want and a.dtype == np.float64 and _aligned(a) and a.flags.c_contiguous


def test_empty_rejects_negative_dimensions_like_numpy():
    with pytest.raises(ValueError):
        memory.empty((-1, 4096), np.float32)
