"""``torch.amp`` stand-ins: mixed precision needs a GPU (or bfloat16, which NumPy lacks), so
``autocast`` runs ops in the tensors' own dtype and ``GradScaler`` is the disabled scaler PyTorch
uses when CUDA is absent (it warns, as PyTorch does, and scales by 1).

>>> import netgrad as ng
>>> with ng.autocast("cpu"):
...     y = ng.ones(2) * 3
>>> y.dtype
dtype('float32')
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from .device import _module, cuda

__all__ = ["autocast", "GradScaler", "is_autocast_available"]


class autocast:  # noqa: N801 - PyTorch's name
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager and decorator that changes nothing here (ops keep their inputs' dtype). Asking for a
    lower precision than float32 warns once that netgrad computes in float32."""

    _warned = False

    def __init__(self, device_type: str = "cpu", dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device_type, self.dtype, self.enabled = str(device_type), dtype, enabled
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
        elif enabled and not autocast._warned and device_type == "cpu":
            autocast._warned = True
            warnings.warn("autocast: netgrad has no bfloat16/float16 kernels; ops run in their inputs' "
                          "dtype (float32 stays float32)", UserWarning, stacklevel=2)

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc: Any) -> bool:
        return False

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper


def is_autocast_available(device_type: str) -> bool:
    return device_type == "cpu"


class GradScaler:
    """``torch.amp.GradScaler``: without CUDA PyTorch warns and disables it; so does netgrad.
    ``scale(loss)`` returns the loss, ``step(optimizer)`` steps, ``update()`` does nothing."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          UserWarning, stacklevel=2)
        self._enabled = False

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs: Any) -> Any:
        return outputs

    def unscale_(self, optimizer: Any) -> None:
        return None

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: Any = None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        return None


cuda_amp = _module("cuda.amp", autocast=lambda enabled=True, dtype=None, cache_enabled=True:
                   autocast("cuda", dtype, enabled), GradScaler=GradScaler)
cuda.amp = cuda_amp
