"""Conversions and devices on ``Tensor`` with PyTorch's names and arguments: ``to cpu cuda type
half/float/double/long/int/short/char/byte/bool new_zeros/new_ones/new_full/new_empty/new_tensor
nelement element_size stride storage_offset data_ptr is_contiguous is_floating_point``, the
``device``/``is_cuda``/``layout`` attributes, ``__format__``, ``__array__`` and DLPack.

Some of these replace first versions in ``autograd/tensor.py`` and ``functional/methods.py``
(``to``, ``cpu``, ``device``, ``item``, ``numpy``, ``__array__``): bound here, after them.

>>> import netgrad as ng
>>> x = ng.tensor([1.5, 2.0])
>>> x.type(), x.to('cpu', ng.float64).dtype, f"{x.sum():.1f}"
('torch.FloatTensor', dtype('float64'), '3.5')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd import creation as C
from ..autograd.dtypes import as_dtype
from ..autograd.device import CPU, DeviceUnavailableError, check_device, device
from . import elementwise as E
from .legacy import TYPE_NAMES, LegacyTensorType, legacy_type
from .methods import bind_methods

__all__ = ["is_tensor", "numel", "is_floating_point", "is_complex", "is_nonzero", "from_dlpack"]


class ItemError(ValueError, RuntimeError):
    """item() of a tensor with more than one element (RuntimeError in PyTorch)."""


def _parse_to(args: tuple, kwargs: dict) -> tuple[Any, Any, bool]:
    """PyTorch's three ``to`` forms: (device, dtype), (dtype), (other tensor); + copy, non_blocking."""
    dev, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    copy = bool(kwargs.pop("copy", False))
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument {next(iter(kwargs))!r}")
    args = list(args)
    flags = []  # trailing positional non_blocking, copy
    while args and isinstance(args[-1], bool):
        flags.insert(0, args.pop())
    if len(flags) > 2:
        raise TypeError("to(): too many positional arguments")
    if len(flags) == 2:
        copy = flags[1]
    for a in args:
        if a is None:
            continue
        if isinstance(a, Tensor):
            dev, dtype = CPU, a.dtype
        elif isinstance(a, device) or (isinstance(a, int) and not isinstance(a, bool)):
            dev = a
        elif isinstance(a, str):
            try:
                dev = device(a)
            except RuntimeError:
                try:  # netgrad also takes dtype names here: x.to('float64')
                    dtype = as_dtype(a)
                except TypeError:
                    raise RuntimeError(f"to(): invalid device string: {a!r}") from None
        elif isinstance(a, LegacyTensorType):
            dtype = a.dtype
        else:
            dtype = a
    return dev, dtype, copy


def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``x.to(device)``, ``x.to(dtype)``, ``x.to(device, dtype)``, ``x.to(other)``; returns x itself
    when nothing changes unless ``copy=True``. Only the CPU exists here."""
    if len(args) == 1 and not kwargs and isinstance(args[0], np.dtype):  # x.to(dtype): the common call
        return self if args[0] == self._data.dtype else E.cast(self, args[0])
    dev, dtype, copy = _parse_to(args, kwargs)
    check_device(dev, "to")
    d = self.dtype if dtype is None else as_dtype(dtype)
    if d != self.dtype:
        return E.cast(self, d)
    return self.clone() if copy else self


def cpu(self: Tensor, memory_format: Any = None) -> Tensor:
    return self


def cuda(self: Tensor, device: Any = None, non_blocking: bool = False, memory_format: Any = None) -> Tensor:
    raise DeviceUnavailableError("cuda(): Torch not compiled with CUDA enabled (netgrad runs on the "
                                 "CPU only)")


def _cast_to(name: str):
    def method(self: Tensor, memory_format: Any = None) -> Tensor:
        return E.cast(self, as_dtype(name))
    method.__name__ = name
    method.__doc__ = f"``x.{name}()``: x as {as_dtype(name)} (x itself when it already is)."
    return method


def type_(self: Tensor, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """``x.type()`` is PyTorch's type name ('torch.FloatTensor'); ``x.type(t)`` converts to t
    (a dtype, a legacy type such as ``LongTensor``, or its name 'torch.LongTensor')."""
    if dtype is None:
        return "torch." + legacy_type(self.dtype).__name__
    if isinstance(dtype, str):
        if dtype not in TYPE_NAMES:
            raise ValueError(f"invalid type: {dtype!r}")
        dtype = TYPE_NAMES[dtype]
    elif isinstance(dtype, LegacyTensorType):
        dtype = dtype.dtype
    return E.cast(self, as_dtype(dtype))


def item(self: Tensor) -> Any:
    if self._data.size != 1:
        raise ItemError(f"item(): a Tensor with {self._data.size} elements cannot be converted to "
                        "Scalar (only one-element tensors can be converted)")
    return self._data.item()


def numpy(self: Tensor, *, force: bool = False) -> np.ndarray:
    """The underlying ndarray (shared memory). netgrad hands it out for tensors that require grad
    too (PyTorch asks for ``detach()`` first); ``force=True`` is accepted."""
    return self._data


def __array__(self: Tensor, dtype: Any = None, copy: bool | None = None) -> np.ndarray:  # noqa: N807
    arr = self._data
    if dtype is not None and np.dtype(dtype) != arr.dtype:
        if copy is False:
            raise ValueError(f"__array__: converting {arr.dtype} to {np.dtype(dtype)} needs a copy, "
                             "but copy=False was asked for")
        return arr.astype(dtype)
    return arr.copy() if copy else arr


def __format__(self: Tensor, spec: str) -> str:  # noqa: N807
    """A 0-d tensor formats as its Python number (f"{loss:.4f}"); others accept no format spec."""
    if self._data.ndim == 0:
        return self._data.item().__format__(spec)
    if spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return repr(self)


def __dlpack__(self: Tensor, *, stream: Any = None, max_version: Any = None,  # noqa: N807
               dl_device: Any = None, copy: bool | None = None) -> Any:
    kw = {} if max_version is None else {"max_version": max_version}
    if copy is not None:
        kw["copy"] = copy
    try:
        return self._data.__dlpack__(stream=stream, **kw)
    except TypeError:
        if not kw:
            raise
    # NumPy < 2.1 takes no max_version/copy: its (older) capsule, which consumers still accept
    return (self._data.copy() if copy else self._data).__dlpack__(stream=stream)


def __dlpack_device__(self: Tensor) -> tuple[int, int]:  # noqa: N807
    return self._data.__dlpack_device__()


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with any DLPack exporter (NumPy arrays, PyTorch CPU tensors...)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    return C.from_numpy(np.from_dlpack(ext_tensor))


def stride(self: Tensor, dim: int | None = None) -> Any:
    """Steps in elements (not bytes, as NumPy's strides) between neighbours along each dim."""
    st = tuple(s // self._data.itemsize for s in self._data.strides)
    return st if dim is None else st[dim]


def _base(arr: np.ndarray) -> np.ndarray:
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def storage_offset(self: Tensor) -> int:
    """This tensor's first element's offset (in elements) from the start of its memory."""
    arr = self._data
    start = arr.__array_interface__["data"][0] - _base(arr).__array_interface__["data"][0]
    return start // arr.itemsize


def data_ptr(self: Tensor) -> int:
    return self._data.__array_interface__["data"][0]


def is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    return bool(self._data.flags.c_contiguous)


def _new(self: Tensor, fill: Any, size: tuple, dtype: Any, device: Any, requires_grad: bool,
         op: str, kwargs: dict) -> Tensor:
    C.check_creation_options(op, device, kwargs.pop("layout", None), kwargs.pop("pin_memory", False))
    shape = C.size_arg(size, op, C.size_kwarg(kwargs, op))
    d = self.dtype if dtype is None else as_dtype(dtype)
    arr = np.empty(shape, d) if fill is None else np.full(shape, fill, d)
    return C.finish_creation(arr, requires_grad, op=op)


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return _new(self, 0, size, dtype, device, requires_grad, "new_zeros", kwargs)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return _new(self, 1, size, dtype, device, requires_grad, "new_ones", kwargs)


def new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return _new(self, None, size, dtype, device, requires_grad, "new_empty", kwargs)


def new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return _new(self, fill_value, (C.tuple_size_arg(size, "new_full"),), dtype, device, requires_grad,
                "new_full", kwargs)


def new_tensor(self: Tensor, data: Any, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """A copy of ``data`` as a new leaf, in this tensor's dtype unless ``dtype`` is given."""
    return C.tensor(data, self.dtype if dtype is None else dtype, device=device,
                    requires_grad=requires_grad, **kwargs)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Any) -> int:  # noqa: A002
    return int(np.size(input._data if isinstance(input, Tensor) else input))


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    return input.dtype.kind == "f"


def is_complex(input: Tensor) -> bool:  # noqa: A002
    return input.dtype.kind == "c"


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    if input.numel() != 1:
        raise RuntimeError("is_nonzero: a Tensor with more than one value is ambiguous")
    return bool(input._data.item())


bind_methods(
    to=to, cpu=cpu, cuda=cuda, type=type_, item=item, numpy=numpy, __array__=__array__,
    __format__=__format__, __dlpack__=__dlpack__, __dlpack_device__=__dlpack_device__,
    half=_cast_to("float16"), float=_cast_to("float32"), double=_cast_to("float64"),
    long=_cast_to("int64"), int=_cast_to("int32"), short=_cast_to("int16"), char=_cast_to("int8"),
    byte=_cast_to("uint8"), bool=_cast_to("bool"),
    nelement=lambda self: self._data.size, element_size=lambda self: self._data.itemsize,
    stride=stride, storage_offset=storage_offset, data_ptr=data_ptr, is_contiguous=is_contiguous,
    is_floating_point=is_floating_point, is_complex=is_complex,
    is_signed=lambda self: self.dtype.kind in "if",
    new_zeros=new_zeros, new_ones=new_ones, new_full=new_full, new_empty=new_empty, new_tensor=new_tensor,
    get_device=lambda self: -1, is_pinned=lambda self: False,
    pin_memory=lambda self: C.check_creation_options("pin_memory", pin_memory=True),
)
Tensor.device = property(lambda self: CPU, doc="Where the tensor lives: always device('cpu').")
Tensor.is_cuda = property(lambda self: False)
Tensor.is_cpu = property(lambda self: True)
Tensor.is_sparse = property(lambda self: False)
Tensor.is_quantized = property(lambda self: False)
Tensor.is_meta = property(lambda self: False)
Tensor.layout = property(lambda self: C.strided)
Tensor.nbytes = property(lambda self: self._data.nbytes)
Tensor.itemsize = property(lambda self: self._data.itemsize)
