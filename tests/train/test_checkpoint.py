"""Checkpoints: save/load, and fit resumed after a stop or a Ctrl-C ends bit for bit as an
uninterrupted run."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import netgrad as ng
from netgrad import nn, optim
from netgrad.train import Callback, fit, load_checkpoint, save_checkpoint


class Noise(nn.Module):
    """Adds N(0, 0.1) noise in training mode: the forward pass draws from the default generator."""

    def forward(self, x):
        return x + 0.1 * ng.randn(*x.shape) if self.training else x


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X, y


def _setup(seed=0):
    ng.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 8), Noise(), nn.Tanh(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def _run(epochs, path=None, callbacks=(), seed=0, **kw):
    model, opt, sched = _setup(seed)
    X, y = _data()
    h = fit(model, nn.CrossEntropyLoss(), opt, (X[:70], y[:70]), val_data=(X[70:], y[70:]), epochs=epochs,
            batch_size=16, metrics=["accuracy"], scheduler=sched, checkpoint=path, generator=ng.Generator(5),
            callbacks=callbacks, verbose=0, **kw)
    return model, opt, h


def _weights(model):
    return [p.numpy().copy() for p in model.parameters()]


def _same_history(a, b):
    for k in a.history:
        if k != "seconds":
            assert a.history[k] == b.history[k], k


@pytest.fixture(scope="module")
def reference():
    model, opt, h = _run(5)
    return _weights(model), h


def test_save_and_load_checkpoint(tmp_path):
    model, opt, sched = _setup()
    X, y = _data()
    fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=2, scheduler=sched, verbose=0)
    g = ng.Generator(3)
    g.numpy.random(5)
    save_checkpoint(tmp_path / "c.ngz", model, opt, sched, epoch=2, generator=g, note="x", n=[1, 2])
    state_rng = ng.get_rng_state()
    model2, opt2, sched2 = _setup(seed=1)
    g2 = ng.Generator(0)
    ng.manual_seed(99)
    ck = load_checkpoint(tmp_path / "c.ngz", model2, opt2, sched2, generator=g2)
    assert ck["epoch"] == 2 and ck["extra"] == {"note": "x", "n": [1, 2]}
    for a, b in zip(_weights(model), _weights(model2)):
        np.testing.assert_array_equal(a, b)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"] and sched2.last_epoch == sched.last_epoch
    assert g2.get_state() == g.get_state() and ng.get_rng_state() == state_rng
    k = next(iter(opt.state))
    k2 = next(iter(opt2.state))
    np.testing.assert_array_equal(opt.state[k]["exp_avg"].numpy(), opt2.state[k2]["exp_avg"].numpy())
    ng.save({"w": 1}, tmp_path / "plain.ngz")
    with pytest.raises(ValueError, match="not a netgrad training checkpoint"):
        load_checkpoint(tmp_path / "plain.ngz", model2)


def test_resume_after_stop_is_bit_for_bit(tmp_path, reference):
    want, h_ref = reference
    path = tmp_path / "run.ngz"
    _, _, h1 = _run(2, path)
    assert h1.epochs == 2 and os.path.exists(path)
    model, _, h = _run(5, path, seed=123)  # a different initialisation: everything comes from the file
    for a, b in zip(_weights(model), want):
        np.testing.assert_array_equal(a, b)
    _same_history(h, h_ref)
    assert h.stop_reason == "max_epochs"
    model, _, h = _run(5, path, seed=7)  # finished: returns at once with the saved history
    for a, b in zip(_weights(model), want):
        np.testing.assert_array_equal(a, b)
    assert h.epochs == 5


def test_ctrl_c_mid_epoch_saves_and_resumes_bit_for_bit(tmp_path, reference):
    want, h_ref = reference
    path = tmp_path / "run.ngz"

    class Interrupt(Callback):
        def on_batch_end(self, batch, logs=None):
            if self.history.epochs == 2 and batch == 2:
                raise KeyboardInterrupt

    _, _, h = _run(5, path, callbacks=[Interrupt()])
    assert h.stop_reason == "interrupted" and h.epochs == 2
    model, _, h = _run(5, path, seed=42)
    for a, b in zip(_weights(model), want):
        np.testing.assert_array_equal(a, b)
    _same_history(h, h_ref)


def test_sigint_stops_after_the_batch(tmp_path, reference):
    want, _ = reference
    path = tmp_path / "run.ngz"

    class SendSigint(Callback):
        def on_batch_end(self, batch, logs=None):
            if self.history.epochs == 3 and batch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    _, _, h = _run(5, path, callbacks=[SendSigint()])
    assert h.stop_reason == "interrupted" and h.epochs == 3
    model, _, h = _run(5, path, seed=42)
    for a, b in zip(_weights(model), want):
        np.testing.assert_array_equal(a, b)
    assert h.epochs == 5


def test_interrupt_without_checkpoint_returns_history():
    class InterruptBatch(Callback):
        def on_batch_end(self, batch, logs=None):
            if self.history.epochs == 1:
                raise KeyboardInterrupt

    _, _, h = _run(5, callbacks=[InterruptBatch()])
    assert h.stop_reason == "interrupted" and h.epochs == 1


def test_interrupt_at_epoch_begin_and_in_validation(tmp_path, reference):
    want, h_ref = reference
    for where in ("epoch_begin", "validation"):
        path = tmp_path / f"{where}.ngz"

        class Interrupt(Callback):
            def on_epoch_begin(self, epoch, logs=None):
                if where == "epoch_begin" and epoch == 3:
                    raise KeyboardInterrupt

        X, y = _data()
        calls = []

        def val_loss(out, target):
            if not ng.is_grad_enabled():  # evaluate() runs without gradients
                calls.append(1)
            if where == "validation" and len(calls) == 2:  # the second epoch's validation
                raise KeyboardInterrupt
            return nn.functional.cross_entropy(out, target)

        model, opt, sched = _setup()
        h = fit(model, val_loss, opt, (X[:70], y[:70]), val_data=(X[70:], y[70:]), epochs=5, batch_size=16,
                metrics=["accuracy"], scheduler=sched, checkpoint=path, generator=ng.Generator(5),
                callbacks=[Interrupt()], verbose=0)
        assert h.stop_reason == "interrupted" and h.epochs == (2 if where == "epoch_begin" else 1)
        model, _, h = _run(5, path, seed=11)
        for a, b in zip(_weights(model), want):
            np.testing.assert_array_equal(a, b)
        _same_history(h, h_ref)
