"""One epoch of training, the loop that ``fit``, the scikit-learn estimators and ``netgrad train``
(through ``fit``) share: ``run_epoch``.

For each batch, in this order: the forward pass and the loss; a check that the loss is finite;
``optimizer.zero_grad()``; ``loss.backward()``; the gradient, times the batch size, added to the
epoch's sum; optional clipping of the global gradient norm; ``optimizer.step()``; then the batch
hooks (``on_batch_end``, the callbacks' ``on_batch_end``) and the ``should_stop`` check.

The returned ``EpochStats`` holds the epoch's sums. ``stats.loss`` is the example-weighted mean of
the batch losses; ``stats.grad_norm`` the notes' gradient norm: the global L2 norm of the
example-weighted mean of the batch gradients (taken before any clipping). For batch gradient
descent (one batch) that is exactly ||dJ/dw|| at the epoch's weights; for mini-batches it averages
out the batch-to-batch noise, so it goes to zero as training converges, and "stop when it falls
below ``grad_tol``" is the notes' termination rule (``fit``'s ``grad_tol``, the estimators'
``grad_tol``).

>>> import netgrad as ng
>>> from netgrad import nn, optim
>>> from netgrad.data import DataLoader, TensorDataset
>>> from netgrad.train import run_epoch
>>> _ = ng.manual_seed(0)
>>> X = ng.linspace(-1, 1, 20).reshape(20, 1); y = 3 * X + 1
>>> model = nn.Linear(1, 1)
>>> opt = optim.SGD(model.parameters(), lr=0.5)
>>> loader = DataLoader(TensorDataset(X, y), batch_size=20)   # batch gradient descent
>>> for epoch in range(1, 501):
...     stats = run_epoch(model, loader, nn.MSELoss(), opt, epoch=epoch)
...     if stats.grad_norm < 1e-4:                              # the notes' stopping rule
...         break
>>> stats.batches, stats.count, round(model.weight.item(), 3), round(model.bias.item(), 3)
(1, 20, 3.0, 1.0)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np

from ..autograd import Tensor
from ..nn.utils.clip_grad import clip_grad_norm_
from .callbacks import Callback, batch_end_hooks
from .loop import split_batch, to_numpy

__all__ = ["run_epoch", "EpochStats", "Step", "TrainingDivergedError", "optimizer_params"]


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite; ``epoch`` (1-based) and ``batch`` (0-based) say where."""

    def __init__(self, epoch: int, batch: int, loss: float, lr: Any):
        self.epoch, self.batch, self.loss = epoch, batch, loss
        super().__init__(
            f"fit: the training loss became {loss} at epoch {epoch}, batch {batch} (learning rate {lr}). "
            "Training diverged: try a smaller learning rate, gradient clipping (clip_grad_norm=...), "
            "or standardising the inputs (netgrad.data.StandardScaler).")


class Step(NamedTuple):
    """One batch's forward pass, as ``run_epoch`` uses it. ``loss``: the batch's mean loss (a
    scalar tensor), or None for a batch that carries no information (no update; its ``size``
    examples still count, with zero loss and gradient); ``size``: the number of examples, which
    weighs the batch in the epoch's means; ``output`` and ``target``: kept for the metrics."""

    loss: Tensor | None
    size: int
    output: Any = None
    target: Any = None


def optimizer_params(optimizer: Any) -> list[Tensor]:
    """Every parameter the optimiser updates, group by group."""
    return [p for g in optimizer.param_groups for p in g["params"]]


class EpochStats:
    """Running sums over one epoch: ``loss_sum`` (batch loss times batch size), ``count``
    (examples), ``batches`` (batches done), ``grad_sum`` (per parameter, the batch gradients times
    the batch sizes; None when not tracked) and, with ``keep_outputs``, the batches' ``outputs``
    and ``targets`` as arrays (for metrics)."""

    def __init__(self, params: Sequence[Tensor], track_grad: bool = True, keep_outputs: bool = False):
        self.loss_sum, self.count, self.batches = 0.0, 0, 0
        self.grad_sum = [np.zeros_like(to_numpy(p)) for p in params] if track_grad else None
        self.keep_outputs = keep_outputs
        self.outputs: list[np.ndarray] = []
        self.targets: list[np.ndarray] = []

    @property
    def loss(self) -> float:
        """The example-weighted mean of the batch losses (NaN before any batch)."""
        return self.loss_sum / self.count if self.count else math.nan

    @property
    def grad_norm(self) -> float:
        """The global L2 norm of the example-weighted mean batch gradient (NaN when not tracked)."""
        if self.grad_sum is None or not self.count:
            return math.nan
        return math.sqrt(sum(float(np.vdot(g.ravel(), g.ravel())) for g in self.grad_sum)) / self.count

    def metrics(self, fns: Sequence[tuple[str, Callable]]) -> dict[str, float]:
        """``{name: fn(outputs, targets)}`` over the epoch's kept outputs (empty without them)."""
        if not fns or not self.outputs:
            return {}
        p, t = np.concatenate(self.outputs), np.concatenate(self.targets)
        return {name: float(fn(p, t)) for name, fn in fns}

    def add(self, loss: float, step: Step) -> None:
        """Count one finished batch."""
        self.loss_sum += loss * step.size
        self.count += step.size
        self.batches += 1
        if self.keep_outputs and step.loss is not None:
            self.outputs.append(to_numpy(step.output))
            self.targets.append(to_numpy(step.target))

    def state_dict(self) -> dict[str, Any]:
        """The sums as plain data, for a checkpoint taken in the middle of an epoch."""
        return {"loss_sum": self.loss_sum, "count": self.count, "batches": self.batches,
                "grad": self.grad_sum, "preds": np.concatenate(self.outputs) if self.outputs else None,
                "targets": np.concatenate(self.targets) if self.targets else None}

    def load_state_dict(self, s: dict[str, Any]) -> None:
        self.loss_sum, self.count, self.batches = s["loss_sum"], s["count"], s["batches"]
        if self.grad_sum is not None:
            for g, saved in zip(self.grad_sum, s["grad"]):
                g[...] = saved
        self.outputs = [s["preds"]] if s.get("preds") is not None else []
        self.targets = [s["targets"]] if s.get("targets") is not None else []


def forward_loss(model: Any, batch: Any, loss_fn: Callable[[Any, Any], Tensor]) -> Step:
    """The default forward pass: a batch ``(inputs..., target)`` gives ``loss_fn(model(*inputs),
    target)``, weighted by the number of targets."""
    xs, y = split_batch(batch)
    out = model(*xs)
    return Step(loss_fn(out, y), len(to_numpy(y)), out, y)


def _update(optimizer: Any, params: list[Tensor], loss: Tensor, size: int, stats: EpochStats,
            scratch: list[np.ndarray], clip_grad_norm: float | None) -> None:
    """Backward and one optimiser step; the unclipped gradient, times ``size``, into the sums."""
    optimizer.zero_grad()
    loss.backward()
    if stats.grad_sum is not None:
        for p, g, tmp in zip(params, stats.grad_sum, scratch):
            if p.grad is not None:
                g += np.multiply(to_numpy(p.grad), size, out=tmp)
    if clip_grad_norm is not None:
        clip_grad_norm_(params, clip_grad_norm)
    optimizer.step()


def run_epoch(model: Any, loader: Iterable[Any], loss_fn: Callable[[Any, Any], Tensor] | None, optimizer: Any,
              *, epoch: int = 1, stats: EpochStats | None = None, clip_grad_norm: float | None = None,
              track_grad: bool = True, keep_outputs: bool = False, check_finite: bool = True,
              callbacks: Sequence[Callback] = (),
              on_batch_end: Callable[[int, EpochStats], None] | None = None,
              should_stop: Callable[[], bool] | None = None,
              batch_loss: Callable[[Any, Any], Step] | None = None) -> EpochStats:
    """Train ``model`` for one pass over ``loader`` (any iterable of batches ``(inputs...,
    target)``, e.g. a DataLoader) by minimising ``loss_fn(model(*inputs), target)`` with
    ``optimizer``; return the epoch's ``EpochStats``.

    ``epoch`` (1-based) is only reported (errors); ``stats``: sums to continue (an interrupted
    epoch resumed: batches are numbered from ``stats.batches``); ``clip_grad_norm``: clip the
    global gradient norm before each step; ``track_grad``: sum the gradients (``grad_norm``);
    ``keep_outputs``: keep outputs and targets for ``stats.metrics``; ``check_finite``: a NaN or
    infinite loss raises ``TrainingDivergedError`` before its backward pass. After each batch:
    ``on_batch_end(batch, stats)`` (the caller's bookkeeping), every callback's
    ``on_batch_end(batch, {'batch', 'size', 'loss'})``, then ``should_stop()``: True raises
    ``KeyboardInterrupt``, so that the epoch stops between batches (how ``fit`` handles Ctrl-C);
    a hook may raise it too. ``stats`` then holds the batches done. ``batch_loss(model, batch) ->
    Step`` replaces the default forward pass (``loss_fn`` is then unused): sample weights, a
    penalty term, batches to skip.
    """
    params = optimizer_params(optimizer)
    if stats is None:
        stats = EpochStats(params, track_grad, keep_outputs)
    scratch = [np.empty_like(g) for g in stats.grad_sum] if stats.grad_sum is not None else []
    hooks = batch_end_hooks(callbacks)
    if hasattr(model, "train"):
        model.train()
    for b, batch in enumerate(loader, start=stats.batches):
        step = forward_loss(model, batch, loss_fn) if batch_loss is None else batch_loss(model, batch)
        lv = 0.0
        if step.loss is not None:
            lv = float(to_numpy(step.loss))
            if check_finite and not math.isfinite(lv):
                raise TrainingDivergedError(epoch, b, lv, optimizer.param_groups[0].get("lr"))
            _update(optimizer, params, step.loss, step.size, stats, scratch, clip_grad_norm)
        stats.add(lv, step)
        if on_batch_end is not None:
            on_batch_end(b, stats)
        for hook in hooks:
            hook(b, {"batch": b, "size": step.size, "loss": lv})
        if should_stop is not None and should_stop():
            raise KeyboardInterrupt
    return stats
