"""fit: the three gradient-descent modes, stopping rules, metrics, callbacks, progress output."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

import netgrad as ng
from netgrad import nn, optim
from netgrad.data import DataLoader, TensorDataset, make_xor
from netgrad.train import Callback, LambdaCallback, TrainingDivergedError, evaluate, fit, predict


def _line_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 1))
    return X, 3 * X + 1


def _xor_net(seed):
    ng.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())


def test_xor_learned_by_2_2_1_sigmoid_net_with_batch_gd():
    model = _xor_net(0)
    sizes = []
    counter = LambdaCallback(on_batch_end=lambda b, logs: sizes.append(logs["size"]))
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=2.0, momentum=0.9), make_xor(),
            epochs=5000, batch_size=None, target_loss=0.005, callbacks=[counter], verbose=0)
    assert h.stop_reason == "target_loss" and h.epochs < 5000
    assert set(sizes) == {4}  # batch GD: every update sees all four examples
    X, y = make_xor(return_X_y=True)
    out = predict(model, X)
    assert out.shape == (4, 1) and (np.round(out) == y).all()


@pytest.mark.parametrize("batch_size,updates", [(None, 1), (1000, 1), (1, 40), (16, 3)])
def test_gd_modes_by_batch_size(batch_size, updates):
    X, y = _line_data()
    ng.manual_seed(0)
    model = nn.Linear(1, 1)
    sizes = []
    cb = LambdaCallback(on_batch_end=lambda b, logs: sizes.append(logs["size"]))
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05), (X, y), epochs=2,
            batch_size=batch_size, callbacks=[cb], verbose=0)
    assert len(sizes) == 2 * updates and sum(sizes) == 80
    assert h.params["batches_per_epoch"] == updates and h.stop_reason == "max_epochs"


def test_grad_norm_is_the_full_gradient_for_batch_gd_and_grad_tol_stops():
    X, y = _line_data()
    ng.manual_seed(0)
    model = nn.Linear(1, 1).double()
    w0, b0 = model.weight.item(), model.bias.item()
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.3), (X, y), epochs=1000,
            batch_size=None, grad_tol=1e-6, verbose=0)
    r = (w0 * X + b0) - y  # dJ/dw, dJ/db of the mean squared error at the initial weights
    want = math.hypot(float(2 * (r * X).mean()), float(2 * r.mean()))
    assert h.history["grad_norm"][0] == pytest.approx(want, rel=1e-10)
    assert h.stop_reason == "grad_tol" and h.history["grad_norm"][-1] < 1e-6 <= h.history["grad_norm"][-2]
    assert model.weight.item() == pytest.approx(3.0, abs=1e-5)
    assert model.bias.item() == pytest.approx(1.0, abs=1e-5)


def test_grad_norm_is_the_epoch_mean_gradient_for_minibatches():
    X, y = _line_data(8)
    ng.manual_seed(0)
    model = nn.Linear(1, 1).double()
    # lr 0: the weights stay put, so the mean of the batch gradients is the full gradient
    opt = optim.SGD(model.parameters(), lr=0.0)
    h = fit(model, nn.MSELoss(), opt, (X, y), epochs=1, batch_size=3, verbose=0)
    r = (model.weight.item() * X + model.bias.item()) - y
    assert h.history["grad_norm"][0] == pytest.approx(math.hypot(2 * (r * X).mean(), 2 * r.mean()), rel=1e-10)


def test_patience_restores_best_weights():
    X, y = _line_data()
    ng.manual_seed(0)
    model = nn.Linear(1, 1)
    seen = []
    cb = LambdaCallback(on_epoch_end=lambda e, logs: seen.append(model.weight.item()))
    # validation targets of the opposite sign: the validation loss gets worse as training goes on
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), val_data=(X, -3 * X - 1),
            epochs=50, batch_size=8, patience=3, callbacks=[cb], verbose=0)
    assert h.stop_reason == "patience" and h.epochs == h.best_epoch + 3
    vl = h.history["val_loss"]
    assert vl[h.best_epoch - 1] == min(vl)
    assert model.weight.item() == seen[h.best_epoch - 1] != seen[-1]
    ng.manual_seed(0)
    model2 = nn.Linear(1, 1)
    fit(model2, nn.MSELoss(), optim.SGD(model2.parameters(), lr=0.1), (X, y), val_data=(X, -3 * X - 1),
        epochs=50, batch_size=8, patience=3, restore_best=False, verbose=0)
    assert model2.weight.item() == pytest.approx(seen[-1])


def test_time_limit_callback_stop_and_hooks_order():
    X, y = _line_data()
    ng.manual_seed(0)
    model = nn.Linear(1, 1)
    h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=100, time_limit=0,
            verbose=0)
    assert h.stop_reason == "time_limit" and h.epochs == 1

    events = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")
            assert self.model is model and self.optimizer is opt

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_batch_end(self, batch, logs=None):
            events.append(f"batch {batch}")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch}")
            if epoch == 2:
                self.stop_training = True

        def on_train_end(self, logs=None):
            events.append("train_end")

    opt = optim.SGD(model.parameters(), lr=0.1)
    h = fit(model, nn.MSELoss(), opt, (X, y), epochs=10, batch_size=20, callbacks=[Recorder()], verbose=0)
    assert h.stop_reason == "callback" and h.epochs == 2
    assert events == ["train_begin", "epoch_begin 1", "batch 0", "batch 1", "epoch_end 1", "epoch_begin 2",
                      "batch 0", "batch 1", "epoch_end 2", "train_end"]


def test_nan_loss_raises_with_epoch_and_batch():
    X, y = _line_data()
    ng.manual_seed(0)
    model = nn.Linear(1, 1)
    # A learning rate far too large: the weights blow up until the loss overflows to inf.
    with pytest.raises(TrainingDivergedError, match=r"epoch 2, batch 1.*smaller learning rate") as e:
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=1e4), (X, y), epochs=3, batch_size=10,
            shuffle=False, verbose=0)
    assert e.value.epoch == 2 and e.value.batch == 1


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_data_is_named_before_training(bad):
    X, y = _line_data()
    X[25, 0] = bad
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match=r"fit: data of shape \(\d+, 1\) holds 1 NaN or inf value\(s\), "
                                         r"the first at index \(25, 0\)"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, verbose=0)


def test_history_metrics_validation_and_json():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    ng.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    def half_acc(y_pred, y_true):
        return 0.5

    h = fit(model, nn.CrossEntropyLoss(), opt, (X[:100], y[:100]), val_data=(X[100:], y[100:]), epochs=5,
            batch_size=16, metrics=["accuracy", half_acc], scheduler=sched, verbose=0)
    keys = {"loss", "accuracy", "half_acc", "grad_norm", "lr", "seconds", "val_loss", "val_accuracy",
            "val_half_acc"}
    assert set(h.history) == keys and all(len(v) == 5 for v in h.history.values())
    assert h.history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    assert h.history["half_acc"] == [0.5] * 5 and h.history["accuracy"][-1] > 0.8
    d = json.loads(json.dumps(h.to_dict()))
    assert d["epochs"] == 5 and d["stop_reason"] == "max_epochs" and d["history"]["loss"] == h.history["loss"]
    ev = evaluate(model, nn.CrossEntropyLoss(), (X[100:], y[100:]), metrics=["accuracy"], batch_size=7)
    assert ev["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-5)
    assert ev["accuracy"] == h.history["val_accuracy"][-1]
    assert model.training  # evaluate restored training mode


def test_data_forms_and_dtype_casting():
    X, y = _line_data()  # float64 arrays; the model is float32
    ds = TensorDataset(X.astype(np.float32), y.astype(np.float32))
    for data in [(X, y), (ng.tensor(X), ng.tensor(y)), ds, DataLoader(ds, batch_size=8)]:
        ng.manual_seed(0)
        model = nn.Linear(1, 1)
        h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), data, epochs=3, verbose=0)
        assert h.epochs == 3 and h.history["loss"][-1] < h.history["loss"][0]
    assert predict(model, X).dtype == np.float32
    with pytest.raises(TypeError, match="Dataset, a DataLoader or a tuple"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), 42, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="same first dimension"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y[:5]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=0, verbose=0)
    with pytest.raises(ValueError, match="fit: the data set is empty"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X[:0], y[:0]), epochs=1, verbose=0)
    with pytest.raises(TypeError, match=r"fit: data must be numeric, got an array of dtype <U.* \(40, 1\)"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X.astype(str), y), epochs=1,
            verbose=0)
    with pytest.raises(TypeError, match="predict: data must be numeric, got an array of dtype object"):
        predict(model, np.array([[1.0], [None]], dtype=object))


def test_reduce_on_plateau_and_clipping():
    X, y = _line_data()
    ng.manual_seed(0)
    model = nn.Linear(1, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    clipped = []
    cb = LambdaCallback(on_batch_end=lambda b, logs: clipped.append(
        math.hypot(*(float(np.abs(p.grad.numpy()).sum()) for p in model.parameters()))))
    h = fit(model, nn.MSELoss(), opt, (X, y), epochs=3, batch_size=None, scheduler=sched, clip_grad_norm=1e-3,
            callbacks=[cb], verbose=0)
    assert all(c <= 1e-3 * 1.0001 for c in clipped)
    assert h.history["grad_norm"][0] > 1e-2  # the recorded norm is before clipping
    # clipped steps are tiny: the loss improves by less than the 1e-4 relative threshold, so the
    # plateau rule halves the lr after epoch 2 (with patience 0)
    assert h.history["lr"] == [0.1, 0.1, 0.05]


def test_progress_output(capsys, monkeypatch):
    X, y = _line_data()
    ng.manual_seed(0)
    model = nn.Linear(1, 1)
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, batch_size=8,
        metrics=["mae"], verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 2/2" in err and "mae=" in err
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert out.count("Epoch") == 2 and "loss=" in out
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, verbose=1)
    assert capsys.readouterr().out.count("Epoch") == 2  # plain lines without tqdm
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, verbose=0)
    assert capsys.readouterr() == ("", "")
