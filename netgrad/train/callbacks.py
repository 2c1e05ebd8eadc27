"""Callbacks: hooks that ``fit`` calls during training; any of them may set
``self.stop_training = True`` to stop at the end of the current epoch.

>>> from netgrad.train import Callback
>>> class StopAtLoss(Callback):
...     def on_epoch_end(self, epoch, logs):
...         if logs["loss"] < 0.1:
...             self.stop_training = True
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["Callback", "LambdaCallback", "CallbackList", "batch_end_hooks"]


class Callback:
    """Base class. ``fit`` sets ``self.model``, ``self.optimizer`` and ``self.history`` before
    ``on_train_begin``. Epochs are 1-based; batches 0-based within the epoch. ``logs`` is a dict:
    on_batch_end ``{'batch', 'size', 'loss'}``; on_epoch_end the epoch's History entry."""

    stop_training: bool = False
    model: Any = None
    optimizer: Any = None
    history: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        pass


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, on_train_begin: Callable | None = None, on_epoch_begin: Callable | None = None,
                 on_batch_end: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_end: Callable | None = None):
        for name, fn in (("on_train_begin", on_train_begin), ("on_epoch_begin", on_epoch_begin),
                         ("on_batch_end", on_batch_end), ("on_epoch_end", on_epoch_end),
                         ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, name, fn)


class CallbackList:
    """Calls every callback in order; ``stop_training`` is true when any of them asked to stop."""

    def __init__(self, callbacks: Any, **attrs: Any):
        self.callbacks = list(callbacks or ())
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"fit: callbacks must be Callback instances, got {type(cb).__name__}")
            cb.stop_training = False
            for k, v in attrs.items():
                setattr(cb, k, v)
        self.has_batch_hooks = bool(batch_end_hooks(self.callbacks))

    def call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    @property
    def stop_training(self) -> bool:
        return any(cb.stop_training for cb in self.callbacks)


def batch_end_hooks(callbacks: Any) -> list[Callable]:
    """The ``on_batch_end`` methods of ``callbacks`` (a sequence or a ``CallbackList``) that do
    something: those left as ``Callback``'s no-op are skipped, so an epoch without batch hooks
    builds no per-batch logs."""
    cbs = callbacks.callbacks if isinstance(callbacks, CallbackList) else list(callbacks or ())
    return [cb.on_batch_end for cb in cbs
            if type(cb).on_batch_end is not Callback.on_batch_end or "on_batch_end" in cb.__dict__]
