"""``netgrad.onnx.export``: write a model as an ONNX file, with ``torch.onnx.export``'s arguments.

Needs the optional ``onnx`` package (``pip install 'netgrad[onnx]'``, which brings onnxruntime too);
netgrad itself stays NumPy-only and imports it only here, on use.

The model is traced: ``forward`` runs once on ``args`` in eval mode, netgrad's layers are recorded
by forward hooks and the functional calls of a custom ``forward`` are read from the autograd graph
(``grad_fn``). Supported: Linear, Conv2d, MaxPool2d, AvgPool2d, ReLU, LeakyReLU, Sigmoid, Tanh, ELU,
Hardtanh, ReLU6, GELU, SiLU, Softplus, Dropout and BatchNorm1d/2d (eval), Flatten and reshapes, Softmax and
LogSoftmax, in ``Sequential`` or a custom Module; anything else raises ``NotImplementedError``
naming the layer or op. Control flow that depends on the input's values is frozen at the traced
path, as in torch's tracer.

>>> import io
>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
>>> buf = io.BytesIO()
>>> ng.onnx.export(model, ng.randn(5, 3), buf, input_names=["x"], output_names=["y"],
...                dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
>>> import onnx
>>> [n.op_type for n in onnx.load_from_string(buf.getvalue()).graph.node]
['Gemm', 'Relu', 'Gemm', 'Identity']
"""

from __future__ import annotations

from ._export import export

__all__ = ["export"]
