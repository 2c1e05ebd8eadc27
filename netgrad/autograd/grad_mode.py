"""Grad modes: ``no_grad``, ``enable_grad`` and ``set_grad_enabled``, thread-local as in PyTorch.

>>> import netgrad as ng
>>> w = ng.ones(2, requires_grad=True)
>>> with ng.no_grad():
...     y = w * 2
>>> y.requires_grad
False
"""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backpropagation."""
    return _state.enabled


class _Mode:
    _target: bool

    def __new__(cls, *args, **kwargs):
        # `@ng.no_grad` without parentheses decorates directly, as `@torch.no_grad` does.
        if cls is not set_grad_enabled and len(args) == 1 and callable(args[0]) and not kwargs:
            return object.__new__(cls)(args[0])
        return object.__new__(cls)

    def __enter__(self):
        self._prev = _state.enabled
        _state.enabled = self._target
        return self

    def __exit__(self, *exc):
        _state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_Mode):
    """Context manager and decorator: operations inside are not recorded (inference, updates)."""

    _target = False


class enable_grad(_Mode):
    """Context manager and decorator: re-enable recording inside a ``no_grad`` block."""

    _target = True


class set_grad_enabled(_Mode):
    """``with set_grad_enabled(flag):`` records operations iff ``flag``; also usable as a call."""

    def __init__(self, mode: bool = True):
        self._target = mode
        self._prev = _state.enabled
        # Called as a plain function it takes effect at once, as in PyTorch.
        _state.enabled = mode

    def __enter__(self):
        return self

    def __call__(self, fn):
        mode = self._target
        _state.enabled = self._prev

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class inference_mode(_Mode):
    """``torch.inference_mode(mode=True)``: as ``no_grad`` here (netgrad has no separate
    inference tensors); ``inference_mode(False)`` records as usual. A decorator too."""

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return object.__new__(cls)(args[0])
        return object.__new__(cls)

    def __init__(self, mode: bool = True):
        self._target = not mode

    def __call__(self, fn):
        target = self._target

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(not target):
                return fn(*args, **kwargs)

        return wrapper


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (netgrad: whenever recording is off)."""
    return not _state.enabled
