"""NumPy compatibility: the few NumPy 2 names netgrad uses, for NumPy 1.23 - 1.26.

netgrad supports NumPy >= 1.23.2 (the oldest release with wheels for Python 3.11; CI runs the core
tests on it, ``make test-numpy-floor``). Backward formulas are written once against an ``xp``
namespace that is NumPy itself on the fast path (``functional/core.py``), so a NumPy 2 name they
use must exist on the ``numpy`` module: on older NumPy this module adds it there, as an alias of the
older spelling with the same semantics. Nothing is replaced where NumPy already has the name.

>>> import numpy as np
>>> from netgrad.autograd import compat  # noqa: F401
>>> np.permute_dims(np.zeros((2, 3, 4)), (2, 0, 1)).shape
(4, 2, 3)
"""

from __future__ import annotations

import numpy as np

__all__ = ["NUMPY_VERSION"]

NUMPY_VERSION = tuple(int(p) for p in np.__version__.split(".")[:2])

# NumPy 2 name -> the NumPy 1 function with the same behaviour.
_ALIASES = {
    "permute_dims": np.transpose,  # array API name (NumPy 2.0)
    "concat": np.concatenate,
    "pow": np.power,
    "acos": np.arccos, "asin": np.arcsin, "atan": np.arctan, "atan2": np.arctan2,
    "acosh": np.arccosh, "asinh": np.arcsinh, "atanh": np.arctanh,
    "bitwise_invert": np.invert,
    "bitwise_left_shift": np.left_shift, "bitwise_right_shift": np.right_shift,
}

for _name, _fn in _ALIASES.items():
    if not hasattr(np, _name):
        setattr(np, _name, _fn)
