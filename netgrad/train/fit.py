"""``fit``: the training loop, with the notes' three gradient-descent modes and stopping rules.

The batch size picks the mode: None (or >= N) is batch gradient descent (one update per epoch
from the gradient of the whole training set), 1 is one-example SGD, n is mini-batch SGD.

Stopping rules (combinable; the first that fires ends training, ``History.stop_reason`` says
which): ``epochs``; ``grad_tol``: the gradient norm below it (the notes' termination rule, see
below); ``target_loss``: the epoch's training loss below it; ``patience``: no improvement of the
validation loss (the training loss without validation data) for that many epochs, the best
weights restored when ``restore_best``; ``time_limit`` seconds; a callback setting
``stop_training``. Rules are checked at the end of each epoch.

How it reads: ``fit`` checks its arguments and hands over to ``_Fit``, whose ``run`` is the loop:
``resume`` (from a checkpoint), then per epoch ``train_epoch`` (``run_epoch`` from epoch.py over
the loader's ``iter_epoch()``, then validation) and ``end_epoch`` (History, best weights,
scheduler, callbacks, ``stop_reason``, checkpoint), and ``finish``.

Gradient norm (``History['grad_norm']``): the global L2 norm, over all parameters, of the epoch's
mean gradient: the example-weighted mean of the batch gradients (before any clipping). For batch
gradient descent this is exactly the full gradient ||dJ/dw|| at the epoch's weights; for SGD it
averages out the batch-to-batch noise, so it goes to zero as training converges.

>>> import netgrad as ng
>>> from netgrad import nn, optim
>>> from netgrad.train import fit
>>> _ = ng.manual_seed(0)
>>> X = ng.linspace(-1, 1, 20).reshape(20, 1); y = 3 * X + 1
>>> model = nn.Linear(1, 1)
>>> h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.5), (X, y), epochs=500,
...         batch_size=None, grad_tol=1e-4, verbose=0)
>>> h.stop_reason, round(model.weight.item(), 3), round(model.bias.item(), 3)
('grad_tol', 3.0, 1.0)
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..autograd import Tensor
from ..autograd.creation import from_numpy
from ..autograd.random import Generator, current_generator, use_generator
from ..nn.pairing import refuse_double_application
from ..optim.lr_scheduler import ReduceLROnPlateau
from ._distributed import ranks
from ._progress import Reporter, format_logs
from .callbacks import Callback, CallbackList
from .checkpoint import load_checkpoint, save_checkpoint
from .epoch import EpochStats, TrainingDivergedError, optimizer_params, run_epoch
from .history import History
from .loop import evaluate, make_loader, param_dtype, to_numpy
from .metrics import get_metric, metric_name

__all__ = ["fit", "TrainingDivergedError"]

_FINAL = ("grad_tol", "target_loss", "patience", "callback")


def fit(model: Any, loss_fn: Callable[[Any, Any], Tensor], optimizer: Any, train_data: Any, *, epochs: int,
        batch_size: int | None = 32, val_data: Any = None, metrics: Sequence[Any] = (),
        callbacks: Sequence[Callback] = (), verbose: int = 1, grad_tol: float | None = None,
        target_loss: float | None = None, patience: int | None = None, restore_best: bool = True,
        time_limit: float | None = None, shuffle: bool = True, scheduler: Any = None,
        checkpoint: str | os.PathLike | None = None, generator: Any = None,
        clip_grad_norm: float | None = None, seed: int | None = None) -> History:
    """Train ``model`` by minimising ``loss_fn(model(x), y)`` with ``optimizer``; return a History.

    ``train_data`` / ``val_data``: a Dataset, a DataLoader (its own batch size and shuffling are
    used) or a tuple ``(X, y)``. ``metrics``: names (``'accuracy'``, ``'mae'``, ...) or callables
    ``(y_pred, y_true) -> float``, computed on the epoch's predictions. ``scheduler`` is stepped
    once per epoch (``ReduceLROnPlateau`` with the validation loss, else the training loss).
    ``checkpoint``: a path; the state is saved at each epoch end and training resumes from it when
    it exists (bit for bit as if never stopped). Ctrl-C stops cleanly after the current batch
    (saving a checkpoint when a path is given) with ``stop_reason == 'interrupted'``. A NaN or
    infinite loss raises ``TrainingDivergedError``. A loss that would apply the model's last Softmax or
    Sigmoid again (``CrossEntropyLoss``, ``BCEWithLogitsLoss``; ``NLLLoss`` on probabilities) raises
    a ValueError saying why. ``generator`` shuffles the batches (netgrad's
    default generator when None); ``clip_grad_norm`` clips the global gradient norm each step.
    ``seed``: this fit owns a ``Generator(seed)``: the model's random ops (dropout) and, without
    ``generator``, the shuffling draw from it, in this thread only; netgrad's default generator is
    neither read nor changed, so fits running in threads do not disturb each other. Without
    ``seed``, they draw from netgrad's current generator (``ng.manual_seed`` seeds it).
    """
    _check_arguments(epochs, patience, seed)
    refuse_double_application(model, loss_fn, "fit")  # e.g. a Softmax last layer with CrossEntropyLoss
    options = _Options(epochs=int(epochs), batch_size=batch_size, val_data=val_data, metrics=metrics,
                       callbacks=callbacks, verbose=verbose, grad_tol=grad_tol, target_loss=target_loss,
                       patience=patience, restore_best=restore_best, time_limit=time_limit, shuffle=shuffle,
                       scheduler=scheduler, checkpoint=checkpoint, generator=generator,
                       clip_grad_norm=clip_grad_norm)
    own = use_generator(Generator(int(seed))) if seed is not None else contextlib.nullcontext()
    with own:
        return _Fit(model, loss_fn, optimizer, train_data, options).run()


def _check_arguments(epochs: Any, patience: Any, seed: Any) -> None:
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0):
        raise ValueError(f"fit: seed must be a non-negative integer, got {seed!r}")
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    if patience is not None and patience < 1:
        raise ValueError(f"fit: patience must be a positive integer, got {patience}")


@dataclass
class _Options:
    """``fit``'s keyword arguments (see its docstring)."""

    epochs: int
    batch_size: int | None
    val_data: Any
    metrics: Sequence[Any]
    callbacks: Sequence[Callback]
    verbose: int
    grad_tol: float | None
    target_loss: float | None
    patience: int | None
    restore_best: bool
    time_limit: float | None
    shuffle: bool
    scheduler: Any
    checkpoint: str | os.PathLike | None
    generator: Any
    clip_grad_norm: float | None


class _SigintFlag:
    """During fit, a first Ctrl-C only sets a flag, checked between batches, so that training stops
    in a consistent state (and can checkpoint); a second Ctrl-C interrupts at once."""

    def __init__(self) -> None:
        self.hit = False
        self._old: Any = None

    def __enter__(self) -> _SigintFlag:
        if threading.current_thread() is threading.main_thread():
            try:
                self._old = signal.signal(signal.SIGINT, self._handler)
            except (ValueError, OSError):
                self._old = None
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        if self.hit:
            raise KeyboardInterrupt
        self.hit = True

    def __exit__(self, *exc: Any) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


@dataclass
class _Best:
    """The best monitored loss so far (``val_loss``, else ``loss``): its value and epoch, the
    weights then (kept for ``patience`` with ``restore_best``), and the epochs since."""

    loss: float = math.inf
    epoch: int | None = None
    state: dict[str, np.ndarray] | None = None
    bad_epochs: int = 0


class _Fit:
    """One call of ``fit``. ``run`` reads as the loop: resume from a checkpoint, then for each
    epoch ``train_epoch`` (``run_epoch`` over the epoch's batches, then validation) and
    ``end_epoch`` (History, best weights, scheduler, callbacks, stopping rules, checkpoint)."""

    def __init__(self, model: Any, loss_fn: Callable, optimizer: Any, train_data: Any, o: _Options):
        self.model, self.loss_fn, self.optimizer, self.o = model, loss_fn, optimizer, o
        self.dd = ranks()  # netgrad.distributed's ranks (see _distributed.py); one process otherwise
        self.loader, self.val_loader = self.build_loaders(train_data)
        self.verbose = o.verbose if self.dd.main else 0
        self.params = optimizer_params(optimizer)
        self.fns = [(metric_name(m), get_metric(m)) for m in o.metrics]
        self.history = History()
        self.history.params = {"epochs": o.epochs, "batch_size": self.loader.batch_size,
                               "n_train": len(self.loader.dataset), "batches_per_epoch": len(self.loader)}
        self.cbs = CallbackList(o.callbacks, model=model, optimizer=optimizer, history=self.history)
        self.rng = current_generator()  # dropout and other random ops of the model draw from it
        self.own_gen = self.loader.generator  # saved separately when it is not the default generator
        self.shuffle_gen = self.own_gen if self.own_gen is not None else self.rng
        self.best = _Best()
        self.partial: dict[str, Any] | None = None  # an interrupted epoch's sums, to finish first
        self.rng_after: Any = None  # the model's generator after the last batch (for a partial save)
        self.sigint = _SigintFlag()
        self.reporter: Reporter | None = None

    # ---------------------------------------------------------------------------- the loop
    def run(self) -> History:
        start = self.resume()
        if start is None:  # the checkpoint's run had already finished
            return self.history
        self.begin(start)
        stop: str | None = None
        try:
            # A blow-up is reported by run_epoch's divergence check, by epoch and batch, with
            # advice; NumPy's overflow warnings on the way there would only be noise.
            with self.sigint, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for epoch in range(start, self.o.epochs + 1):
                    done = self.train_epoch(epoch)
                    if done is None:
                        stop = "interrupted"
                        break
                    stop = self.end_epoch(epoch, *done)
                    if stop is not None:
                        break
        finally:
            if self.reporter.bar is not None:  # an exception (e.g. divergence) must not leave a bar open
                self.reporter.bar.close()
                self.reporter.bar = None
        return self.finish(stop)

    def build_loaders(self, train_data: Any) -> tuple[Any, Any]:
        """The training loader (split between the ranks of a distributed job) and the validation one."""
        o, dtype = self.o, param_dtype(self.model)
        loader = (self.dd.loader(train_data, o.batch_size, o.shuffle, o.generator, dtype)
                  or make_loader(train_data, o.batch_size, shuffle=o.shuffle, generator=o.generator,
                                 dtype=dtype))
        val_loader = None
        if o.val_data is not None:
            val_loader = make_loader(o.val_data, 256, dtype=dtype, name="fit (val_data)")
        return loader, val_loader

    def begin(self, start: int) -> None:
        self.reporter = Reporter(self.verbose, self.o.epochs, len(self.loader))
        self.t_start = time.monotonic()
        self.history.stop_reason = None
        if hasattr(self.model, "train"):
            self.model.train()
        self.cbs.call("on_train_begin", {"epochs": self.o.epochs, "start_epoch": start})
        self.reporter.train_begin(start)

    # ------------------------------------------------------------------------- one epoch
    def train_epoch(self, epoch: int) -> tuple[EpochStats, dict[str, float], float] | None:
        """Run the epoch's batches and the validation: (sums, validation logs, start time), or None
        when Ctrl-C stopped it (the batches done are then saved as a partial epoch)."""
        t0 = time.monotonic()
        stats = EpochStats(self.params, keep_outputs=bool(self.fns))
        epoch_rng, batches = self.epoch_batches(epoch, stats)
        try:
            self.cbs.call("on_epoch_begin", epoch, {})
            self.reporter.epoch_begin(epoch, stats.batches)
            run_epoch(self.model, batches, self.loss_fn, self.optimizer, epoch=epoch, stats=stats,
                      clip_grad_norm=self.o.clip_grad_norm, callbacks=self.cbs, on_batch_end=self.after_batch,
                      should_stop=lambda: self.dd.any(self.sigint.hit))
            self.dd.reduce_epoch(stats)
            if stats.count == 0:
                raise ValueError("fit: an epoch had no batches (drop_last with fewer examples than "
                                 "batch_size?)")
            val = {}
            if self.val_loader is not None:
                val = evaluate(self.model, self.loss_fn, self.val_loader, metrics=list(self.o.metrics))
        except KeyboardInterrupt:
            self.save_partial(epoch, stats, epoch_rng)
            return None
        return stats, val, t0

    def epoch_batches(self, epoch: int, stats: EpochStats) -> tuple[Any, Iterator[Any]]:
        """The shuffling generator's state before the epoch, and the epoch's batches: all of them,
        or those an interrupted run had not done (same order; its sums loaded into ``stats``)."""
        self.dd.set_epoch(self.loader, epoch)
        if self.partial is None:
            epoch_rng = self.shuffle_gen.get_state()
            batches = self.loader.iter_epoch()
        else:
            partial, self.partial = self.partial, None
            epoch_rng = partial["shuffle_rng"]
            self.shuffle_gen.set_state(epoch_rng)
            batches = self.loader.iter_epoch(start=partial["batches"])
            self.rng.set_state(partial["rng"])
            stats.load_state_dict(partial)
        self.rng_after = self.rng.get_state() if self.o.checkpoint is not None else None
        return epoch_rng, batches

    def after_batch(self, batch: int, stats: EpochStats) -> None:
        """run_epoch's hook: the generator state for a partial save, live progress."""
        if self.o.checkpoint is not None:
            self.rng_after = self.rng.get_state()
        live = None
        if self.reporter.wants_live():
            live = {"loss": stats.loss, **stats.metrics(self.fns)}
        self.reporter.batch_end(live)

    def end_epoch(self, epoch: int, stats: EpochStats, val: dict[str, float], t0: float) -> str | None:
        """Record the epoch, apply the rules; the reason to stop, or None to go on."""
        logs: dict[str, Any] = {"loss": stats.loss, **stats.metrics(self.fns), "grad_norm": stats.grad_norm,
                                "lr": self.optimizer.param_groups[0]["lr"]}
        logs.update({f"val_{k}": v for k, v in val.items()})
        logs["seconds"] = time.monotonic() - t0
        self.history.append(logs)
        monitored = logs.get("val_loss", logs["loss"])
        self.track_best(epoch, monitored)
        self.step_scheduler(monitored)
        self.cbs.call("on_epoch_end", epoch, logs)
        self.reporter.epoch_end(epoch, logs)
        stop = self.dd.agree(self.stop_reason(epoch, logs))  # rank 0's clock and callbacks decide
        if stop == "patience" and self.o.restore_best and self.best.state is not None:
            self.model.load_state_dict({k: from_numpy(v) for k, v in self.best.state.items()})
        self.history.stop_reason = stop
        self.save(epoch)
        return stop

    def track_best(self, epoch: int, monitored: float) -> None:
        best = self.best
        if monitored < best.loss:
            best.loss, best.epoch, best.bad_epochs = monitored, epoch, 0
            if self.o.patience is not None and self.o.restore_best:
                best.state = {k: to_numpy(v).copy() for k, v in self.model.state_dict().items()}
        else:
            best.bad_epochs += 1
        self.history.best_epoch = best.epoch

    def step_scheduler(self, monitored: float) -> None:
        scheduler = self.o.scheduler
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(monitored)
        elif scheduler is not None:
            scheduler.step()

    def stop_reason(self, epoch: int, logs: dict[str, Any]) -> str | None:
        """The first stopping rule that fires at this epoch's end, or None."""
        o = self.o
        if o.target_loss is not None and logs["loss"] < o.target_loss:
            return "target_loss"
        if o.grad_tol is not None and logs["grad_norm"] < o.grad_tol:
            return "grad_tol"
        if o.patience is not None and self.best.bad_epochs >= o.patience:
            return "patience"
        if o.time_limit is not None and time.monotonic() - self.t_start >= o.time_limit:
            return "time_limit"
        if self.cbs.stop_training:
            return "callback"
        if self.sigint.hit:
            return "interrupted"
        return "max_epochs" if epoch == o.epochs else None

    # ------------------------------------------------------------------------ checkpoints
    def resume(self) -> int | None:
        """The first epoch to run: 1, or the one after the checkpoint's (its state loaded); None
        when the checkpoint's run had finished."""
        path = self.o.checkpoint
        if path is None or not self.dd.exists(path):
            return 1
        ck = load_checkpoint(path, self.model, self.optimizer, self.o.scheduler, generator=self.own_gen)
        st = ck["extra"]["fit"]
        self.dd.check_resume(path, st)
        self.history = History.from_dict(st["history"])
        self.history.params.update({"epochs": self.o.epochs})
        for cb in self.cbs.callbacks:
            cb.history = self.history
        self.best = _Best(st["best"], st["best_epoch"], st["best_state"], st["bad_epochs"])
        self.partial = st["partial"]
        start = int(ck["epoch"]) + 1
        if self.history.stop_reason in _FINAL or (start > self.o.epochs and self.partial is None):
            if self.history.stop_reason not in _FINAL:
                self.history.stop_reason = "max_epochs"
            return None
        return start

    def save(self, epoch_done: int, partial_state: Any = None, rng_state: Any = None) -> None:
        if self.o.checkpoint is None or not self.dd.main:
            return
        b = self.best
        save_checkpoint(self.o.checkpoint, self.model, self.optimizer, self.o.scheduler, epoch=epoch_done,
                        generator=self.own_gen, rng_state=rng_state,
                        fit={"history": self.history.to_dict(), "best": b.loss, "best_epoch": b.epoch,
                             "bad_epochs": b.bad_epochs, "best_state": b.state, "partial": partial_state,
                             "world_size": self.dd.size})

    def save_partial(self, epoch: int, stats: EpochStats, epoch_rng: Any) -> None:
        """Ctrl-C in an epoch: nothing of its bookkeeping has happened yet; save the batches done
        so far, to be finished on resume (one process only: ranks' partial epochs differ)."""
        if self.o.checkpoint is not None and not self.dd.active:
            st = stats.state_dict()
            st.update(shuffle_rng=epoch_rng, rng=self.rng_after)
            self.save(epoch - 1, st, self.rng_after)

    # -------------------------------------------------------------------------------- end
    def finish(self, stop: str | None) -> History:
        history = self.history
        history.stop_reason = stop or "max_epochs"
        message = None
        if stop not in (None, "max_epochs"):
            message = f"Stopped after {history.epochs} epochs: {stop}" + (
                f" ({format_logs({'loss': history.last('loss'), 'grad_norm': history.last('grad_norm')})})"
                if history.epochs else "")
        self.reporter.close(message if self.verbose else None)
        self.cbs.call("on_train_end", {"history": history})
        return history
