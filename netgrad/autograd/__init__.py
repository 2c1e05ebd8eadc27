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
from .grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from .tensor import Tensor
from . import functional  # noqa: E402  (jacobian, hessian, vjp, jvp, hvp, vhp)


def Variable(data: object, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """PyTorch's legacy ``autograd.Variable(t, requires_grad=...)``: since PyTorch 0.4 a Variable is a
    Tensor, so this returns ``data`` as a tensor (shared memory) with the flag set."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad and not t.requires_grad:
        t.requires_grad_(True)
    return t


__all__ = [
    "AnomalyError", "detect_anomaly", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
    "set_detect_anomaly",
    "DTypeError", "Function", "GraphError", "NetgradError", "ShapeError", "Tensor", "backward",
    "dtypes", "enable_grad", "grad", "is_grad_enabled", "no_grad", "set_grad_enabled", "inference_mode",
    "is_inference_mode_enabled", "Variable", "functional",
]
