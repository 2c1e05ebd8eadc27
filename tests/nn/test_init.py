"""nn.init (PyTorch's gain and fan conventions, seeding) and netgrad.summary."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F


@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                      ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                      ("selu", None)])
def test_calculate_gain_matches_torch(nl, param):
    assert nn.init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param))


@pytest.mark.parametrize("shape", [(5, 7), (4, 3, 3, 2), (6, 2, 5)])
def test_fans_match_torch(shape):
    ours = nn.init._calculate_fan_in_and_fan_out(ng.empty(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def _w(*shape):
    return nn.Parameter(ng.empty(*shape))  # requires grad: init must still work (under no_grad)


@pytest.mark.parametrize("fn,kwargs,kind,scale", [
    (nn.init.xavier_uniform_, {"gain": 2.0}, "uniform", lambda fi, fo: 2.0 * math.sqrt(6 / (fi + fo))),
    (nn.init.xavier_normal_, {}, "normal", lambda fi, fo: math.sqrt(2 / (fi + fo))),
    (nn.init.kaiming_uniform_, {"nonlinearity": "relu"}, "uniform",
     lambda fi, fo: math.sqrt(2) * math.sqrt(3 / fi)),
    (nn.init.kaiming_uniform_, {"a": math.sqrt(5)}, "uniform", lambda fi, fo: 1 / math.sqrt(fi)),
    (nn.init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}, "normal",
     lambda fi, fo: math.sqrt(2 / fo)),
])
def test_initialisers_follow_pytorch_formulas(fn, kwargs, kind, scale):
    ng.manual_seed(0)
    w = _w(300, 40, 3, 3)
    fan_in, fan_out = 40 * 9, 300 * 9
    assert fn(w, **kwargs) is w
    v = w.numpy()
    s = scale(fan_in, fan_out)
    if kind == "uniform":
        assert np.abs(v).max() <= s and np.abs(v).max() > 0.99 * s
        assert v.std() == pytest.approx(s / math.sqrt(3), rel=0.02)
    else:
        assert v.std() == pytest.approx(s, rel=0.02)
    assert abs(v.mean()) < 0.02 * s
    assert w.requires_grad and w.dtype == np.float32
    # same statistics as torch's own initialiser
    t = torch.empty(300, 40, 3, 3)
    getattr(torch.nn.init, fn.__name__)(t, **kwargs)
    assert v.std() == pytest.approx(t.std().item(), rel=0.03)


def test_simple_initialisers_and_seeding():
    w = _w(3, 4)
    nn.init.constant_(w, 1.0)  # the notes set biases to 1
    assert np.all(w.numpy() == 1)
    nn.init.zeros_(w)
    assert not w.numpy().any()
    nn.init.ones_(w)
    assert np.all(w.numpy() == 1)
    nn.init.eye_(w)
    np.testing.assert_array_equal(w.numpy(), np.eye(3, 4))
    ng.manual_seed(42)
    a = nn.init.normal_(_w(10), 1.0, 0.1).numpy().copy()
    b = nn.init.uniform_(_w(10), -2, 3).numpy().copy()
    assert np.all((b >= -2) & (b < 3))
    ng.manual_seed(42)
    np.testing.assert_array_equal(nn.init.normal_(_w(10), 1.0, 0.1).numpy(), a)
    np.testing.assert_array_equal(nn.init.uniform_(_w(10), -2, 3).numpy(), b)
    t = nn.init.trunc_normal_(_w(1000), std=1.0, a=-1.0, b=1.0).numpy()
    assert t.min() >= -1 and t.max() <= 1
    with pytest.raises(ValueError, match="fan in and fan out"):
        nn.init.xavier_uniform_(_w(5))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.init.calculate_gain("swish")


def test_model_initialisation_is_reproducible():
    def make():
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))

    ng.manual_seed(7)
    a = make().state_dict()
    ng.manual_seed(7)
    b = make().state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy(), err_msg=k)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(9216, 128)
        self.bn = nn.BatchNorm1d(128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = self.dropout1(x).flatten(1)
        return F.log_softmax(self.fc2(F.relu(self.bn(self.fc1(x)))), dim=1)


def test_summary_table_shapes_counts_and_totals(capsys):
    model = Net()
    model.fc2.weight.requires_grad_(False)
    text = ng.summary(model, (1, 28, 28))
    assert capsys.readouterr().out.strip() == text.strip()  # printed and returned
    lines = text.splitlines()
    body = {ln.split()[0]: ln for ln in lines[2:8]}
    assert "(-1, 32, 26, 26)" in body["conv1"] and body["conv1"].endswith("320")
    assert "(-1, 64, 24, 24)" in body["conv2"] and body["conv2"].endswith("18,496")
    assert "(-1, 64, 12, 12)" in body["dropout1"]
    assert body["fc1"].endswith("1,179,776") and "(-1, 128)" in body["fc1"]
    assert body["bn"].endswith("256") and body["fc2"].endswith("1,290")
    total = sum(p.numel() for p in model.parameters())
    assert f"Total params: {total:,}" in text
    assert f"Trainable params: {total - 1280:,}" in text
    assert "Non-trainable params: 1,280" in text
    # the model's mode and the running statistics are untouched
    assert model.training and model.conv1.training
    assert not model.bn.running_mean.numpy().any()


def test_summary_multiple_inputs_and_errors():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 2), nn.Linear(4, 2)

        def forward(self, x, y):
            return self.a(x) + self.b(y)

    text = ng.summary(Two(), [(3,), (4,)], show=False)
    assert "a (Linear)" in text and "Input shape: (-1, 3), (-1, 4)" in text
    with pytest.raises(TypeError):
        ng.summary(lambda x: x, (3,))
