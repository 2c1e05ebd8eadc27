"""``nn.Parameter``: a Tensor that a Module registers as one of its learnable weights.

>>> import netgrad as ng
>>> w = ng.nn.Parameter(ng.zeros(2))
>>> w.requires_grad, isinstance(w, ng.Tensor)
(True, True)
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.dtypes import get_default_dtype
from ..autograd.tensor import as_array

# construction_budget.left: while ng.load (netgrad/serialization.py) rebuilds a saved model, the
# number of parameter values its constructors may still create (a hostile file must not make them
# allocate more than the file's own arrays hold), with construction_budget.limit the allowance for
# the error message; unset or None otherwise (no limit). Per thread.
construction_budget = threading.local()


def charge_construction(values: int) -> None:
    """Count ``values`` against ``construction_budget`` while a saved model is rebuilt (parameters,
    buffers, and a flat charge per module for its Python objects); raise once it is spent."""
    left = getattr(construction_budget, "left", None)
    if left is not None:
        construction_budget.left = left - values
        if construction_budget.left < 0:
            raise ValueError(f"its layers hold more values than the file stores "
                             f"({construction_budget.limit})")


class Parameter(Tensor):
    """A leaf Tensor with ``requires_grad=True`` by default; assigning one to a Module attribute
    registers it (it then appears in ``parameters()`` and ``state_dict()``).

    ``Parameter(t)`` shares ``t``'s memory, as in PyTorch.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True):
        if data is None:
            arr = np.empty((0,), dtype=get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = as_array(data)
        charge_construction(arr.size)  # before a constructor fills the (still untouched) memory
        self._data = arr
        self.grad = None
        self.grad_fn = None
        self._out_idx = 0
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: int):
        return (_rebuild_parameter, (self._data, self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        # copies in the memory layout (C, or F for a transposed array)
        out = Parameter(self._data.copy("K"), self._requires_grad)
        if self.grad is not None:
            out.grad = Tensor._make(self.grad._data.copy("K"))
        memo[id(self)] = out
        return out


def _rebuild_parameter(arr: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(arr, requires_grad)
