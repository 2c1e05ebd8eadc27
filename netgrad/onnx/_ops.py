"""ONNX nodes for netgrad's layers (from the module's attributes) and for the functional ops a
custom ``forward`` calls (from the autograd node's saved attributes)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ._graph import GraphBuilder

# param(tensor) -> the initializer's name (named after the model's state_dict key where it has one)
Param = Callable[[Any], str]


def _unsupported(what: str) -> NotImplementedError:
    return NotImplementedError(f"netgrad.onnx.export: {what}")


# ----------------------------------------------------------------------------- activations
def gelu(g: GraphBuilder, x: str, approximate: str, dtype: np.dtype) -> str:
    if g.opset >= 20:
        return g.node("Gelu", [x], approximate=approximate)
    half, one = g.scalar(0.5, dtype), g.scalar(1.0, dtype)
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [cube, g.scalar(0.044715, dtype)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.scalar(math.sqrt(2.0 / math.pi), dtype)])])
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        t = g.node("Erf", [g.node("Div", [x, g.scalar(math.sqrt(2.0), dtype)])])
    return g.node("Mul", [g.node("Mul", [x, half]), g.node("Add", [t, one])])


def softplus(g: GraphBuilder, x: str, beta: float, dtype: np.dtype) -> str:
    # As torch's exporter: Softplus(beta x) / beta; the linear regime above ``threshold`` agrees
    # with it to within exp(-threshold).
    if beta == 1:
        return g.node("Softplus", [x])
    b = g.scalar(beta, dtype)
    return g.node("Div", [g.node("Softplus", [g.node("Mul", [x, b])]), b])


def silu(g: GraphBuilder, x: str) -> str:
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


def softmax(g: GraphBuilder, op: str, x: str, axis: int | None, ndim: int, where: str) -> str:
    if axis is None:  # torch's implicit dim: 0 for 0-, 1- and 3-D input, else 1
        axis = 0 if ndim in (0, 1, 3) else 1
    return g.node(op, [x], axis=int(axis) % max(ndim, 1))


# ----------------------------------------------------------------------------- layers
def gemm(g: GraphBuilder, x: str, w: str, b: str | None, in_ndim: int) -> str:
    """y = x W^T + b: ``Gemm`` for 2-D input (as torch's exporter), ``MatMul`` + ``Add`` otherwise."""
    if in_ndim == 2:
        return g.node("Gemm", [x, w] + ([b] if b else []), alpha=1.0, beta=1.0, transB=1)
    y = g.node("MatMul", [x, g.node("Transpose", [w], perm=[1, 0])])
    return g.node("Add", [y, b]) if b else y


def conv(g: GraphBuilder, x: str, w: str, b: str | None, geom: Any) -> str:
    top, bottom, left, right = geom.pads
    return g.node("Conv", [x, w] + ([b] if b else []), kernel_shape=[geom.kh, geom.kw],
                  strides=[geom.sh, geom.sw], pads=[top, left, bottom, right],
                  dilations=[geom.dh, geom.dw], group=1)


def max_pool(g: GraphBuilder, x: str, geom: Any) -> str:
    top, bottom, left, right = geom.pads  # ceil_mode's extra bottom/right rows are in the pads
    return g.node("MaxPool", [x], kernel_shape=[geom.kh, geom.kw], strides=[geom.sh, geom.sw],
                  pads=[top, left, bottom, right], dilations=[geom.dh, geom.dw])


def _pair(v: Any) -> list[int]:
    return [int(v), int(v)] if isinstance(v, (int, np.integer)) else [int(a) for a in v]


def avg_pool_module(g: GraphBuilder, m: Any, x: str) -> str:
    if m.divisor_override is not None:
        raise _unsupported(f"layer {m!r}: divisor_override has no ONNX AveragePool equivalent")
    ph, pw = _pair(m.padding)
    return g.node("AveragePool", [x], kernel_shape=_pair(m.kernel_size), strides=_pair(m.stride),
                  pads=[ph, pw, ph, pw], ceil_mode=int(bool(m.ceil_mode)),
                  count_include_pad=int(bool(m.count_include_pad)))


def batch_norm(g: GraphBuilder, m: Any, x: str, param: Param) -> str:
    if m.running_mean is None:
        raise _unsupported(f"layer {m!r}: track_running_stats=False normalises with batch statistics "
                           "even in eval mode; ONNX's BatchNormalization needs running statistics")
    dtype = m.running_mean._data.dtype
    scale = param(m.weight) if m.weight is not None else g.initializer(np.ones(m.num_features, dtype))
    bias = param(m.bias) if m.bias is not None else g.initializer(np.zeros(m.num_features, dtype))
    return g.node("BatchNormalization", [x, scale, bias, param(m.running_mean), param(m.running_var)],
                  epsilon=float(m.eps))


def reshape(g: GraphBuilder, x: str, in_shape: tuple, out_shape: tuple) -> str:
    """``Flatten`` where the reshape merges trailing dims into one (batch dim kept: dynamic-safe),
    else ``Reshape`` with 0 (copy the input's size) for the leading dims that did not change."""
    in_shape, out_shape = tuple(in_shape), tuple(out_shape)
    k = len(out_shape) - 1
    if (len(in_shape) >= len(out_shape) >= 1 and in_shape[:k] == out_shape[:k] and k >= 1
            and int(np.prod(in_shape[k:])) == out_shape[k]):
        if k == 1:
            return g.node("Flatten", [x], axis=1)
        shape = [0] * k + [-1]
    else:
        keep = 0
        while (keep < min(len(in_shape), len(out_shape)) - 1 and in_shape[keep] == out_shape[keep]):
            keep += 1
        shape = [0] * keep + list(out_shape[keep:])
    return g.node("Reshape", [x, g.ints(shape)])


# ----------------------------------------------------------------------------- modules
_ACT_MODULES = {"ReLU": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh"}


def emit_module(g: GraphBuilder, m: Any, x: str, in_shape: tuple, out_shape: tuple, dtype: np.dtype,
                param: Param) -> str:
    kind = type(m).__name__
    if kind in _ACT_MODULES:
        return g.node(_ACT_MODULES[kind], [x])
    if kind == "LeakyReLU":
        return g.node("LeakyRelu", [x], alpha=float(m.negative_slope))
    if kind == "ELU":
        return g.node("Elu", [x], alpha=float(m.alpha))
    if kind in ("Hardtanh", "ReLU6"):
        return g.node("Clip", [x, g.scalar(float(m.min_val), dtype), g.scalar(float(m.max_val), dtype)])
    if kind == "GELU":
        return gelu(g, x, m.approximate, dtype)
    if kind == "SiLU":
        return silu(g, x)
    if kind == "Softplus":
        return softplus(g, x, float(m.beta), dtype)
    if kind in ("Softmax", "LogSoftmax"):
        return softmax(g, kind, x, m.dim, len(in_shape), repr(m))
    if kind == "Linear":
        b = param(m.bias) if m.bias is not None else None
        return gemm(g, x, param(m.weight), b, len(in_shape))
    if kind == "Conv2d":
        if len(in_shape) != 4:
            raise _unsupported(f"layer {m!r}: unbatched (3-D) input; export with a batch dimension")
        from ..functional.conv import conv_geometry

        geom = conv_geometry("Conv2d", tuple(in_shape), m.kernel_size, m.stride, m.padding, m.dilation)
        b = param(m.bias) if m.bias is not None else None
        return conv(g, x, param(m.weight), b, geom)
    if kind == "MaxPool2d":
        if m.return_indices:
            raise _unsupported(f"layer {m!r}: return_indices=True")
        return g.node("MaxPool", [x], kernel_shape=_pair(m.kernel_size), strides=_pair(m.stride),
                      pads=_pair(m.padding) * 2, dilations=_pair(m.dilation),
                      ceil_mode=int(bool(m.ceil_mode)))
    if kind == "AvgPool2d":
        return avg_pool_module(g, m, x)
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        return batch_norm(g, m, x, param)
    if kind == "Flatten":
        return reshape(g, x, in_shape, out_shape)
    raise _unsupported(f"layer {m!r} ({kind}) is not supported")


MODULE_KINDS = frozenset(list(_ACT_MODULES) + [
    "LeakyReLU", "ELU", "Hardtanh", "ReLU6", "GELU", "SiLU", "Softplus", "Softmax", "LogSoftmax", "Linear",
    "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Flatten"])
# netgrad layers that are the identity in eval mode: no node at all
IDENTITY_KINDS = frozenset(["Dropout", "Dropout2d", "Identity", "Sequential", "ModuleList", "ModuleDict"])


# ----------------------------------------------------------------------------- autograd nodes
def emit_function(g: GraphBuilder, fn: Any, inputs: list[str | None], in_shapes: list[tuple | None],
                  out_shape: tuple, dtype: np.dtype) -> str:
    """One node of a custom forward, from its autograd node. ``inputs[i]`` is the ONNX value of the
    i-th forward argument (None where it was not a tensor that requires grad)."""
    kind = fn.op_title()  # the op class without its Op suffix (ReLUOp -> ReLU)
    x = inputs[0]
    simple = {"ReLU": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh"}
    if kind in simple:
        return g.node(simple[kind], [x])
    if kind == "ELU":
        return g.node("Elu", [x], alpha=float(fn.alpha))
    if kind == "GELU":
        return gelu(g, x, fn.approximate, dtype)
    if kind == "SiLU":
        return silu(g, x)
    if kind == "Softplus":
        return softplus(g, x, float(fn.beta), dtype)
    if kind in ("Softmax", "LogSoftmax"):
        return softmax(g, kind, x, fn.axis, len(in_shapes[0]), fn.name())
    if kind == "Reshape":
        return reshape(g, x, fn.in_shape, out_shape)
    if kind == "Linear" and x is not None and inputs[1] is not None:
        return gemm(g, x, inputs[1], inputs[2] if len(inputs) > 2 else None, len(in_shapes[0]))
    if kind == "Conv2d" and x is not None and inputs[1] is not None:
        if len(in_shapes[0]) != 4:
            raise _unsupported(f"{fn.name()}: unbatched (3-D) input; export with a batch dimension")
        return conv(g, x, inputs[1], inputs[2] if len(inputs) > 2 else None, fn.g)
    if kind == "MaxPool2d":
        if getattr(fn, "idx", None) is not None:
            raise _unsupported(f"{fn.name()}: max_pool2d with return_indices=True")
        return max_pool(g, x, fn.g)
    if kind in ("Add", "Sub", "Mul") and len(inputs) == 2 and None not in inputs:
        return g.node(kind, [inputs[0], inputs[1]])
    raise _unsupported(
        f"the operation {fn.name()} (from {type(fn).__module__}) in the model's forward is not "
        "supported; export supports Linear, Conv2d, MaxPool2d, AvgPool2d, ReLU, LeakyReLU, Sigmoid, "
        "Tanh, ELU, GELU, SiLU, Softplus, Dropout and BatchNorm1d/2d in eval, Flatten/reshape, "
        "Softmax, LogSoftmax, and adding two traced tensors (use the nn layers for LeakyReLU, "
        "Hardtanh, ReLU6, AvgPool2d and BatchNorm: their functional forms do not keep their arguments)")
