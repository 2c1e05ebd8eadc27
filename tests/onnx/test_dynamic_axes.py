"""netgrad.onnx.export with dynamic_axes on the input only (as torch.onnx.export is often called): the
output's shape follows the dynamic batch axis, so onnxruntime runs other batch sizes without a shape
mismatch, and gives netgrad's outputs."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import netgrad as ng
import netgrad.nn as nn


@pytest.mark.parametrize("axes", [{"input": {0: "batch"}}, {"input": [0]},
                                  {"input": {0: "batch"}, "output": {0: "batch"}}])
def test_output_follows_a_dynamic_input_axis(tmp_path, axes):
    ng.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 6 * 6, 3), nn.LogSoftmax(dim=1)).eval()
    path = str(tmp_path / "m.onnx")
    ng.onnx.export(model, ng.randn(2, 3, 12, 12), path, dynamic_axes=axes)
    dims = onnx.load(path).graph.output[0].type.tensor_type.shape.dim
    assert dims[0].dim_param and not dims[0].HasField("dim_value") and dims[1].dim_value == 3
    session = ort.InferenceSession(path)
    for batch in (2, 7):
        x = ng.randn(batch, 3, 12, 12)
        out = session.run(None, {"input": x.numpy()})[0]
        assert out.shape == (batch, 3)
        np.testing.assert_allclose(out, model(x).detach().numpy(), atol=1e-5)


def test_static_export_keeps_the_example_batch(tmp_path):
    path = str(tmp_path / "m.onnx")
    ng.onnx.export(nn.Linear(3, 2), ng.randn(4, 3), path)
    assert [d.dim_value for d in onnx.load(path).graph.output[0].type.tensor_type.shape.dim] == [4, 2]


@pytest.mark.parametrize("layer", ["Hardtanh", "ReLU6"])
def test_clipping_activations_match_torch_in_onnxruntime(tmp_path, layer):
    import torch

    args = (-0.5, 1.5) if layer == "Hardtanh" else ()
    model = nn.Sequential(nn.Linear(3, 8), getattr(nn, layer)(*args))
    ref = torch.nn.Sequential(torch.nn.Linear(3, 8), getattr(torch.nn, layer)(*args))
    ref.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    path = str(tmp_path / "m.onnx")
    x = ng.randn(16, 3) * 4
    ng.onnx.export(model, x, path)
    out = ort.InferenceSession(path).run(None, {"input": x.numpy()})[0]
    np.testing.assert_allclose(out, ref(torch.tensor(x.numpy())).detach().numpy(), atol=1e-6)
    assert out.min() < 0 or layer == "ReLU6"
