"""run_epoch: one epoch of training, the loop shared by fit, the estimators and the CLI."""

from __future__ import annotations

import math

import numpy as np
import pytest

import netgrad as ng
from netgrad import nn, optim
from netgrad.data import DataLoader, TensorDataset
from netgrad.train import Callback, EpochStats, Step, TrainingDivergedError, fit, run_epoch


def _data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    return ng.tensor(X), ng.tensor(y)


def _model(seed=0):
    ng.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)).double()


def _weights(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_one_epoch_by_hand_equals_run_epoch():
    X, y = _data()
    model, twin = _model(), _model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    twin_opt = optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.MSELoss()
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, generator=ng.Generator(3))
    stats = run_epoch(model, loader, loss_fn, opt)

    order = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, generator=ng.Generator(3))
    loss_sum, count, grad_sum = 0.0, 0, [np.zeros(p.shape) for p in twin.parameters()]
    for xb, yb in order:  # the same batches, by hand
        loss = loss_fn(twin(xb), yb)
        twin_opt.zero_grad()
        loss.backward()
        for g, p in zip(grad_sum, twin.parameters()):
            g += p.grad.numpy() * len(yb)
        twin_opt.step()
        loss_sum += loss.item() * len(yb)
        count += len(yb)
    for a, b in zip(_weights(model), _weights(twin)):
        np.testing.assert_array_equal(a, b)
    assert (stats.batches, stats.count) == (4, 30)
    assert stats.loss == loss_sum / count
    want = math.sqrt(sum(float((g * g).sum()) for g in grad_sum)) / count
    assert stats.grad_norm == pytest.approx(want, rel=1e-12)


def test_grad_norm_is_the_full_gradient_for_batch_gd_and_the_stop_rule_fires():
    X, y = _data()
    ng.manual_seed(1)
    model = nn.Linear(3, 1).double()
    w, b = model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()
    opt = optim.SGD(model.parameters(), lr=0.2)
    loader = DataLoader(TensorDataset(X, y), batch_size=30)  # batch gradient descent
    stats = run_epoch(model, loader, nn.MSELoss(), opt)
    r = X.numpy() @ w.T + b - y.numpy()  # dJ/dW and dJ/db of the mean squared error, before the step
    full = np.concatenate([(2 * r * X.numpy()).mean(0), (2 * r).mean(0)])
    assert stats.grad_norm == pytest.approx(float(np.linalg.norm(full)), rel=1e-10)
    norms = [stats.grad_norm]
    for _ in range(2000):
        stats = run_epoch(model, loader, nn.MSELoss(), opt)
        norms.append(stats.grad_norm)
        if stats.grad_norm < 1e-6:  # the notes' termination rule
            break
    assert norms[-1] < 1e-6 <= min(norms[:-1]) and len(norms) < 2000
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5]], atol=1e-5)


def test_divergence_raises_before_the_update_unless_checks_are_off():
    X, y = _data()
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(X, y), batch_size=10)
    calls = []

    def loss_fn(out, target):  # finite for the first batch only
        calls.append(1)
        return nn.functional.mse_loss(out, target) * (1.0 if len(calls) == 1 else math.inf)

    after_first = []
    with pytest.raises(TrainingDivergedError, match=r"epoch 7, batch 1") as e:
        run_epoch(model, loader, loss_fn, opt, epoch=7,
                  on_batch_end=lambda b, s: after_first.append(_weights(model)))
    assert (e.value.epoch, e.value.batch, e.value.loss) == (7, 1, math.inf)
    for a, b in zip(_weights(model), after_first[0]):  # the bad batch made no step
        np.testing.assert_array_equal(a, b)

    calls.clear()
    with np.errstate(invalid="ignore", over="ignore"):  # the estimators' choice: no check, train on
        stats = run_epoch(model, loader, loss_fn, opt, check_finite=False, track_grad=False)
    assert stats.batches == 3 and not math.isfinite(stats.loss) and stats.grad_sum is None


def test_hooks_order_and_should_stop_ends_the_epoch_between_batches():
    X, y = _data()
    model = _model()
    events = []

    class Recorder(Callback):
        def on_batch_end(self, batch, logs=None):
            events.append(("callback", batch, logs["size"]))

    stats = None
    with pytest.raises(KeyboardInterrupt):
        stats = EpochStats(list(model.parameters()))
        run_epoch(model, DataLoader(TensorDataset(X, y), batch_size=7), nn.MSELoss(),
                  optim.SGD(model.parameters(), lr=0.1), stats=stats, callbacks=[Recorder()],
                  on_batch_end=lambda b, s: events.append(("hook", b, s.batches)),
                  should_stop=lambda: len(events) >= 4)
    assert events == [("hook", 0, 1), ("callback", 0, 7), ("hook", 1, 2), ("callback", 1, 7)]
    assert (stats.batches, stats.count) == (2, 14)


def test_an_interrupted_epoch_resumes_bit_for_bit():
    X, y = _data()
    loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=ng.Generator(9))
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    before = loader.generator.get_state()
    stats = EpochStats(list(model.parameters()))
    with pytest.raises(KeyboardInterrupt):
        run_epoch(model, loader, nn.MSELoss(), opt, stats=stats, should_stop=lambda: stats.batches == 3)
    loader.generator.set_state(before)  # the same epoch's order, from its fourth batch
    run_epoch(model, loader.iter_epoch(start=stats.batches), nn.MSELoss(), opt, stats=stats)
    ref = _model()
    ref_opt = optim.Adam(ref.parameters(), lr=0.01)
    loader.generator.manual_seed(9)
    want_stats = run_epoch(ref, loader, nn.MSELoss(), ref_opt)
    for a, b in zip(_weights(model), _weights(ref)):
        np.testing.assert_array_equal(a, b)
    assert (stats.batches, stats.count, stats.loss) == (want_stats.batches, want_stats.count, want_stats.loss)


def test_batch_loss_weights_penalises_and_skips():
    X, y = _data(12)
    w = np.array([0.0] * 4 + [1.0] * 8)  # the first batch has zero total weight
    model = _model()
    first = _weights(model)
    seen = []

    def batch_loss(model, batch):
        xb, yb, wb = batch
        if wb.sum() == 0:
            return Step(None, len(xb))
        per_row = ((model(xb) - yb) ** 2).mean(1)
        return Step((per_row * ng.tensor(wb)).sum() / wb.sum(), len(xb))

    batches = [(X[i:i + 4], y[i:i + 4], w[i:i + 4]) for i in range(0, 12, 4)]
    stats = run_epoch(model, batches, None, optim.SGD(model.parameters(), lr=0.0), batch_loss=batch_loss,
                      on_batch_end=lambda b, s: seen.append((s.count, s.loss_sum)))
    assert stats.count == 12 and seen[0] == (4, 0.0)  # counted, with zero loss and no step
    for a, b in zip(_weights(model), first):
        np.testing.assert_array_equal(a, b)


def test_clipping_acts_on_the_step_not_on_the_recorded_norm():
    X, y = _data()
    loader = DataLoader(TensorDataset(X, y * 100), batch_size=30)
    a, b = _model(), _model()
    sa = run_epoch(a, loader, nn.MSELoss(), optim.SGD(a.parameters(), lr=0.01), clip_grad_norm=0.5)
    sb = run_epoch(b, loader, nn.MSELoss(), optim.SGD(b.parameters(), lr=0.01))
    assert sa.grad_norm == sb.grad_norm > 0.5
    moved = [np.linalg.norm(p - q) for p, q in zip(_weights(a), _weights(_model()))]
    assert math.sqrt(sum(m * m for m in moved)) == pytest.approx(0.01 * 0.5, rel=1e-6)


def test_fit_reports_what_run_epoch_computes():
    X, y = _data()
    model = _model()
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05), (X, y), epochs=2, batch_size=30,
            verbose=0)
    twin = _model()
    opt = optim.SGD(twin.parameters(), lr=0.05)
    loader = DataLoader(TensorDataset(X, y), batch_size=30)
    stats = [run_epoch(twin, loader, nn.MSELoss(), opt, epoch=e) for e in (1, 2)]
    assert h.history["loss"] == [s.loss for s in stats]
    assert h.history["grad_norm"] == [s.grad_norm for s in stats]
