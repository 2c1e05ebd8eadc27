"""``nn.RNN``, ``nn.LSTM``, ``nn.GRU``: multi-layer, optionally bidirectional recurrent layers with
PyTorch's constructor, parameter names, shapes and initialisation, inputs and outputs.

Layer k, direction d has ``weight_ih_l{k}[_reverse]`` (gates*hidden, in), ``weight_hh_l{k}``
(gates*hidden, hidden), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (and ``weight_hr_l{k}`` for an LSTM with
``proj_size``). The inputs of every time step are projected in one matmul per layer and direction,
xw = X W_ih^T + b_ih (+ b_hh for RNN and LSTM, where it is a plain sum); only the recurrent part,
h W_hh^T and the gates, runs step by step (the step formulas are in ``netgrad/nn/rnn_cells.py``).
A reverse direction runs over the steps from last to first. Everything is composed of netgrad's
differentiable ops, so backward and double backward need nothing of their own.

Sequences of different lengths (a ``PackedSequence``) run padded: where step t is past the end of
sequence b, its state is left as it was, so h_n is the state after its last real step (and a reverse
direction starts at that step).

>>> import netgrad as ng
>>> _ = ng.manual_seed(0)
>>> lstm = ng.nn.LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)
>>> out, (h, c) = lstm(ng.randn(3, 7, 10))
>>> out.shape, h.shape, c.shape
((3, 7, 40), (4, 3, 20), (4, 3, 20))
>>> lstm
LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.creation import zeros
from ..autograd.device import check_device
from ..functional.core import as_tensor_arg
from ..functional.dropout import dropout as _dropout
from ..functional.elementwise import where
from ..functional.linalg import linear
from ..functional.recurrent import unbind_steps
from ..functional.shape import cat, stack
from .linear import _empty
from .module import Module
from .parameter import Parameter
from .rnn_cells import _ACTIVATIONS, _check_sizes, gru_step, lstm_step, rnn_step, uniform_init_
from .utils.rnn import PackedSequence, packed_from_padded, padded_from_packed

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU; ``mode`` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        check_device(device, name)
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        for flag, v in (("bias", bias), ("batch_first", batch_first), ("bidirectional", bidirectional)):
            if not isinstance(v, bool):
                raise TypeError(f"{name}: {flag} should be of type bool, got: {type(v).__name__}")
        _check_sizes(name, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if isinstance(proj_size, bool) or not isinstance(proj_size, int) or proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        gates = _GATES[mode] * hidden_size
        real_hidden = proj_size or hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(dirs):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gates, input_size if layer == 0 else real_hidden * dirs),
                          "weight_hh": (gates, real_hidden)}
                if bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for base, shape in shapes.items():
                    setattr(self, base + suffix, _empty(*shape, dtype=dtype))
                    names.append(base + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        uniform_init_(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch packs the weights for cuDNN; netgrad reads them where they are)."""

    @property
    def _flat_weights(self) -> list[Parameter | None]:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction, in PyTorch's order."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def _name(self) -> str:
        return type(self).__name__

    def _state_sizes(self) -> list[int]:
        if self.mode == "LSTM":
            return [self.proj_size or self.hidden_size, self.hidden_size]
        return [self.hidden_size]

    def _states(self, hx: Any, batch: int, dtype: Any, batched: bool) -> list[Tensor]:
        """The initial states as (layers * directions, batch, size) tensors (zeros when not given)."""
        dirs = 2 if self.bidirectional else 1
        sizes = self._state_sizes()
        lstm = self.mode == "LSTM"
        if hx is None:
            return [zeros(self.num_layers * dirs, batch, n, dtype=dtype) for n in sizes]
        given = list(hx) if lstm and isinstance(hx, (tuple, list)) else [hx]
        if len(given) != len(sizes):
            raise TypeError(f"{self._name()}: expected hx as a tuple (h_0, c_0)")
        given = [as_tensor_arg(s, self._name()) for s in given]
        want = 3 if batched else 2
        if any(s.ndim != want for s in given):
            dims = ", ".join(f"{s.ndim}-D" for s in given)
            kind = "batched 3-D" if batched else "unbatched 2-D"
            what = "hx and cx" if lstm else "hx"
            raise RuntimeError(f"{self._name()}: For {kind} input, {what} should also be {want}-D but got "
                               f"{'(' + dims + ') tensors' if lstm else dims + ' tensor'}")
        out = []
        for k, (s, n) in enumerate(zip(given, sizes)):
            s = s if batched else s.unsqueeze(1)
            expected = (self.num_layers * dirs, batch, n)
            if tuple(s.shape) != expected:
                which = f"hidden[{k}]" if lstm else "hidden"
                raise RuntimeError(f"{self._name()}: Expected {which} size {expected}, got "
                                   f"{list(s.shape)}")
            out.append(s)
        return out

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:  # noqa: A002
        name = self._name()
        packed = isinstance(input, PackedSequence)
        if packed:
            x, lengths = padded_from_packed(input)
            batched = True
        else:
            x = as_tensor_arg(input, name)
            if x.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.ndim}D tensor instead")
            batched = x.ndim == 3
            if not batched:
                x = x.unsqueeze(1)
            elif self.batch_first:
                x = x.transpose(0, 1)
            lengths = None
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        w0 = self.weight_ih_l0
        if x.dtype != w0.dtype:
            raise ValueError(f"{name}: input dtype ({x.dtype}) does not match weight dtype ({w0.dtype}). "
                             f"Convert input: input.to({w0.dtype}), or convert model: model.to({x.dtype})")
        states = self._states(hx, x.shape[1], x.dtype, batched)
        if packed and hx is not None and input.sorted_indices is not None:
            order = np.asarray(input.sorted_indices._data)  # the caller's batch order -> sorted
            states = [s[:, order] for s in states]
        out, finals = self._run(x, states, lengths)
        if packed:
            output = packed_from_padded(out, input)
            if input.unsorted_indices is not None:
                order = np.asarray(input.unsorted_indices._data)
                finals = [f[:, order] for f in finals]
        elif not batched:
            output, finals = out.squeeze(1), [f.squeeze(1) for f in finals]
        else:
            output = out.transpose(0, 1) if self.batch_first else out
        return output, (tuple(finals) if self.mode == "LSTM" else finals[0])

    def _run(self, x: Tensor, states: list[Tensor], lengths: np.ndarray | None) -> tuple:
        """All layers over the time-major input x (T, B, in); returns the last layer's output and
        the final states stacked as (layers * directions, B, size)."""
        steps = x.shape[0]
        masks = None
        if lengths is not None and np.any(lengths < steps):
            valid = np.arange(steps)[:, None] < lengths[None, :]  # (T, B)
            masks = [Tensor._make(valid[t][:, None]) for t in range(steps)]
        dirs = 2 if self.bidirectional else 1
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for direction in range(dirs):
                k = layer * dirs + direction
                init = [s[k] for s in states]
                o, last = self._direction(x, self._all_weights[k], init, direction == 1, masks)
                outs.append(o)
                for f, s in zip(finals, last):
                    f.append(s)
            x = outs[0] if dirs == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        return x, [stack(f) for f in finals]

    def _direction(self, x: Tensor, names: list[str], init: list[Tensor], reverse: bool,
                   masks: list[Tensor] | None) -> tuple[Tensor, list[Tensor]]:
        """One layer in one direction: the outputs (T, B, hidden) and the final states."""
        p = {n.split("_l")[0]: getattr(self, n) for n in names}
        w_hh, b_ih, b_hh = p["weight_hh"], p.get("bias_ih"), p.get("bias_hh")
        if self.mode != "GRU" and b_ih is not None:  # a plain sum: added once for every step
            b_ih, b_hh = b_ih + b_hh, None
        steps, batch = x.shape[0], x.shape[1]
        xw = linear(x.reshape(steps * batch, x.shape[2]), p["weight_ih"], b_ih)
        xw = unbind_steps(xw.reshape(steps, batch, xw.shape[-1]))
        mode = self.mode
        act = _ACTIVATIONS["relu" if mode == "RNN_RELU" else "tanh"]
        w_hr = p.get("weight_hr")
        state = init
        outs: list[Any] = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            h = state[0]
            if mode == "LSTM":
                new = list(lstm_step(xw[t], h, state[1], w_hh, b_hh, w_hr))
            elif mode == "GRU":
                new = [gru_step(xw[t], h, w_hh, b_hh)]
            else:
                new = [rnn_step(xw[t], h, w_hh, b_hh, act)]
            if masks is not None:  # steps past a sequence's end leave its state as it was
                new = [where(masks[t], n, s) for n, s in zip(new, state)]
            state = new
            outs[t] = state[0]
        return stack(outs), state


class RNN(RNNBase):
    """An Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh), act tanh or relu;
    returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in _ACTIVATIONS:
            raise ValueError(f"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.__dict__["nonlinearity"] = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """A long short-term memory layer (gates i, f, g, o); returns (output, (h_n, c_n)). With
    ``proj_size`` > 0 the hidden state is projected, h_t = (o_t * tanh(c_t)) W_hr^T."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """A gated recurrent unit layer (gates r, z, n as PyTorch); returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)
