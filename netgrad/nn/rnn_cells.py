"""``nn.RNNCell``, ``nn.LSTMCell``, ``nn.GRUCell``: one time step of a recurrent layer (PyTorch's API).

Every step is composed of netgrad's differentiable ops (``linear``, ``sigmoid``, ``tanh``, slicing),
so gradients and double backward come from those ops. The step functions below are shared with
``nn.RNN``/``nn.LSTM``/``nn.GRU`` (``netgrad/nn/rnn.py``), which project the inputs of all time
steps in one matmul and call them with that projection, ``xw = x W_ih^T + b_ih``:

    RNN:  h' = act(xw + h W_hh^T + b_hh)
    LSTM: i, f, g, o = sigma, sigma, tanh, sigma of the four row blocks of xw + h W_hh^T + b_hh
          c' = f * c + i * g,  h' = o * tanh(c')            (h' = (o * tanh(c')) W_hr^T with proj_size)
    GRU:  r, z = sigma of the first two blocks of xw + h W_hh^T + b_hh,
          n = tanh(xw_n + r * (h W_hn^T + b_hn)),  h' = (1 - z) * n + z * h

>>> import netgrad as ng
>>> _ = ng.manual_seed(0)
>>> cell = ng.nn.LSTMCell(3, 5)
>>> h, c = cell(ng.zeros(2, 3))
>>> h.shape, c.shape
((2, 5), (2, 5))
>>> ng.nn.GRUCell(3, 5, bias=False)
GRUCell(3, 5, bias=False)
"""

from __future__ import annotations

import math
from typing import Any

from ..autograd import Tensor
from ..autograd.creation import zeros
from ..autograd.device import check_device
from ..functional.core import as_tensor_arg
from ..functional.activation import relu, sigmoid, tanh
from ..functional.linalg import linear
from ..functional.recurrent import split_columns
from . import init
from .linear import _empty
from .module import Module

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_ACTIVATIONS = {"tanh": tanh, "relu": relu}


def _check_sizes(op: str, **sizes: Any) -> None:
    for name, v in sizes.items():
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{op}: {name} should be of type int, got: {type(v).__name__}")
        if v <= 0:
            raise ValueError(f"{op}: {name} must be greater than zero")


def uniform_init_(module: Module, hidden_size: int) -> None:
    """PyTorch's recurrent initialisation: every parameter ~ U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for w in module.parameters():
        init.uniform_(w, -stdv, stdv)


def rnn_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, act: Any) -> Tensor:
    """h' = act(xw + h W_hh^T + b_hh), xw = x W_ih^T + b_ih precomputed."""
    return act(xw + linear(h, w_hh, b_hh))


def lstm_step(xw: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None,
              w_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """(h', c') of an LSTM step, gates in PyTorch's order i, f, g, o (see the module docstring)."""
    n = w_hh.shape[0] // 4
    i, f, g, o = split_columns(xw + linear(h, w_hh, b_hh), (n, n, n, n))
    c_new = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h_new = sigmoid(o) * tanh(c_new)
    if w_hr is not None:
        h_new = linear(h_new, w_hr)
    return h_new, c_new


def gru_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """h' of a GRU step, PyTorch's formula with gates r, z, n (see the module docstring)."""
    n = w_hh.shape[0] // 3
    x_r, x_z, x_n = split_columns(xw, (n, n, n))
    h_r, h_z, h_n = split_columns(linear(h, w_hh, b_hh), (n, n, n))
    z = sigmoid(x_z + h_z)
    cand = tanh(x_n + sigmoid(x_r + h_r) * h_n)
    return cand + z * (h - cand)          # (1 - z) * n + z * h


class RNNCellBase(Module):
    """The parameters of a cell: weight_ih (chunks*hidden, input), weight_hh (chunks*hidden, hidden),
    bias_ih and bias_hh (chunks*hidden), initialised U(-1/sqrt(hidden), 1/sqrt(hidden))."""

    _n_state = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        if not isinstance(bias, bool):
            raise TypeError(f"{name}: bias should be of type bool, got: {type(bias).__name__}")
        _check_sizes(name, input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = _empty(num_chunks * hidden_size, input_size, dtype=dtype)
        self.weight_hh = _empty(num_chunks * hidden_size, hidden_size, dtype=dtype)
        if bias:
            self.bias_ih = _empty(num_chunks * hidden_size, dtype=dtype)
            self.bias_hh = _empty(num_chunks * hidden_size, dtype=dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        uniform_init_(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input: Any, hx: Any) -> tuple[Tensor, list, bool]:  # noqa: A002
        """The input as a (batch, input_size) tensor, the states as (batch, hidden) tensors (zeros
        when ``hx`` is None) and whether the input had a batch dimension."""
        name = type(self).__name__
        x = as_tensor_arg(input, name)
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead")
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input has inconsistent input_size: got {x.shape[-1]} "
                             f"expected {self.input_size}")
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
        if hx is None:
            states = [zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
                      for _ in range(self._n_state)]
        else:
            given = list(hx) if self._n_state > 1 and isinstance(hx, (tuple, list)) else [hx]
            if len(given) != self._n_state:
                raise ValueError(f"{name}: expected hx as a tuple of {self._n_state} tensors")
            states = []
            for k, s in enumerate(given):
                s = as_tensor_arg(s, name)
                what = f"hx[{k}]" if self._n_state > 1 else "hidden"
                if s.ndim not in (1, 2):
                    raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {s.ndim}D instead")
                s = s if batched else s.unsqueeze(0)
                if tuple(s.shape) != (x.shape[0], self.hidden_size):
                    raise ValueError(f"{name}: {what} of shape {tuple(s.shape)} does not match "
                                     f"(batch, hidden_size) = ({x.shape[0]}, {self.hidden_size})")
                states.append(s)
        return x, states, batched


class RNNCell(RNNCellBase):
    """An Elman cell: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in _ACTIVATIONS:
            raise ValueError(f"RNNCell: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.__dict__["nonlinearity"] = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input: Any, hx: Any = None) -> Tensor:  # noqa: A002
        x, (h,), batched = self._prepare(input, hx)
        act = _ACTIVATIONS[self.nonlinearity]
        out = rnn_step(linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh, act)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """A long short-term memory cell: returns (h', c') (gates i, f, g, o as PyTorch)."""

    _n_state = 2

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        x, (h, c), batched = self._prepare(input, hx)
        h, c = lstm_step(linear(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """A gated recurrent unit: h' = (1 - z) * n + z * h (gates r, z, n as PyTorch)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Any, hx: Any = None) -> Tensor:  # noqa: A002
        x, (h,), batched = self._prepare(input, hx)
        out = gru_step(linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)
