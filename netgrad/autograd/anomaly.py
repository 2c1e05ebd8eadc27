"""Anomaly detection, as ``torch.autograd.detect_anomaly``: during backward, a node whose backward
returns NaN or infinite values raises ``AnomalyError`` naming the node (``LogBackward0``, ...) and,
for nodes recorded while the mode was on, the user code whose forward call created it.

>>> import netgrad as ng, numpy as np
>>> x = ng.tensor([0.0, 1.0], requires_grad=True)
>>> with ng.autograd.detect_anomaly(), np.errstate(all="ignore"):
...     y = (x.log() * 0).sum()
...     y.backward()
Traceback (most recent call last):
    ...
netgrad.autograd.anomaly.AnomalyError: Function 'LogBackward0' returned nan values in its 0th output...

The engine calls ``check_backward`` after each node's backward and ``Function.apply`` calls
``record_forward`` for each recorded node, both only while ``anomaly_mode.enabled`` is true, so
the mode costs nothing when it is off.
"""

from __future__ import annotations

import os
import traceback
from typing import Any, Callable

import numpy as np

from .errors import GraphError

__all__ = ["AnomalyError", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../netgrad
_FRAMES = 6  # user frames kept per recorded node


class AnomalyError(GraphError):
    """A backward produced NaN or infinite values while anomaly detection was on."""


class _Mode:
    # Process-wide, as PyTorch's; a plain attribute, so that the engine's check costs ~20 ns.
    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


anomaly_mode = _Mode()


def is_anomaly_enabled() -> bool:
    return anomaly_mode.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return anomaly_mode.enabled and anomaly_mode.check_nan


class set_detect_anomaly:
    """Turn anomaly detection on or off; a plain call keeps it so, ``with`` restores it after."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_detect_anomaly: mode must be a bool, got {type(mode).__name__}")
        self._prev = (anomaly_mode.enabled, anomaly_mode.check_nan)
        anomaly_mode.enabled, anomaly_mode.check_nan = mode, bool(check_nan)

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc: Any) -> None:
        anomaly_mode.enabled, anomaly_mode.check_nan = self._prev


class detect_anomaly:
    """Context manager (and decorator) turning anomaly detection on for its block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = bool(check_nan)
        self._prev: list[tuple[bool, bool]] = []

    def __enter__(self) -> detect_anomaly:
        self._prev.append((anomaly_mode.enabled, anomaly_mode.check_nan))
        anomaly_mode.enabled, anomaly_mode.check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc: Any) -> None:
        anomaly_mode.enabled, anomaly_mode.check_nan = self._prev.pop()

    def __call__(self, fn: Callable) -> Callable:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


def record_forward(node: Any) -> None:
    """Remember where ``node`` was created: the innermost frames outside netgrad."""
    stack = traceback.extract_stack()[:-1]
    user = [f for f in stack if not os.path.abspath(f.filename).startswith(_PKG + os.sep)]
    node._anomaly_trace = user[-_FRAMES:] if user else stack[-_FRAMES:]


def _array(g: Any) -> Any:
    return g if isinstance(g, np.ndarray) else getattr(g, "_data", None)


def check_backward(node: Any, grads: Any) -> None:
    """Raise ``AnomalyError`` if ``node``'s backward returned a gradient with NaN or inf."""
    if not anomaly_mode.check_nan:
        return
    if type(grads) is not tuple:
        grads = (grads,)
    for i, g in enumerate(grads):
        a = _array(g)
        if a is None or not isinstance(a, np.ndarray) or a.dtype.kind not in "fc":
            continue
        if np.isfinite(a).all():
            continue
        what = "nan" if np.isnan(a).any() else "inf"
        msg = f"Function '{node.name()}' returned {what} values in its {i}th output."
        trace = node.__dict__.get("_anomaly_trace")
        if trace:
            where = "".join(traceback.format_list(trace)).rstrip()
            msg += f"\nThe forward call that created {node.name()}:\n{where}"
        else:
            msg += (" (its forward ran before anomaly detection was turned on, so where it was "
                    "created was not recorded)")
        raise AnomalyError(msg)
