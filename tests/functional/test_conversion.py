"""Conversions, legacy tensor types and tensor metadata against PyTorch 2.13."""

import warnings

import numpy as np
import pytest
import torch

import netgrad as ng


def both(expr, **env):
    """expr evaluated with lib = netgrad and lib = torch."""
    return eval(expr, {"lib": ng, "np": np, **env}), eval(expr, {"lib": torch, "np": np, **env})


@pytest.mark.parametrize("expr", [
    "lib.tensor([1.5, 2.0]).type()", "lib.tensor([1]).type()", "lib.tensor([True]).type()",
    "lib.tensor([1], dtype=lib.uint8).type()", "lib.tensor([1.0], dtype=lib.float16).type()",
    "lib.tensor([1], dtype=lib.int8).type()", "lib.tensor([1], dtype=lib.int16).type()",
    "lib.tensor([1], dtype=lib.int32).type()", "lib.tensor([1.0], dtype=lib.float64).type()",
    "lib.tensor([1.7]).type(lib.int64).tolist()", "lib.tensor([1.7]).type('torch.LongTensor').tolist()",
    "lib.tensor([1.7]).type('torch.IntTensor').dtype == lib.int32",
    "lib.tensor([1.7]).type(lib.LongTensor).dtype == lib.int64",
    "lib.tensor([1.7]).type(dtype=lib.float64).dtype == lib.float64",
    "lib.zeros(2).type(lib.FloatTensor).type()", "lib.zeros(2, 3).nelement()",
    "lib.zeros(2, 3).element_size()", "lib.zeros(2, dtype=lib.int64).element_size()",
    "lib.tensor([[1, 2]]).tolist()", "lib.tensor(2.5).tolist()", "lib.tensor([2.5]).item()",
    "lib.tensor([1.0]).is_floating_point()", "lib.tensor([1]).is_floating_point()",
    "lib.tensor([1]).is_complex()",
    "lib.tensor([1]).is_contiguous()", "lib.zeros(2, 3).t().is_contiguous()", "lib.zeros(2, 3).stride()",
    "lib.zeros(2, 3).stride(1)", "lib.zeros(2, 3).stride(-2)", "lib.zeros(2, 3).t().stride()",
    "lib.zeros(2, 3)[1].storage_offset()", "lib.zeros(4, 6)[1:, 2:].storage_offset()",
    "lib.zeros(4, 6)[1:, 2:].stride()", "lib.zeros(4, 6)[1:, 2:].is_contiguous()",
    "lib.zeros(2, 3).data_ptr() != 0", "lib.zeros(3).is_signed()",
    "lib.zeros(3, dtype=lib.uint8).is_signed()",
    "lib.is_tensor(lib.zeros(1))", "lib.is_tensor(np.zeros(1))", "lib.numel(lib.zeros(2, 3))",
    "lib.is_floating_point(lib.zeros(1))", "lib.is_complex(lib.zeros(1))",
    "lib.is_nonzero(lib.tensor([1.0]))",
    "lib.get_default_dtype() == lib.float32",
    "isinstance(lib.zeros(2), lib.FloatTensor)", "isinstance(lib.zeros(2, dtype=lib.int64), lib.FloatTensor)",
    "isinstance(lib.zeros(2, dtype=lib.int64), lib.LongTensor)", "isinstance(lib.zeros(2), lib.Tensor)",
    "lib.FloatTensor([1.0]).requires_grad", "isinstance(lib.tensor([True]), lib.BoolTensor)",
    "lib.finfo(lib.float32).eps", "lib.finfo().eps", "lib.finfo(lib.float16).tiny",
    "lib.finfo(lib.float64).max",
    "lib.finfo(lib.float32).resolution", "lib.finfo(lib.float32).bits", "lib.iinfo(lib.int64).max",
    "lib.iinfo(lib.uint8).min", "lib.iinfo(lib.int32).bits", "lib.iinfo(lib.int8).min",
    "f'{lib.tensor(0.123456):.2%}'", "f'{lib.tensor(0.123456):.3f}'", "f'{lib.tensor(3):d}'",
    "f'{lib.tensor(3):>5}'", "f'{lib.tensor(3.5, requires_grad=True):.1f}'", "f'{lib.tensor(1.5)}'",
    "format(lib.tensor(2.0) * 3, '.2e')",
])
def test_scalar_results_match_torch(expr):
    a, t = both(expr)
    assert a == t and type(a) is type(t), (a, t)


@pytest.mark.parametrize("expr", [
    "lib.FloatTensor([1, 2])", "lib.FloatTensor(2, 3).zero_()", "lib.LongTensor([1.7, 2])",
    "lib.BoolTensor([1, 0])", "lib.ByteTensor([1, 0])", "lib.HalfTensor([1, 0])", "lib.IntTensor([1, 0])",
    "lib.DoubleTensor([1, 0])", "lib.ShortTensor([3])", "lib.CharTensor([-3])", "lib.FloatTensor()",
    "lib.FloatTensor(lib.Size([2])).zero_()", "lib.FloatTensor(np.array([1, 2]))",
    "lib.FloatTensor((2, 3))", "lib.FloatTensor([[1, 2], [3, 4]])",
    "lib.tensor([1.0]).half()", "lib.tensor([1.7]).short()", "lib.tensor([-1.7]).char()",
    "lib.tensor([1.7]).byte()", "lib.tensor([1.7]).long()", "lib.tensor([1.7]).int()",
    "lib.tensor([0.0, 1.7]).bool()", "lib.tensor([1]).float()", "lib.tensor([1]).double()",
    "lib.zeros(2, dtype=lib.float64, requires_grad=True).new_zeros(3)",
    "lib.zeros(2, dtype=lib.float64).new_zeros((3, 2))", "lib.zeros(2).new_zeros(size=(1, 2))",
    "lib.zeros(2, dtype=lib.float64).new_ones(2, dtype=lib.int64)",
    "lib.zeros(2, dtype=lib.float64).new_full((2,), 3)", "lib.zeros(2, dtype=lib.int32).new_full([2], 2.7)",
    "lib.zeros(2, dtype=lib.float64).new_empty(2).zero_()",
    "lib.zeros(2, dtype=lib.float64).new_tensor([1, 2])",
    "lib.zeros(2, dtype=lib.float64).new_zeros(2, requires_grad=True)",
    "lib.zeros(1).new_tensor([1, 2], dtype=lib.int64)", "lib.zeros(1).new_ones(lib.Size([2, 2]))",
])
def test_tensor_results_match_torch(expr):
    a, t = both(expr)
    assert tuple(a.shape) == tuple(t.shape) and str(t.dtype) == "torch." + a.dtype.name
    assert a.requires_grad == t.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), t.detach().numpy())


@pytest.mark.parametrize("expr", [
    "lib.tensor([2.5, 1]).item()", "f'{lib.tensor([0.5]):.2f}'", "f'{lib.tensor([0.5, 1]):.2f}'",
    "f'{lib.tensor([[0.5]]):.2f}'", "lib.tensor([1.0]).type('float')", "lib.FloatTensor(lib.tensor([1, 2]))",
    "lib.finfo(lib.int64)", "lib.iinfo(lib.float32)", "lib.is_nonzero(lib.tensor([1.0, 2.0]))",
    "lib.zeros(2).cuda()", "lib.zeros(2).cuda(0)", "lib.zeros(2).new_zeros(2, device='cuda')",
    "lib.zeros(2).new_full(2, 1.0)", "lib.zeros(2, dtype=lib.int64).new_zeros(2, requires_grad=True)",
])
def test_errors_match_torch(expr):
    with pytest.raises(Exception) as want:
        eval(expr, {"lib": torch})
    with pytest.raises(type(want.value)):
        eval(expr, {"lib": ng})


def test_item_error_is_still_a_value_error():
    with pytest.raises(ValueError, match="one-element"):
        ng.tensor([1.0, 2.0]).item()


def test_format_of_multi_element_tensors_without_spec_is_repr():
    x = ng.tensor([0.5, 1.0])
    assert f"{x}" == format(x, "") == repr(x)


def test_casts_return_self_when_dtype_matches_and_keep_gradients():
    x = ng.tensor([1.0, 2.0], requires_grad=True)
    assert x.float() is x and x.to(ng.float32) is x and x.type(ng.float32) is x
    y = x.double()
    assert y.grad_fn is not None
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    assert xt.float() is xt and xt.type(torch.float32) is xt


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # torch's __array__
def test_numpy_array_protocol():
    x = ng.tensor([2.5, 1.0])
    a = np.asarray(x, dtype=np.float64)
    assert a.dtype == np.float64 and a.tolist() == [2.5, 1.0]
    assert np.shares_memory(np.asarray(x), x.numpy())
    assert not np.shares_memory(np.array(x, copy=True), x.numpy())
    assert np.shares_memory(np.array(x, copy=False), x.numpy())
    with pytest.raises(ValueError):
        np.array(x, dtype=np.float64, copy=False)
    with pytest.raises(ValueError):  # NumPy's own error, as for torch
        np.array(torch.tensor([2.5, 1.0]), dtype=np.float64, copy=False)
    assert x.numpy(force=True) is x.numpy()


def test_dlpack_round_trips_share_memory():
    x = ng.tensor([2.5, 1.0])
    assert x.__dlpack_device__() == (1, 0)
    assert tuple(torch.tensor([1.0]).__dlpack_device__()) == (1, 0)
    a = np.from_dlpack(x)
    assert np.shares_memory(a, x.numpy())
    t = torch.from_dlpack(x)  # torch reads netgrad tensors
    assert t.tolist() == [2.5, 1.0] and t.dtype == torch.float32
    t[0] = 9.0
    assert x[0].item() == 9.0
    y = ng.from_dlpack(torch.arange(3))
    assert y.dtype == ng.int64 and y.tolist() == [0, 1, 2]
    z = ng.from_dlpack(np.arange(3.0))
    assert z.dtype == ng.float64 and ng.from_dlpack(x) is x
    assert ng.as_tensor(t).tolist() == [9.0, 1.0]


def test_new_tensor_copies_and_is_a_leaf():
    base = ng.zeros(2, requires_grad=True)
    data = ng.tensor([1.0, 2.0], requires_grad=True)
    y = base.new_tensor(data)
    assert y.is_leaf and not y.requires_grad and not np.shares_memory(y.numpy(), data.numpy())


def test_set_printoptions_precision_as_torch():
    try:
        for lib in (ng, torch):
            lib.set_printoptions(precision=2)
        assert repr(ng.tensor([1.23456, 2.0])) == repr(torch.tensor([1.23456, 2.0]))
        assert repr(ng.tensor([1.0, 2.0])) == repr(torch.tensor([1.0, 2.0]))
        assert repr(ng.tensor([1.23456], requires_grad=True)) == "tensor([1.23], requires_grad=True)"
        for lib in (ng, torch):
            lib.set_printoptions(threshold=5, edgeitems=2)
        assert "..." in repr(ng.arange(10)) and "..." in repr(torch.arange(10))
        assert repr(ng.arange(10)).replace(" ", "") == repr(torch.arange(10)).replace(" ", "")
    finally:
        for lib in (ng, torch):
            lib.set_printoptions(profile="default")
    assert repr(ng.tensor([1.23456, 2.0])) == repr(torch.tensor([1.23456, 2.0])) == "tensor([1.2346, 2.0000])"
    assert ng.get_printoptions()["precision"] == 4
    with pytest.raises(ValueError, match="profile"):
        ng.set_printoptions(profile="wide")


def test_utils_dlpack_capsules_as_torch():
    x = ng.ones(2)
    y = ng.utils.dlpack.from_dlpack(ng.utils.dlpack.to_dlpack(x))
    y[0] = 5.0  # shares memory and stays writable
    assert x.tolist() == [5.0, 1.0]
    assert ng.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(torch.arange(3))).tolist() == [0, 1, 2]
    assert torch.utils.dlpack.from_dlpack(ng.utils.dlpack.to_dlpack(ng.arange(3))).tolist() == [0, 1, 2]


def test_set_default_tensor_type_and_sizes_in_bytes():
    with pytest.warns(UserWarning, match="deprecated"):
        ng.set_default_tensor_type(ng.DoubleTensor)
    ng.set_default_dtype(ng.float32)
    try:
        for lib in (ng, torch):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch warns once per process
                lib.set_default_tensor_type(lib.DoubleTensor)
                assert lib.get_default_dtype() == lib.float64 and lib.zeros(1).dtype == lib.float64
                lib.set_default_tensor_type("torch.FloatTensor")
                assert lib.zeros(1).dtype == lib.float32
                with pytest.raises(TypeError):
                    lib.set_default_tensor_type(lib.LongTensor)
    finally:
        ng.set_default_dtype(ng.float32)
        torch.set_default_dtype(torch.float32)
    assert ng.zeros(2, 3).nbytes == torch.zeros(2, 3).nbytes == 24
    assert ng.zeros(2, dtype=ng.int64).itemsize == torch.zeros(2, dtype=torch.int64).itemsize == 8
    assert not issubclass(ng.FloatTensor, ng.Tensor) and not issubclass(torch.FloatTensor, torch.Tensor)
