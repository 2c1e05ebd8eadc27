"""Lazy convolutions: ``nn.LazyConv1d``/``2d`` and ``nn.LazyConvTranspose1d``/``2d`` take
``in_channels`` from the first input (dim -(nd + 1)); that forward fills the same Parameters and
the module becomes the eager layer, as in PyTorch.

>>> import netgrad as ng
>>> conv = ng.nn.LazyConv2d(4, 3)
>>> conv
LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1, 1))
>>> conv(ng.zeros(1, 2, 5, 5)).shape, conv
((1, 4, 3, 3), Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1)))
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor, no_grad
from ..autograd.random import get_rng_state, set_rng_state
from .conv import Conv2d
from .conv_more import Conv1d, ConvTranspose1d, ConvTranspose2d
from .module import Module
from .parameter import Parameter

__all__ = ["LazyConv1d", "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d"]

_LAYER_ATTRS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                "output_padding", "groups", "padding_mode")


class _LazyConv(Module):
    _eager: type = Conv2d
    _nd = 2
    _transposed = False

    def _setup(self, out_channels: int, dtype: Any, bias: bool, **kw: Any) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self._dtype = 0, int(out_channels), dtype
        self._kw = dict(kw, bias=bias)
        state = get_rng_state()  # the probe's throwaway weights must not move the seeded stream
        try:
            probe = self._eager(1, self.out_channels, **self._kw, dtype=dtype)
        finally:
            set_rng_state(state)
        self.kernel_size, self.stride, self.padding = probe.kernel_size, probe.stride, probe.padding
        self._probe_repr = probe.extra_repr()
        self.weight = Parameter(None)
        self.bias = Parameter(None) if bias else None

    def has_uninitialized_params(self) -> bool:
        return self.in_channels == 0

    def initialize_parameters(self, input: Tensor) -> None:  # noqa: A002
        """Make the weight and bias as the eager layer would, in the same Parameters."""
        if input.ndim not in (self._nd + 1, self._nd + 2):
            raise ValueError(f"{type(self).__name__}: expected a {self._nd + 1}-D or {self._nd + 2}-D "
                             f"input, got shape {input.shape}")
        self._materialize(input.shape[-self._nd - 1], self._dtype if self._dtype is not None else input.dtype)

    def _materialize(self, in_channels: int, dtype: Any) -> None:
        made = self._eager(in_channels, self.out_channels, **self._kw, dtype=dtype)
        with no_grad():
            self.weight.data = made.weight.data
            if self.bias is not None:
                self.bias.data = made.bias.data
        for k in ("_dtype", "_kw", "_probe_repr"):
            self.__dict__.pop(k, None)
        for k in _LAYER_ATTRS:
            if k in made.__dict__:
                self.__dict__[k] = made.__dict__[k]
        self.__dict__["_init_args"] = made.__dict__.get("_init_args", ((), {}))  # for ng.save(model)
        self.__class__ = self._eager

    def materialize_from(self, state_dict: dict, prefix: str) -> None:
        """Take in_channels from a checkpoint's weight (``load_state_dict`` before any forward)."""
        w = state_dict.get(prefix + "weight")
        if w is not None and len(w.shape) == self._nd + 2:
            self._materialize(int(w.shape[0] if self._transposed else w.shape[1]), self._dtype)

    def extra_repr(self) -> str:
        return self._probe_repr.replace("1, ", "0, ", 1)


class _LazyConvNd(_LazyConv):
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        self._setup(out_channels, dtype, bias, kernel_size=kernel_size, stride=stride, padding=padding,
                    dilation=dilation, groups=groups, padding_mode=padding_mode)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self.initialize_parameters(input)
        return self(input)


class _LazyConvTransposeNd(_LazyConv):
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        self._setup(out_channels, dtype, bias, kernel_size=kernel_size, stride=stride, padding=padding,
                    output_padding=output_padding, groups=groups, dilation=dilation,
                    padding_mode=padding_mode)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        self.initialize_parameters(input)
        return self(input, output_size)


class LazyConv1d(_LazyConvNd):
    """``nn.Conv1d`` with in_channels taken from the first input."""

    _eager, _nd = Conv1d, 1


class LazyConv2d(_LazyConvNd):
    """``nn.Conv2d`` with in_channels taken from the first input."""

    _eager, _nd = Conv2d, 2


class LazyConvTranspose1d(_LazyConvTransposeNd):
    """``nn.ConvTranspose1d`` with in_channels taken from the first input."""

    _eager, _nd, _transposed = ConvTranspose1d, 1, True


class LazyConvTranspose2d(_LazyConvTransposeNd):
    """``nn.ConvTranspose2d`` with in_channels taken from the first input."""

    _eager, _nd, _transposed = ConvTranspose2d, 2, True
