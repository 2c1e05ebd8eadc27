"""``nn.Linear``: net = x W^T + b, with PyTorch's default initialisation.

The weight is stored as PyTorch stores it: a C-contiguous (out_features, in_features) array, so
``weight.view(-1)``, ``weight.stride()`` and the raw bytes of a state_dict are PyTorch's. The notes'
W (in x out) is ``weight.T``; the forward pass x @ weight.T reads that transpose in place (BLAS's
transposed operand, as ``torch.addmm``), without a copy.

>>> import netgrad as ng
>>> layer = ng.nn.Linear(784, 128)
>>> layer(ng.zeros(32, 784)).shape
(32, 128)
>>> layer(ng.zeros(32, 100))
Traceback (most recent call last):
...
netgrad.autograd.errors.ShapeError: Linear(in_features=784, ...): expected input with last ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.dtypes import as_dtype, get_default_dtype
from ..autograd.errors import ShapeError
from ..functional.core import as_tensor_arg
from ..functional.linalg import LinearOp as _LinearFn
from . import init
from .module import Module
from .parameter import Parameter


def _empty(*shape: int, dtype: Any = None) -> Parameter:
    """An uninitialised C-contiguous parameter."""
    d = get_default_dtype() if dtype is None else as_dtype(dtype)
    return Parameter(Tensor._make(np.empty(shape, d)))


def _weight_and_bias(module: Module, weight_shape: tuple, bias_size: int, bias: bool,
                     dtype: Any) -> None:
    """Register an uninitialised ``weight`` of ``weight_shape`` and, if ``bias``, a ``bias`` of
    ``bias_size`` (else ``bias`` is None) on ``module``, as PyTorch's layers do."""
    module.weight = _empty(*weight_shape, dtype=dtype)
    if bias:
        module.bias = _empty(bias_size, dtype=dtype)
    else:
        module.register_parameter("bias", None)


class Linear(Module):
    """A fully connected layer: net = x W^T + b, W of shape (out_features, in_features).

    Initialised as PyTorch: W ~ kaiming_uniform(a = sqrt 5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from netgrad's seeded generator.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        _weight_and_bias(self, (self.out_features, self.in_features), self.out_features, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        x = input if isinstance(input, Tensor) else as_tensor_arg(input, "Linear")
        try:
            # The Function checks the shapes; the layer only rewords its error (hot path: batch 1).
            return _LinearFn.apply(x, self.weight, self.bias)
        except ShapeError:
            if x.ndim == 0 or x.shape[-1] != self.in_features:
                raise ShapeError(f"{self!r}: expected input with last dimension {self.in_features}, "
                                 f"got shape {x.shape}") from None
            raise

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
