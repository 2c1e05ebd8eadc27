"""``fit``: the training loop, with the notes' three gradient-descent modes and stopping rules.

The batch size picks the mode: None (or >= N) is batch gradient descent (one update per epoch
from the gradient of the whole training set), 1 is one-example SGD, n is mini-batch SGD.

Stopping rules (combinable; the first that fires ends training, ``History.stop_reason`` says
which): ``epochs``; ``grad_tol``: the gradient norm below it (the notes' termination rule, see
below); ``target_loss``: the epoch's training loss below it; ``patience``: no improvement of the
validation loss (the training loss without validation data) for that many epochs, the best
weights restored when ``restore_best``; ``time_limit`` seconds; a callback setting
``stop_training``. Rules are checked at the end of each epoch.

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

import math
import os
import signal
import threading
import time
from typing import Any, Callable, Sequence

import numpy as np

from ..autograd import Tensor
from ..autograd.random import Generator, current_generator, use_generator
from ..nn.pairing import refuse_double_application
from ..nn.utils.clip_grad import clip_grad_norm_
from ..optim.lr_scheduler import ReduceLROnPlateau
from .callbacks import Callback, CallbackList
from .checkpoint import load_checkpoint, save_checkpoint
from ._distributed import ranks
from .history import History
from .loop import _arr, evaluate, make_loader, param_dtype, split_batch
from .metrics import get_metric, metric_name
from ._progress import Reporter, format_logs

__all__ = ["fit", "TrainingDivergedError"]

_FINAL = ("grad_tol", "target_loss", "patience", "callback")


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite; ``epoch`` (1-based) and ``batch`` (0-based) say where."""

    def __init__(self, epoch: int, batch: int, loss: float, lr: Any):
        self.epoch, self.batch, self.loss = epoch, batch, loss
        super().__init__(
            f"fit: the training loss became {loss} at epoch {epoch}, batch {batch} (learning rate {lr}). "
            "Training diverged: try a smaller learning rate, gradient clipping (clip_grad_norm=...), "
            "or standardising the inputs (netgrad.data.StandardScaler).")


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


def _params(optimizer: Any) -> list[Tensor]:
    return [p for g in optimizer.param_groups for p in g["params"]]


def _snapshot(model: Any) -> dict[str, np.ndarray]:
    return {k: _arr(v).copy() for k, v in model.state_dict().items()}


class _Epoch:
    """Running sums over one epoch: loss, example count, the summed gradient, predictions."""

    def __init__(self, params: list[Tensor], keep_preds: bool):
        self.loss_sum, self.count, self.batches = 0.0, 0, 0
        self.grad = [np.zeros_like(p._data) for p in params]
        self.keep_preds = keep_preds
        self.preds: list[np.ndarray] = []
        self.targets: list[np.ndarray] = []

    def state(self) -> dict[str, Any]:
        return {"loss_sum": self.loss_sum, "count": self.count, "batches": self.batches, "grad": self.grad,
                "preds": np.concatenate(self.preds) if self.preds else None,
                "targets": np.concatenate(self.targets) if self.targets else None}

    def load(self, s: dict[str, Any]) -> None:
        self.loss_sum, self.count, self.batches = s["loss_sum"], s["count"], s["batches"]
        for g, saved in zip(self.grad, s["grad"]):
            g[...] = saved
        self.preds = [s["preds"]] if s.get("preds") is not None else []
        self.targets = [s["targets"]] if s.get("targets") is not None else []

    def metrics(self, fns: list[tuple[str, Callable]]) -> dict[str, float]:
        if not fns or not self.preds:
            return {}
        p, t = np.concatenate(self.preds), np.concatenate(self.targets)
        return {name: float(fn(p, t)) for name, fn in fns}


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
    if seed is not None:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"fit: seed must be a non-negative integer, got {seed!r}")
        args = dict(locals())  # the keyword arguments (a comprehension would see its own locals)
        for k in ("model", "loss_fn", "optimizer", "train_data"):
            del args[k]
        args["seed"] = None
        with use_generator(Generator(int(seed))):
            return fit(model, loss_fn, optimizer, train_data, **args)
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    if patience is not None and patience < 1:
        raise ValueError(f"fit: patience must be a positive integer, got {patience}")
    refuse_double_application(model, loss_fn, "fit")  # e.g. a Softmax last layer with CrossEntropyLoss
    dtype = param_dtype(model)
    dd = ranks()  # netgrad.distributed's ranks (see _distributed.py); one process otherwise
    loader = (dd.loader(train_data, batch_size, shuffle, generator, dtype)
              or make_loader(train_data, batch_size, shuffle=shuffle, generator=generator, dtype=dtype))
    verbose = verbose if dd.main else 0
    val_loader = None
    if val_data is not None:
        val_loader = make_loader(val_data, 256, dtype=dtype, name="fit (val_data)")
    params = _params(optimizer)
    scratch = [np.empty_like(p._data) for p in params]  # for n * grad, so that a step allocates nothing
    fns = [(metric_name(m), get_metric(m)) for m in metrics]
    history = History()
    history.params = {"epochs": int(epochs), "batch_size": loader.batch_size, "n_train": len(loader.dataset),
                      "batches_per_epoch": len(loader)}
    cbs = CallbackList(callbacks, model=model, optimizer=optimizer, history=history)
    rng = current_generator()  # dropout and other random ops of the model draw from it
    shuffle_gen = loader.generator if loader.generator is not None else rng
    own_gen = loader.generator  # saved separately when it is not the default generator

    best, best_epoch, best_state, bad = math.inf, None, None, 0
    start, partial = 1, None
    if checkpoint is not None and dd.exists(checkpoint):
        ck = load_checkpoint(checkpoint, model, optimizer, scheduler, generator=own_gen)
        st = ck["extra"]["fit"]
        dd.check_resume(checkpoint, st)
        history = History.from_dict(st["history"])
        history.params.update({"epochs": int(epochs)})
        for cb in cbs.callbacks:
            cb.history = history
        best, best_epoch, bad = st["best"], st["best_epoch"], st["bad_epochs"]
        best_state = st["best_state"]
        partial = st["partial"]
        start = int(ck["epoch"]) + 1
        if history.stop_reason in _FINAL or (start > epochs and partial is None):
            if history.stop_reason not in _FINAL:
                history.stop_reason = "max_epochs"
            return history

    def save(epoch_done: int, partial_state: Any = None, rng_state: Any = None) -> None:
        if checkpoint is None or not dd.main:
            return
        save_checkpoint(checkpoint, model, optimizer, scheduler, epoch=epoch_done, generator=own_gen,
                        rng_state=rng_state,
                        fit={"history": history.to_dict(), "best": best, "best_epoch": best_epoch,
                             "bad_epochs": bad, "best_state": best_state, "partial": partial_state,
                             "world_size": dd.size})

    reporter = Reporter(verbose, int(epochs), len(loader))
    t_start = time.monotonic()
    history.stop_reason = None
    if hasattr(model, "train"):
        model.train()
    cbs.call("on_train_begin", {"epochs": epochs, "start_epoch": start})
    reporter.train_begin(start)
    stop: str | None = None
    try:
        # A blow-up is reported by the divergence check below, by epoch and batch, with advice;
        # NumPy's overflow warnings on the way there would only be noise.
        with _SigintFlag() as sigint, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(start, int(epochs) + 1):
                t0 = time.monotonic()
                acc = _Epoch(params, bool(fns))
                if partial is not None:  # resume an interrupted epoch: same order, skip the done batches
                    shuffle_gen.set_state(partial["shuffle_rng"])
                    epoch_rng = partial["shuffle_rng"]
                    order = loader._order()
                    rng.set_state(partial["rng"])
                    acc.load(partial)
                    partial = None
                else:
                    epoch_rng = shuffle_gen.get_state()
                    dd.set_epoch(loader, epoch)
                    order = loader._order()
                rng_after = rng.get_state() if checkpoint is not None else None
                val: dict[str, float] = {}
                try:
                    cbs.call("on_epoch_begin", epoch, {})
                    reporter.epoch_begin(epoch, acc.batches)
                    if hasattr(model, "train"):
                        model.train()
                    for b, batch in enumerate(loader._batches(order, acc.batches), start=acc.batches):
                        xs, y = split_batch(batch)
                        out = model(*xs)
                        loss = loss_fn(out, y)
                        lv = float(_arr(loss))
                        if not math.isfinite(lv):
                            raise TrainingDivergedError(epoch, b, lv, optimizer.param_groups[0].get("lr"))
                        optimizer.zero_grad()
                        loss.backward()
                        n = len(_arr(y))
                        for p, g, tmp in zip(params, acc.grad, scratch):
                            if p.grad is not None:
                                g += np.multiply(p.grad._data, n, out=tmp)
                        if clip_grad_norm is not None:
                            clip_grad_norm_(params, clip_grad_norm)
                        optimizer.step()
                        acc.loss_sum += lv * n
                        acc.count += n
                        acc.batches = b + 1
                        if acc.keep_preds:
                            acc.preds.append(_arr(out))
                            acc.targets.append(_arr(y))
                        if checkpoint is not None:
                            rng_after = rng.get_state()
                        if cbs.has_batch_hooks:
                            cbs.call("on_batch_end", b, {"batch": b, "size": n, "loss": lv})
                        live = None
                        if reporter.wants_live():
                            live = {"loss": acc.loss_sum / acc.count, **acc.metrics(fns)}
                        reporter.batch_end(live)
                        if dd.any(sigint.hit):
                            raise KeyboardInterrupt
                    dd.reduce_epoch(acc)
                    if acc.count == 0:
                        raise ValueError("fit: an epoch had no batches (drop_last with fewer examples than "
                                         "batch_size?)")
                    if val_loader is not None:
                        val = evaluate(model, loss_fn, val_loader, metrics=list(metrics))
                except KeyboardInterrupt:
                    # Nothing of this epoch's bookkeeping has happened yet: save the epoch as partial
                    # (the batches done so far), to be finished on resume.
                    if checkpoint is not None and not dd.active:  # ranks' partial epochs differ
                        st = acc.state()
                        st.update(shuffle_rng=epoch_rng, rng=rng_after)
                        save(epoch - 1, st, rng_after)
                    stop = "interrupted"
                    break

                # ---------------------------------------------------------------- end of the epoch
                logs: dict[str, Any] = {"loss": acc.loss_sum / acc.count}
                logs.update(acc.metrics(fns))
                sq = sum(float(np.vdot(g.ravel(), g.ravel())) for g in acc.grad)
                logs["grad_norm"] = math.sqrt(sq) / acc.count
                logs["lr"] = optimizer.param_groups[0]["lr"]
                logs.update({f"val_{k}": v for k, v in val.items()})
                logs["seconds"] = time.monotonic() - t0
                history.append(logs)
                monitored = logs.get("val_loss", logs["loss"])
                if monitored < best:
                    best, best_epoch, bad = monitored, epoch, 0
                    if patience is not None and restore_best:
                        best_state = _snapshot(model)
                else:
                    bad += 1
                history.best_epoch = best_epoch
                if scheduler is not None:
                    if isinstance(scheduler, ReduceLROnPlateau):
                        scheduler.step(monitored)
                    else:
                        scheduler.step()
                cbs.call("on_epoch_end", epoch, logs)
                reporter.epoch_end(epoch, logs)
                if target_loss is not None and logs["loss"] < target_loss:
                    stop = "target_loss"
                elif grad_tol is not None and logs["grad_norm"] < grad_tol:
                    stop = "grad_tol"
                elif patience is not None and bad >= patience:
                    stop = "patience"
                elif time_limit is not None and time.monotonic() - t_start >= time_limit:
                    stop = "time_limit"
                elif cbs.stop_training:
                    stop = "callback"
                elif sigint.hit:
                    stop = "interrupted"
                elif epoch == epochs:
                    stop = "max_epochs"
                stop = dd.agree(stop)  # rank 0's clock and callbacks decide for every rank
                if stop == "patience" and restore_best and best_state is not None:
                    model.load_state_dict({k: Tensor._make(v) for k, v in best_state.items()})
                history.stop_reason = stop
                save(epoch)
                if stop is not None:
                    break
    finally:
        if reporter.bar is not None:  # an exception (e.g. divergence) must not leave a bar open
            reporter.bar.close()
            reporter.bar = None
    history.stop_reason = stop or "max_epochs"
    message = None
    if stop not in (None, "max_epochs"):
        message = f"Stopped after {history.epochs} epochs: {stop}" + (
            f" ({format_logs({'loss': history.last('loss'), 'grad_norm': history.last('grad_norm')})})"
            if history.epochs else "")
    reporter.close(message if verbose else None)
    cbs.call("on_train_end", {"history": history})
    return history
