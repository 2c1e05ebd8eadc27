"""Devices against PyTorch 2.13 (CPU build): torch.device, the cuda/backends/accelerator stand-ins,
Tensor.to/cpu/cuda and Module.to."""

import pickle

import numpy as np
import pytest
import torch

import netgrad as ng


@pytest.mark.parametrize("args", [("cpu",), ("cpu", 0), ("cpu:0",), ("cuda",), ("cuda:1",),
                                  ("cuda", 2), ("mps",), ("meta",)])
def test_device_type_index_repr_as_torch(args):
    d, t = ng.device(*args), torch.device(*args)
    assert (d.type, d.index, repr(d), str(d)) == (t.type, t.index, repr(t), str(t))
    assert ng.device(d) is d and d == ng.device(str(d)) and hash(d) == hash(ng.device(str(d)))


@pytest.mark.parametrize("args", [("gpu",), ("CPU",), ("cuda:x",), ("cpu:-1",), (" cpu",),
                                  ("cpu:0", 1), ("cpu", "a"), (None,), ("cpu", -1), (0,)])
def test_bad_devices_raise_like_torch(args):
    with pytest.raises(Exception) as want:
        torch.device(*args)
    with pytest.raises(type(want.value)):
        ng.device(*args)


def test_device_equality_hash_and_pickle():
    assert ng.device("cpu") == ng.device("cpu") and ng.device("cpu") != ng.device("cpu", 0)
    assert torch.device("cpu") != torch.device("cpu", 0)
    assert ng.device("cpu", 0) == ng.device("cpu:0")
    # netgrad also compares with the device's string (PyTorch 2.13 answers False to both)
    assert ng.device("cpu") == "cpu" and ng.device("cpu") != "cuda"
    assert {ng.device("cpu"): 1}[ng.device("cpu")] == 1
    assert pickle.loads(pickle.dumps(ng.device("cuda", 1))) == ng.device("cuda", 1)
    with pytest.raises(AttributeError):
        ng.device("cpu").type = "cuda"


def test_cuda_namespace_as_torch_without_cuda():
    for name in ("is_available", "device_count", "is_initialized"):
        assert getattr(ng.cuda, name)() == getattr(torch.cuda, name)()
    for name in ("manual_seed", "manual_seed_all"):
        assert getattr(ng.cuda, name)(1) is getattr(torch.cuda, name)(1) is None
    assert ng.cuda.empty_cache() is torch.cuda.empty_cache() is None
    assert ng.cuda.memory_allocated() == torch.cuda.memory_allocated() == 0
    for name in ("synchronize", "current_device", "get_device_name"):
        with pytest.raises(AssertionError):
            getattr(torch.cuda, name)()
        with pytest.raises(AssertionError, match="CUDA"):
            getattr(ng.cuda, name)()


def test_accelerator_and_backends_as_torch():
    assert ng.accelerator.is_available() is torch.accelerator.is_available() is False
    assert ng.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert ng.accelerator.device_count() == torch.accelerator.device_count() == 0
    assert ng.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert ng.backends.mps.is_built() is torch.backends.mps.is_built() is False
    assert ng.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert ng.backends.cuda.is_built() is torch.backends.cuda.is_built() is False
    for flag in ("deterministic", "benchmark", "enabled"):
        assert getattr(ng.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag)
    assert ng.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    ng.backends.cudnn.deterministic = True  # scripts set these; they must be settable
    ng.backends.cudnn.deterministic = False
    assert ng.backends.mkldnn.enabled is True  # netgrad itself never uses mkldnn: is_available() False
    assert ng.backends.mkldnn.is_available() is False


def test_default_device():
    assert ng.get_default_device() == ng.device("cpu") and torch.get_default_device() == torch.device("cpu")
    ng.set_default_device("cpu")
    ng.set_default_device(ng.device("cpu"))
    ng.set_default_device(None)
    with pytest.raises(RuntimeError, match="cuda"):
        ng.set_default_device("cuda")
    assert ng.get_default_device().type == "cpu"


def test_tensor_device_attributes_as_torch():
    x, t = ng.zeros(2), torch.zeros(2)
    assert isinstance(x.device, ng.device) and x.device.type == t.device.type == "cpu"
    assert repr(x.device) == repr(t.device)
    assert x.is_cuda is t.is_cuda is False and x.is_cpu is t.is_cpu is True
    assert x.get_device() == t.get_device() == -1
    assert x.is_pinned() is t.is_pinned() is False
    assert x.is_sparse is t.is_sparse is False and x.layout is ng.strided


@pytest.mark.parametrize("call", ["to('cpu')", "to(device='cpu')", "to(DEV)", "cpu()",
                                  "to('cpu', copy=False)", "to(dtype=DT)", "to(DT)", "to(None)",
                                  "to('cpu', DT)", "to(device=DEV, dtype=DT, non_blocking=True)"])
def test_to_that_changes_nothing_returns_self(call):
    for lib in (ng, torch):
        x = lib.zeros(2)
        y = eval("x." + call, {"x": x, "DEV": lib.device("cpu"), "DT": lib.float32})
        assert y is x


@pytest.mark.parametrize("call,dtype", [
    ("to(DT64)", "float64"), ("to('cpu', DT64)", "float64"), ("to(DEV, DT64)", "float64"),
    ("to(dtype=DT64, non_blocking=True, copy=True)", "float64"), ("to(device='cpu', dtype=I32)", "int32"),
    ("to(OTHER)", "int64"), ("to(DT64, True)", "float64"), ("to('cpu', DT64, False, True)", "float64"),
])
def test_to_converts_as_torch(call, dtype):
    out = {}
    for lib in (ng, torch):
        x = lib.tensor([1.5, -2.5])
        env = {"x": x, "DEV": lib.device("cpu"), "DT64": lib.float64, "I32": lib.int32,
               "OTHER": lib.zeros(1, dtype=lib.int64)}
        y = eval("x." + call, env)
        assert y is not x
        out[lib] = y
    assert str(out[torch].dtype) == "torch." + dtype and out[ng].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out[ng].numpy(), out[torch].numpy())


def test_to_copy_and_gradients():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    c = x.to(copy=True)
    assert c is not x and c.grad_fn is not None and not np.shares_memory(c.numpy(), x.numpy())
    y = x.to(ng.float64)
    (y * y).sum().backward()
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    yt = xt.to(torch.float64)
    (yt * yt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy())
    assert x.grad.dtype == ng.float32


@pytest.mark.parametrize("call", ["to('cuda')", "to('cuda:0')", "to(torch_or_ng.device('cuda'))",
                                  "cuda()", "to('cuda', torch_or_ng.float64)"])
def test_cuda_targets_raise_like_torch(call):
    with pytest.raises((AssertionError, RuntimeError)) as want:
        eval("x." + call, {"x": torch.zeros(2), "torch_or_ng": torch})
    with pytest.raises(type(want.value), match="cuda|CUDA"):
        eval("x." + call, {"x": ng.zeros(2), "torch_or_ng": ng})


def test_mps_and_bad_strings_raise_runtime_error():
    for target in ("mps", "bogus"):
        with pytest.raises(RuntimeError):
            torch.zeros(2).to(target)
        with pytest.raises(RuntimeError, match=target):
            ng.zeros(2).to(target)
    with pytest.raises(RuntimeError):
        ng.zeros(2).pin_memory()


def test_module_to_device_and_dtype():
    for lib in (ng, torch):
        m = lib.nn.Linear(2, 2)
        assert m.to("cpu") is m and m.to(lib.device("cpu")) is m
        m.to(lib.device("cpu"), lib.float64)
        assert m.weight.dtype == lib.float64
        m.to(lib.zeros(1, dtype=lib.float32))
        assert m.weight.dtype == lib.float32
        with pytest.raises(TypeError):
            m.to(dtype=lib.int64)
        with pytest.raises((AssertionError, RuntimeError)):
            m.to("cuda")
    assert ng.nn.Linear(2, 2).weight.device == ng.device("cpu")


def test_generator_device_argument():
    g = ng.Generator(device="cpu")
    assert g.device == ng.device("cpu") and ng.Generator("cpu").device.type == "cpu"
    a = ng.randn(3, generator=g.manual_seed(0))
    b = ng.randn(3, generator=ng.Generator(device=ng.device("cpu")).manual_seed(0))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(RuntimeError, match="cuda"):
        ng.Generator(device="cuda")
    assert isinstance(g.seed(), int)


def test_device_as_context_manager():
    with ng.device("cpu") as d:
        assert d == ng.device("cpu") and ng.zeros(1).device.type == "cpu"
    with pytest.raises(AssertionError):
        with torch.device("cuda"):
            torch.zeros(1)
    with pytest.raises(AssertionError, match="cuda"):
        with ng.device("cuda"):
            ng.zeros(1)


def test_module_cuda_and_cuda_devices_raise_like_torch():
    for lib in (ng, torch):
        m = lib.nn.Linear(2, 2)
        for call in (lambda: m.cuda(), lambda: m.to(lib.device("cuda")),
                     lambda: m.to(device=lib.device("cuda")), lambda: m.to("cuda:0")):
            with pytest.raises(AssertionError):
                call()
        assert m.half().weight.dtype == lib.float16 and m.float().weight.dtype == lib.float32
