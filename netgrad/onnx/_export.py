"""Tracing a model for ONNX: run ``forward`` once on the example input and read the graph back.

Two records of the same run are combined. Forward hooks on netgrad's layers note each supported
layer's input and output (the layer's attributes give its ONNX node: a LeakyReLU's slope or a
BatchNorm's running statistics are not kept by the autograd nodes). Everything else (the functional
calls of a custom ``forward``: ``F.relu``, ``F.max_pool2d``, ``torch.flatten``, ...) is read from the
autograd graph, walking ``grad_fn`` from the outputs back to the inputs; a node that a layer made
stands for the whole layer.
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

import numpy as np

from ..autograd import Tensor
from ._graph import GraphBuilder
from ._ops import IDENTITY_KINDS, MODULE_KINDS, emit_function, emit_module


def _onnx() -> Any:
    try:
        import onnx
    except ImportError as e:
        raise ImportError("netgrad.onnx.export needs the 'onnx' package: pip install 'netgrad[onnx]' "
                          "(or pip install onnx; onnxruntime runs the exported file)") from e
    return onnx


def _as_tuple(args: Any) -> tuple:
    if isinstance(args, Tensor):
        return (args,)
    if isinstance(args, (tuple, list)) and all(isinstance(a, Tensor) for a in args) and args:
        return tuple(args)
    raise TypeError("netgrad.onnx.export: args must be a Tensor or a tuple of Tensors (the example "
                    f"input(s) of model.forward), got {type(args).__name__}")


def _is_netgrad_layer(m: Any) -> bool:
    return type(m).__module__.startswith("netgrad.nn")


class _Tracer:
    def __init__(self, model: Any, g: GraphBuilder) -> None:
        self.model, self.g = model, g
        # (id(output's grad_fn), output index) -> (layer, its input as the layer saw it, output)
        self.layer_calls: dict[tuple[int, int], tuple[Any, tuple, Tensor]] = {}
        self._pending: dict[int, list[tuple]] = {}
        self.unsupported: list[str] = []
        self.names: dict[int, str] = {}
        for prefix, (mod_name, t) in (("", p) for p in model.named_parameters()):
            self.names.setdefault(id(t), prefix + mod_name)
        for buf_name, t in model.named_buffers():
            self.names.setdefault(id(t), buf_name)
        self.module_names = {id(m): (n or type(m).__name__) for n, m in model.named_modules()}
        self.values: dict[Any, str] = {}
        self.inputs: dict[int, str] = {}

    # -- the run
    def pre_hook(self, module: Any, args: tuple) -> None:
        # The input as it is now: an in-place layer (ReLU(inplace=True)) rebinds its input's grad_fn
        # to its own node, so after the call the input no longer says where it came from.
        x = args[0] if args and isinstance(args[0], Tensor) else None
        snap = None if x is None else (x, x.grad_fn, x._out_idx, tuple(x.shape), x._data.dtype)
        self._pending.setdefault(id(module), []).append(snap)

    def hook(self, module: Any, args: tuple, out: Any) -> None:
        kind = type(module).__name__
        snap = self._pending[id(module)].pop()
        if kind in MODULE_KINDS and snap is not None and isinstance(out, Tensor):
            if out.grad_fn is not None:
                self.layer_calls[(id(out.grad_fn), out._out_idx)] = (module, snap, out)
        elif _is_netgrad_layer(module) and kind not in IDENTITY_KINDS and not list(module.children()):
            self.unsupported.append(f"{self.module_names.get(id(module), kind)} ({module!r})")

    # -- the walk
    def param(self, t: Tensor) -> str:
        return self.g.constant_of(id(t), t._data, self.names.get(id(t)))

    def tensor_value(self, t: Tensor) -> str:
        if id(t) in self.inputs:
            return self.inputs[id(t)]
        if t.grad_fn is None:  # a parameter or another constant tensor
            return self.param(t)
        return self.node_value(t.grad_fn, t._out_idx, tuple(t.shape), t._data.dtype)

    def edge_value(self, edge: Any) -> str | None:
        if edge is None:
            return None
        target, idx, shape, dtype = edge
        if isinstance(target, Tensor):
            return self.tensor_value(target)
        return self.node_value(target, idx, tuple(shape), dtype)

    def node_value(self, fn: Any, idx: int, out_shape: tuple, dtype: np.dtype) -> str:
        key = (id(fn), idx)
        if key in self.values:
            return self.values[key]
        if key in self.layer_calls:
            module, (x, fn_in, idx_in, shape_in, dtype_in), _ = self.layer_calls[key]
            value = (self.tensor_value(x) if fn_in is None
                     else self.node_value(fn_in, idx_in, shape_in, dtype_in))
            out = emit_module(self.g, module, value, shape_in, out_shape, dtype_in, self.param)
        else:
            if idx != 0:
                raise NotImplementedError(f"netgrad.onnx.export: {fn.name()} has several outputs; "
                                          "not supported")
            edges = list(getattr(fn, "_edges", ()))
            out = emit_function(self.g, fn, [self.edge_value(e) for e in edges],
                                [None if e is None else tuple(e[2]) for e in edges], out_shape, dtype)
        self.values[key] = out
        return out


def _dims(shape: tuple, axes: Any, name: str) -> list:
    dims: list = list(shape)
    if axes is None:
        return dims
    items = axes.items() if isinstance(axes, dict) else ((a, f"{name}_dynamic_axes_{i + 1}")
                                                         for i, a in enumerate(axes))
    for axis, label in items:
        if not -len(dims) <= int(axis) < len(dims):
            raise ValueError(f"netgrad.onnx.export: dynamic_axes[{name!r}] names axis {axis}, but "
                             f"{name} has {len(dims)} dims")
        dims[int(axis)] = str(label)
    return dims


def export(model: Any, args: Any, f: Any, export_params: bool = True, verbose: bool = False,
           input_names: list[str] | None = None, output_names: list[str] | None = None,
           opset_version: int | None = None, dynamic_axes: dict | None = None,
           do_constant_folding: bool = True, **kwargs: Any) -> None:
    """Write ``model`` as an ONNX file (torch.onnx.export's arguments); see ``netgrad.onnx``."""
    onnx = _onnx()
    from .. import enable_grad

    opset = 17 if opset_version is None else int(opset_version)
    if not 13 <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"netgrad.onnx.export: opset_version must be between 13 and "
                         f"{onnx.defs.onnx_opset_version()} (this onnx), got {opset_version}")
    if not export_params:
        raise NotImplementedError("netgrad.onnx.export: export_params=False is not supported")
    unknown = set(kwargs) - {"training", "keep_initializers_as_inputs", "dynamo", "kwargs",
                             "operator_export_type", "external_data"}
    if unknown:
        raise TypeError(f"netgrad.onnx.export: unexpected keyword argument(s) {sorted(unknown)}")
    examples = _as_tuple(args)
    input_names = list(input_names or [])
    input_names += [f"input_{i}" if i else "input" for i in range(len(input_names), len(examples))]
    g = GraphBuilder(onnx, opset)
    tracer = _Tracer(model, g)

    was_training = model.training
    params = list(model.parameters())
    needs = [p.requires_grad for p in params]
    handles = [m.register_forward_pre_hook(tracer.pre_hook) for m in model.modules()]
    handles += [m.register_forward_hook(tracer.hook) for m in model.modules()]
    # Every tensor the graph reads must be recorded: inputs and parameters all require grad here.
    xs = [x.detach().clone().requires_grad_(x.is_floating_point()) for x in examples]
    try:
        model.eval()
        for p in params:
            p.requires_grad_(True)
        with enable_grad():
            out = model(*xs)
    finally:
        for h in handles:
            h.remove()
        for p, n in zip(params, needs):
            p.requires_grad_(n)
        model.train(was_training)
    if tracer.unsupported:
        raise NotImplementedError("netgrad.onnx.export: layer(s) not supported: "
                                  + "; ".join(dict.fromkeys(tracer.unsupported)))
    outs = _as_tuple(out) if isinstance(out, (Tensor, tuple, list)) else None
    if outs is None:
        raise TypeError(f"netgrad.onnx.export: the model returned {type(out).__name__}; a Tensor or a "
                        "tuple of Tensors is needed")
    output_names = list(output_names or [])
    output_names += [f"output_{i}" if i else "output" for i in range(len(output_names), len(outs))]
    for x, name in zip(xs, input_names):
        tracer.inputs[id(x)] = g.reserve(name)
    for name in output_names[:len(outs)]:
        g.reserve(name)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # the walk recurses once or twice per node
    try:
        for y, name in zip(outs, output_names):
            v = tracer.tensor_value(y)
            g.node("Identity", [v], output=name)  # every output its own name, even an input passed on
    finally:
        sys.setrecursionlimit(limit)

    dynamic_axes = dynamic_axes or {}
    bad = set(dynamic_axes) - set(input_names) - set(output_names)
    if bad:
        raise ValueError(f"netgrad.onnx.export: dynamic_axes names {sorted(bad)}, which are neither "
                         f"inputs {input_names} nor outputs {output_names}")
    # outputs whose shape depends on a dynamic input axis and that dynamic_axes does not name
    free = {n for n in output_names[:len(outs)] if n not in dynamic_axes} \
        if any(n in dynamic_axes for n in input_names) else set()
    h = onnx.helper
    elem = onnx.helper.np_dtype_to_tensor_dtype
    graph = h.make_graph(
        g.nodes, type(model).__name__,
        [h.make_tensor_value_info(n, elem(x._data.dtype), _dims(tuple(x.shape), dynamic_axes.get(n), n))
         for x, n in zip(xs, input_names)],
        [h.make_tensor_value_info(n, elem(y._data.dtype), None if n in free else
                                  _dims(tuple(y.shape), dynamic_axes.get(n), n))
         for y, n in zip(outs, output_names)],
        initializer=g.initializers)
    opsets = [h.make_opsetid("", opset)]
    model_proto = h.make_model(graph, opset_imports=opsets, producer_name="netgrad")
    model_proto.ir_version = h.find_min_ir_version_for(opsets)
    if free:  # as torch: the outputs' shapes follow the dynamic inputs' (ONNX shape inference)
        inferred = onnx.shape_inference.infer_shapes(model_proto).graph.output
        for out, inf in zip(model_proto.graph.output, inferred):
            if out.name in free and inf.type.tensor_type.HasField("shape"):
                out.type.CopyFrom(inf.type)
    onnx.checker.check_model(model_proto)
    if verbose:
        print(h.printable_graph(model_proto.graph))
    data = model_proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(data)
    elif isinstance(f, io.IOBase) or hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError("netgrad.onnx.export: f must be a path or a binary file object, got "
                        f"{type(f).__name__}")
