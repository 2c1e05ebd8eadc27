"""Layer 1 of netgrad: the Tensor, the Function base class, the backward engine and grad modes.

NumPy is the only import here; everything else in netgrad is built on top.
"""

from . import compat  # noqa: F401  (NumPy 2 names on NumPy 1.x; first, before any op)
from . import dtypes
from .anomaly import (
    AnomalyError, detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly,
)
from .engine import backward, grad
from .errors import DTypeError, GraphError, NetgradError, ShapeError
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor

__all__ = [
    "AnomalyError", "detect_anomaly", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
    "set_detect_anomaly",
    "DTypeError", "Function", "GraphError", "NetgradError", "ShapeError", "Tensor", "backward",
    "dtypes", "enable_grad", "grad", "is_grad_enabled", "no_grad", "set_grad_enabled",
]
