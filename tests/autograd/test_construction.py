"""Factories against PyTorch 2.13: sizes in every spelling, torch's keyword arguments (device,
dtype, requires_grad, generator, layout, pin_memory, out), dtypes, values and errors."""

import numpy as np
import pytest
import torch

import netgrad as ng


def same(a, t):
    """Same shape, dtype name and values."""
    assert tuple(a.shape) == tuple(t.shape), (a.shape, t.shape)
    assert str(t.dtype) == "torch." + {"bool": "bool"}.get(a.dtype.name, a.dtype.name), (a.dtype, t.dtype)
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=0)


# each call is evaluated with lib = netgrad and lib = torch
DETERMINISTIC = [
    "lib.zeros(2, 3)", "lib.zeros((2, 3))", "lib.zeros([2, 3])", "lib.zeros(size=(2, 3))",
    "lib.zeros(lib.Size([2, 3]))", "lib.zeros(())", "lib.zeros([])", "lib.zeros(0, 3)",
    "lib.ones(2, dtype=lib.int64)", "lib.ones(size=[3], dtype=lib.float64, device='cpu')",
    "lib.ones(2, 2, device=lib.device('cpu'), requires_grad=True)",
    "lib.zeros(2, layout=lib.strided, pin_memory=False) if False else lib.zeros(2, layout=lib.strided)",
    "lib.empty(2, 3).zero_()", "lib.empty(size=(4,), dtype=lib.int32).zero_()",
    "lib.full((2,), 1.5)", "lib.full((2,), 3)", "lib.full((2,), True)", "lib.full(size=[2], fill_value=3)",
    "lib.full((2,), 1.5, dtype=lib.float64, requires_grad=True)",
    "lib.zeros_like(lib.ones(2, dtype=lib.int32))", "lib.zeros_like(input=lib.ones(2))",
    "lib.ones_like(lib.ones(2), dtype=lib.float64)", "lib.empty_like(lib.ones(3)).zero_()",
    "lib.full_like(lib.ones(2, dtype=lib.int64), 2.7)", "lib.full_like(lib.ones(2), 7, dtype=lib.float64)",
    "lib.ones_like(lib.ones(2), requires_grad=True)",
    "lib.arange(5)", "lib.arange(1, 5)", "lib.arange(start=1, end=5)", "lib.arange(end=5)",
    "lib.arange(0, 1, 0.25)", "lib.arange(5, dtype=lib.float32, device='cpu')", "lib.arange(1.0, 2.0, 0.3)",
    "lib.arange(10, 0, -3)", "lib.arange(0, 10, 3, dtype=lib.float64)", "lib.arange(lib.tensor(4))",
    "lib.linspace(0, 1, 5)", "lib.linspace(0, 1, steps=5, dtype=lib.float64)", "lib.linspace(-1, 1, 1)",
    "lib.linspace(2, 3, 0)", "lib.logspace(0, 2, 3)", "lib.logspace(0, 2, 3, base=2)",
    "lib.logspace(0, 2, steps=3, dtype=lib.float64)",
    "lib.eye(3)", "lib.eye(2, 3, dtype=lib.int64)", "lib.eye(n=2, m=3)", "lib.eye(2, requires_grad=True)",
    "lib.tensor([1, 2], device='cpu', dtype=lib.float64, requires_grad=True, pin_memory=False)",
    "lib.tensor(3.0, device=lib.device('cpu'))", "lib.tensor([[1, 2]], dtype=lib.int32)",
    "lib.as_tensor([1, 2], dtype=lib.float32, device='cpu')", "lib.as_tensor([1.5, 2])",
]


@pytest.mark.parametrize("expr", DETERMINISTIC)
def test_factories_match_torch(expr):
    a, t = eval(expr, {"lib": ng}), eval(expr, {"lib": torch})
    same(a, t)
    assert a.requires_grad == t.requires_grad


@pytest.mark.parametrize("expr", [
    "lib.zeros(2, device='cuda')", "lib.ones(2, device=lib.device('cuda'))", "lib.zeros(2, device='cuda:1')",
    "lib.tensor([1.0], device='cuda')", "lib.arange(3, device='cuda')", "lib.rand(2, device='cuda')",
    "lib.full((2,), 1.0, device='cuda')", "lib.eye(2, device='cuda')", "lib.randint(3, (2,), device='cuda')",
    "lib.zeros_like(lib.ones(2), device='cuda')",
])
def test_cuda_device_raises_like_torch(expr):
    with pytest.raises(AssertionError):
        eval(expr, {"lib": torch})
    with pytest.raises(AssertionError, match="cuda"):
        eval(expr, {"lib": ng})
    with pytest.raises(RuntimeError, match="cuda"):  # and a RuntimeError, as netgrad promises
        eval(expr, {"lib": ng})


@pytest.mark.parametrize("expr", [
    "lib.zeros(-1)", "lib.zeros(2.5)", "lib.zeros((2, 3), (1,))", "lib.zeros(2, device='xyz')",
    "lib.ones(2, dtype=lib.int64, requires_grad=True)",
    "lib.zeros(2, pin_memory=True) if lib is torch else lib.empty(2, pin_memory=True)",
    "lib.full(2.5, 1.0) if lib is torch else lib.full((2.5,), 1.0)", "lib.arange(0, 5, 0)",
    "lib.arange(5, 0, 1)", "lib.randint(5, 3)", "lib.randint(5, size=3)", "lib.randint(3, 3, (3,))",
    "lib.randint(5, (2,), dtype=lib.bool)", "lib.rand(2, dtype=lib.int64)", "lib.randn(2, dtype=lib.int64)",
    "lib.randn_like(lib.zeros(2, dtype=lib.int64))", "lib.randperm(3, requires_grad=True)",
    "lib.randperm(-1)", "lib.zeros_like(lib.zeros(2, dtype=lib.int64), requires_grad=True)",
    "lib.zeros(2, layout=lib.sparse_coo) if lib is ng else lib.zeros(2, device='xyz')",
])
def test_errors_match_torch(expr):
    with pytest.raises(Exception) as want:
        eval(expr, {"lib": torch})
    with pytest.raises(type(want.value)):
        eval(expr, {"lib": ng})


def test_netgrad_extras_stay_lenient_but_never_silent():
    # PyTorch refuses an int size in full() and dtype names as strings; netgrad accepts both
    same(ng.full(2, 3.0), torch.full((2,), 3.0))
    assert ng.zeros(2, dtype="float64").dtype == ng.float64
    with pytest.raises(NotImplementedError, match="layout"):
        ng.zeros(2, layout=ng.sparse_coo)
    with pytest.raises(TypeError, match="size"):
        ng.zeros(2, size=(2,))
    with pytest.raises(TypeError, match="unexpected"):
        ng.ones(2, sizes=(2,))


@pytest.mark.parametrize("expr", [
    "lib.randint(5, (3,))", "lib.randint(1, 5, (3,))", "lib.randint(1, 5, size=(3,))",
    "lib.randint(high=5, size=(3,))", "lib.randint(low=1, high=5, size=(3,))",
    "lib.randint(5, (3,), dtype=lib.float32)", "lib.randint(0, 2**40, (2,))",
    "lib.randint_like(lib.zeros(2), 5)", "lib.randint_like(lib.zeros(2, dtype=lib.int32), 1, 5)",
    "lib.randint_like(lib.zeros(2), low=1, high=5)", "lib.randperm(4)", "lib.randperm(4, dtype=lib.int32)",
    "lib.randperm(3, dtype=lib.float32)", "lib.rand(2, 3)", "lib.rand(size=(2,))", "lib.rand((2, 3))",
    "lib.rand(2, dtype=lib.float64, requires_grad=True)", "lib.randn(2, 3, device='cpu')",
    "lib.randn([4])", "lib.rand_like(lib.zeros(2, dtype=lib.float64))", "lib.randn_like(lib.zeros(3))",
    "lib.rand_like(lib.zeros(2), generator=lib.Generator())", "lib.randn(2, generator=lib.Generator())",
])
def test_random_factories_shapes_dtypes_and_ranges_match_torch(expr):
    a, t = eval(expr, {"lib": ng}), eval(expr, {"lib": torch})
    assert tuple(a.shape) == tuple(t.shape) and str(t.dtype) == "torch." + a.dtype.name
    assert a.requires_grad == t.requires_grad
    if "randint" in expr or "randperm" in expr:
        lo = 1 if ("1, 5" in expr or "low=1" in expr) else 0
        hi = 2**40 if "2**40" in expr else (5 if "5" in expr else a.numel())
        assert (a.numpy() >= lo).all() and (a.numpy() < hi).all()
    if "randperm" in expr:
        assert sorted(a.tolist()) == list(range(a.numel()))
    if expr.startswith("lib.rand(") or "rand_like" in expr:
        assert (a.numpy() >= 0).all() and (a.numpy() < 1).all()


def test_generator_makes_random_factories_reproducible():
    for fn in (lambda g: ng.rand(3, generator=g), lambda g: ng.randn(3, generator=g),
               lambda g: ng.randint(0, 100, (3,), generator=g), lambda g: ng.randperm(6, generator=g),
               lambda g: ng.rand_like(ng.zeros(3), generator=g),
               lambda g: ng.randint_like(ng.zeros(3), 10, generator=g)):
        a, b = fn(ng.Generator().manual_seed(7)), fn(ng.Generator().manual_seed(7))
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_out_argument_as_torch():
    for lib in (ng, torch):
        o = lib.empty(2)
        assert lib.zeros(2, out=o) is o and o.tolist() == [0.0, 0.0]
        v = o[:]  # a view sees the write when the shape already fits
        lib.ones(2, out=o)
        assert v.tolist() == [1.0, 1.0]
        oi = lib.empty(0, dtype=lib.int64)
        lib.arange(3, out=oi)
        assert oi.tolist() == [0, 1, 2] and oi.dtype == lib.int64
        of = lib.empty(0, dtype=lib.float64)
        lib.full((2,), 3, out=of)  # no dtype given: out's dtype
        assert of.dtype == lib.float64 and of.tolist() == [3.0, 3.0]
        lib.randint(0, 4, (3,), out=oi)
        assert tuple(oi.shape) == (3,)
        lib.linspace(0, 1, 2, out=of)
        assert of.tolist() == [0.0, 1.0]
        oe = lib.empty(0)
        lib.eye(2, out=oe)
        assert oe.tolist() == [[1.0, 0.0], [0.0, 1.0]]
        with pytest.raises(RuntimeError, match="dtype"):
            lib.zeros(2, out=lib.empty(2, dtype=lib.int64), dtype=lib.float32)
        with pytest.raises(RuntimeError, match="out="):
            lib.zeros(2, out=lib.empty(2, requires_grad=True))
    with pytest.warns(UserWarning, match="resized"):  # torch warns too (once per process)
        ng.zeros(3, out=ng.empty(2))


def test_size():
    s, t = ng.Size([2, 3]), torch.Size([2, 3])
    assert s == t == (2, 3) and s.numel() == t.numel() == 6 and ng.Size().numel() == 1
    assert isinstance(s, tuple) and isinstance(s[1:], ng.Size) and s[1:] == (3,)
    assert isinstance(s + (1,), ng.Size) and isinstance((1,) + s, ng.Size) and (1,) + s == (1, 2, 3)
    assert ng.Size([np.int64(2), ng.tensor(3)]) == (2, 3) and hash(s) == hash((2, 3))
    assert ng.Size(iter([1, 2])) == torch.Size(iter([1, 2]))
    with pytest.raises(TypeError):
        torch.Size([2.0])
    with pytest.raises(TypeError, match="float"):
        ng.Size([2.0])
    assert ng.zeros(s).shape == (2, 3) and ng.ones(ng.Size()).shape == ()
    fast = ng.Size._trusted(np.zeros((2, 3)).shape)  # for Tensor.shape: no per-element checks
    assert type(fast) is ng.Size and fast == (2, 3) and fast.numel() == 6


def test_from_numpy_and_frombuffer():
    a = np.arange(3.0)
    x = ng.from_numpy(a)
    a[0] = 5
    assert x.dtype == ng.float64 and x[0].item() == 5.0
    with pytest.raises(TypeError):
        ng.from_numpy([1, 2])
    buf = bytearray(np.array([1, 2, 3], dtype=np.int32).tobytes())
    for lib in (ng, torch):
        y = lib.frombuffer(buf, dtype=lib.int32)
        assert y.tolist() == [1, 2, 3]
        assert lib.frombuffer(buf, dtype=lib.int32, count=1, offset=4).tolist() == [2]
    y = ng.frombuffer(buf, dtype=ng.int32)
    buf[0] = 9  # shares the buffer's memory, as torch.frombuffer
    assert y[0].item() == 9
    with pytest.warns(UserWarning, match="writable"):
        ng.frombuffer(b"abcd", dtype=ng.uint8)


def test_as_tensor_shares_memory():
    a = np.zeros(2, dtype=np.float32)
    assert np.shares_memory(ng.as_tensor(a).numpy(), a)
    x = ng.ones(2)
    assert ng.as_tensor(x) is x and ng.as_tensor(x, dtype=ng.float64).dtype == ng.float64
    t = torch.tensor([1.0, 2.0])
    y = ng.as_tensor(t)  # DLPack: shares the torch tensor's memory
    t[0] = 7.0
    assert y.dtype == ng.float32 and y.tolist() == [7.0, 2.0]


def test_memory_formats_are_accepted():
    for lib in (ng, torch):
        x = lib.ones(1, 2, 3, 3)
        for fmt in (lib.contiguous_format, lib.preserve_format, lib.channels_last):
            y = x.to(memory_format=fmt)
            assert tuple(y.shape) == (1, 2, 3, 3) and y.sum().item() == 18.0
        assert tuple(lib.zeros_like(x, memory_format=lib.preserve_format).shape) == (1, 2, 3, 3)
        assert tuple(lib.empty(2, memory_format=lib.contiguous_format).shape) == (2,)
