"""netgrad.onnx.export: the exported file gives netgrad's outputs in onnxruntime, and PyTorch's
outputs for the same model with the same weights."""

import io
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
from mnist_cnn import Net as NetgradMnistNet  # noqa: E402


class TorchMnistNet(torch.nn.Module):
    """examples/mnist_cnn.py's Net, in PyTorch."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3, 1)
        self.conv2 = torch.nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = torch.nn.Dropout(0.25)
        self.dropout2 = torch.nn.Dropout(0.5)
        self.fc1 = torch.nn.Linear(9216, 128)
        self.fc2 = torch.nn.Linear(128, 10)

    def forward(self, x):
        x = torch.nn.functional.relu(self.conv2(torch.nn.functional.relu(self.conv1(x))))
        x = torch.flatten(self.dropout1(torch.nn.functional.max_pool2d(x, 2)), 1)
        x = self.fc2(self.dropout2(torch.nn.functional.relu(self.fc1(x))))
        return torch.nn.functional.log_softmax(x, dim=1)


def _export(model, x, **kw):
    buf = io.BytesIO()
    ng.onnx.export(model, x, buf, input_names=["x"], output_names=["y"],
                   dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, **kw)
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()))
    return ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])


def _netgrad_out(model, x):
    with ng.no_grad():
        return model(ng.tensor(x)).numpy()


def _torch_copy(torch_model, model):
    state = {k: torch.from_numpy(np.array(v.numpy())) for k, v in model.state_dict().items()}
    torch_model.load_state_dict(state)
    return torch_model.eval()


def _randomise_bn(model, rng):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(ng.tensor(rng.standard_normal(n).astype(np.float32)))
            m.running_var.copy_(ng.tensor(rng.uniform(0.5, 2.0, n).astype(np.float32)))
            with ng.no_grad():
                m.weight.copy_(ng.tensor(rng.standard_normal(n).astype(np.float32)))
                m.bias.copy_(ng.tensor(rng.standard_normal(n).astype(np.float32)))


def _check(model, torch_model, shape, rng, atol=2e-5, **kw):
    x = rng.standard_normal(shape).astype(np.float32)
    sess = _export(model, ng.tensor(x), **kw)
    torch_model = _torch_copy(torch_model, model)
    assert model.training  # export leaves the mode as it found it
    model.eval()
    for batch in (shape[0], 1, 5):  # the batch axis is dynamic
        xb = rng.standard_normal((batch,) + tuple(shape[1:])).astype(np.float32)
        got = sess.run(None, {"x": xb})[0]
        want = _netgrad_out(model, xb)
        with torch.no_grad():
            want_torch = torch_model(torch.from_numpy(xb)).numpy()
        assert got.shape == want.shape == want_torch.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=atol)
        np.testing.assert_allclose(got, want_torch, rtol=1e-5, atol=atol)
    model.train()


def test_mlp():
    ng.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3),
                          nn.Softmax(dim=1))
    tm = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8),
                             torch.nn.Tanh(), torch.nn.Linear(8, 3), torch.nn.Softmax(dim=1))
    _check(model, tm, (4, 6), np.random.default_rng(0))


def test_mnist_cnn_from_examples():
    ng.manual_seed(1)
    model = NetgradMnistNet()
    _check(model, TorchMnistNet(), (2, 1, 28, 28), np.random.default_rng(1), atol=1e-4)
    graph = onnx.load_from_string(_export_bytes(model, ng.randn(1, 1, 28, 28))).graph
    ops = [n.op_type for n in graph.node]
    assert ops.count("Conv") == 2 and ops.count("Gemm") == 2 and "MaxPool" in ops
    assert "LogSoftmax" in ops and "Dropout" not in ops
    assert {i.name for i in graph.initializer} == {"conv1.weight", "conv1.bias", "conv2.weight",
                                                   "conv2.bias", "fc1.weight", "fc1.bias",
                                                   "fc2.weight", "fc2.bias"}


def _export_bytes(model, x, **kw):
    buf = io.BytesIO()
    ng.onnx.export(model, x, buf, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("opset", [13, 17, 20])
def test_batchnorm_dropout_and_activations_in_eval(opset):
    ng.manual_seed(2)
    rng = np.random.default_rng(2)
    model = nn.Sequential(
        nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.BatchNorm2d(3), nn.LeakyReLU(0.2),
        nn.AvgPool2d(2, padding=1, count_include_pad=False), nn.ELU(0.5), nn.GELU("tanh"), nn.GELU(),
        nn.SiLU(), nn.Softplus(beta=2.0), nn.Sigmoid(), nn.Dropout2d(0.3), nn.MaxPool2d(2, padding=1),
        nn.Flatten(), nn.Linear(12, 5), nn.BatchNorm1d(5), nn.Dropout(0.5), nn.ReLU(),
        nn.Linear(5, 4), nn.LogSoftmax(dim=1))
    _randomise_bn(model, rng)
    T = torch.nn
    tm = T.Sequential(
        T.Conv2d(2, 3, 3, stride=2, padding=1), T.BatchNorm2d(3), T.LeakyReLU(0.2),
        T.AvgPool2d(2, padding=1, count_include_pad=False), T.ELU(0.5), T.GELU("tanh"), T.GELU(),
        T.SiLU(), T.Softplus(beta=2.0), T.Sigmoid(), T.Dropout2d(0.3), T.MaxPool2d(2, padding=1),
        T.Flatten(), T.Linear(12, 5), T.BatchNorm1d(5), T.Dropout(0.5), T.ReLU(),
        T.Linear(5, 4), T.LogSoftmax(dim=1))
    _check(model, tm, (3, 2, 8, 8), rng, opset_version=opset)
    ops = {n.op_type for n in onnx.load_from_string(
        _export_bytes(model, ng.randn(2, 2, 8, 8), opset_version=opset)).graph.node}
    assert "BatchNormalization" in ops and "Dropout" not in ops
    assert ("Gelu" in ops) == (opset >= 20)


class _Custom(nn.Module):
    """A custom forward: functional calls, a view, a residual sum."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 4)
        self.fc2 = nn.Linear(4, 3)

    def forward(self, x):
        h = F.silu(self.fc1(x)) + x
        h = h.view(h.shape[0], -1)
        return F.softmax(self.fc2(F.gelu(h)), dim=-1)


class _TorchCustom(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 4)
        self.fc2 = torch.nn.Linear(4, 3)

    def forward(self, x):
        h = torch.nn.functional.silu(self.fc1(x)) + x
        h = h.view(h.shape[0], -1)
        return torch.nn.functional.softmax(self.fc2(torch.nn.functional.gelu(h)), dim=-1)


def test_custom_module_functional_forward():
    ng.manual_seed(3)
    _check(_Custom(), _TorchCustom(), (3, 4), np.random.default_rng(3))


def test_frozen_parameters_and_no_grad_context(tmp_path):
    ng.manual_seed(4)
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid())
    for p in model.parameters():
        p.requires_grad_(False)
    path = tmp_path / "m.onnx"
    x = ng.randn(2, 3)
    with ng.no_grad():
        ng.onnx.export(model, (x,), str(path))
    assert not any(p.requires_grad for p in model.parameters())
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["input"]
    assert [o.name for o in sess.get_outputs()] == ["output"]
    np.testing.assert_allclose(sess.run(None, {"input": x.numpy()})[0], _netgrad_out(model, x.numpy()),
                               rtol=1e-6)


def test_static_batch_without_dynamic_axes():
    model = nn.Sequential(nn.Linear(3, 2))
    sess = ort.InferenceSession(_export_bytes(model, ng.randn(2, 3)), providers=["CPUExecutionProvider"])
    assert sess.get_inputs()[0].shape == [2, 3]


def test_unsupported_layer_is_named():
    model = nn.Sequential(nn.Linear(3, 3), nn.Unflatten(1, (3, 1)))
    with pytest.raises(NotImplementedError, match=r"Unflatten"):
        ng.onnx.export(model, ng.randn(2, 3), io.BytesIO())


def test_unsupported_functional_op_is_named():
    class Exp(nn.Module):
        def forward(self, x):
            return ng.exp(x)

    with pytest.raises(NotImplementedError, match=r"ExpBackward0"):
        ng.onnx.export(Exp(), ng.randn(2, 3), io.BytesIO())


def test_argument_errors():
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="opset_version"):
        ng.onnx.export(model, ng.randn(2, 3), io.BytesIO(), opset_version=9)
    with pytest.raises(ValueError, match="dynamic_axes"):
        ng.onnx.export(model, ng.randn(2, 3), io.BytesIO(), dynamic_axes={"nope": {0: "b"}})
    with pytest.raises(TypeError, match="args"):
        ng.onnx.export(model, [1.0, 2.0], io.BytesIO())


def test_missing_onnx_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "onnx":
            raise ImportError("No module named 'onnx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"netgrad\[onnx\]"):
        ng.onnx.export(nn.Sequential(nn.Linear(2, 2)), ng.randn(1, 2), io.BytesIO())


def test_inplace_relu_3d_linear_and_shared_weights():
    ng.manual_seed(5)
    shared = nn.Linear(4, 4)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True), nn.Identity(), shared, nn.Tanh(), shared)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(inplace=True), torch.nn.Identity(),
                             torch.nn.Linear(4, 4), torch.nn.Tanh())
    tm.append(tm[3])
    x = np.random.default_rng(5).standard_normal((2, 6, 3)).astype(np.float32)  # Linear on 3-D input
    data = _export_bytes(model, ng.tensor(x), input_names=["x"])
    graph = onnx.load_from_string(data).graph
    assert sorted(i.name for i in graph.initializer) == ["0.bias", "0.weight", "3.bias", "3.weight"]
    got = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    # torch's state_dict lists the shared layer under both names (3. and 5.), netgrad's once
    tm.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in model.state_dict().items()},
                       strict=False)
    with torch.no_grad():
        want = tm.eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, _netgrad_out(model, x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_two_inputs_two_outputs():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
            self.b = nn.Linear(3, 2)

        def forward(self, x, y):
            h = self.a(x) + y
            return self.b(h), F.relu(h)

    ng.manual_seed(6)
    model = Two()
    x, y = ng.randn(2, 3), ng.randn(2, 3)
    data = _export_bytes(model, (x, y), input_names=["x", "y"], output_names=["scores"])
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    assert [o.name for o in sess.get_outputs()] == ["scores", "output_1"]
    got = sess.run(None, {"x": x.numpy(), "y": y.numpy()})
    with ng.no_grad():
        want = model(x, y)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.numpy(), rtol=1e-6, atol=1e-7)
