"""Whole models without pickle (``ng.save(model)``, PyTorch's ``torch.save(model)``).

A model is written as a description plus its ``state_dict``, and rebuilt from them:

- a ``netgrad.nn`` layer by its class name and the arguments it was built with (recorded when it
  was made): only classes that ``netgrad.nn`` exports can be named;
- a Module class of your own by ``module:qualname``, its plain attributes (numbers, strings,
  tuples, dicts, tensors, netgrad functions), its children, and the names of its parameters and
  buffers: it is made with ``cls.__new__`` and filled in, never by running code the file chooses.
  Loading it needs the class allowed, as PyTorch's ``torch.serialization.safe_globals`` does
  (``resolve`` below), or ``weights_only=False``, which still only finds classes already imported.

>>> import netgrad as ng
>>> net = ng.nn.Sequential(ng.nn.Linear(2, 3), ng.nn.ReLU())
>>> spec = describe(net)
>>> spec["cls"], spec["args"][0]["cls"]
('Sequential', 'Linear')
>>> type(rebuild(spec, dict(net.state_dict()))[0]).__name__
'Linear'
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from ..autograd import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["describe", "rebuild", "module_class", "qualified_name"]

_PLAIN = (type(None), bool, int, float, str)
_DTYPES = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}
# what Module keeps in __dict__ for itself: rebuilt, not copied
_INTERNAL = {"training", "_parameters", "_buffers", "_non_persistent", "_modules", "_forward_hooks",
             "_forward_pre_hooks", "_init_args"}


def module_class(name: Any) -> type | None:
    """The ``netgrad.nn`` Module class of that name, or None."""
    from .. import nn

    cls = getattr(nn, name, None) if isinstance(name, str) and not name.startswith("_") else None
    return cls if isinstance(cls, type) and issubclass(cls, Module) else None


def qualified_name(obj: Any) -> str:
    """``module:qualname`` of a class or function (how a file names a class of your own)."""
    return f"{obj.__module__}:{obj.__qualname__}"


def describe(module: Module) -> dict:
    """The description ``rebuild`` needs. Raises TypeError naming what cannot be described."""
    cls = type(module)
    if module_class(cls.__name__) is cls:
        args, kwargs = module.__dict__.get("_init_args", ((), {}))
        return {"cls": cls.__name__, "args": [_value(a, cls.__name__) for a in args],
                "kwargs": {k: _value(v, cls.__name__) for k, v in kwargs.items()},
                "training": module.training}
    d = module.__dict__
    registered = set(d["_parameters"]) | set(d["_buffers"]) | set(d["_modules"])
    attrs = {k: _value(v, f"{cls.__name__}.{k}") for k, v in d.items()
             if k not in _INTERNAL and k not in registered}
    temp = d["_non_persistent"]
    buffers = {k: b for k, b in d["_buffers"].items() if b is not None}
    return {"class": qualified_name(cls), "attrs": attrs, "training": module.training,
            "params": [k for k, p in d["_parameters"].items() if p is not None],
            "buffers": [k for k in buffers if k not in temp],
            "temp_buffers": {k: b for k, b in buffers.items() if k in temp},
            "children": [[k, None if m is None else describe(m)] for k, m in d["_modules"].items()]}


def _value(v: Any, owner: str) -> Any:
    if isinstance(v, Module):
        return describe(v)
    if isinstance(v, _PLAIN) or isinstance(v, (Tensor, np.ndarray)):
        return v
    if isinstance(v, (list, tuple)):
        return type(v)(_value(x, owner) for x in v)
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        return {"__dtype__": np.dtype(v).name}
    if isinstance(v, dict):  # OrderedDict of modules (Sequential, ModuleDict), or plain settings
        return {"__dict__": [[k, _value(x, owner)] for k, x in v.items()]}
    if callable(v) and getattr(v, "__module__", "").startswith("netgrad.") and _netgrad_function(
            qualified_name(v)) is v:
        return {"__fn__": qualified_name(v)}
    raise TypeError(f"{owner} holds a {type(v).__name__}, which a saved model cannot hold (numbers, "
                    "strings, tuples, dicts, tensors, netgrad layers and functions only): save its "
                    "state_dict() instead")


def _netgrad_function(name: str) -> Any:
    """A function of netgrad's own by ``module:qualname`` (activation arguments such as F.relu)."""
    import sys

    mod, _, qual = name.partition(":")
    if not mod.startswith("netgrad.") or "." in qual or qual.startswith("_"):
        return None
    fn = getattr(sys.modules.get(mod), qual, None)
    return fn if callable(fn) and not isinstance(fn, type) else None


def rebuild(spec: dict, state: dict, resolve: Callable[[str], type] | None = None,
            prefix: str = "") -> Module:
    """The module a ``describe`` spec names, with the parameters and buffers of ``state`` (the
    model's state_dict). ``resolve`` maps a class of your own's ``module:qualname`` to the class,
    or raises; without it such classes are refused."""
    if "cls" in spec:
        cls = module_class(spec.get("cls"))
        if cls is None:
            raise ValueError(f"not a netgrad.nn layer: {spec.get('cls')!r}")
        build = _builder(state, resolve)
        module = cls(*[build(a) for a in spec["args"]], **{k: build(v) for k, v in spec["kwargs"].items()})
    else:
        module = _rebuild_custom(spec, state, resolve, prefix)
    module.train(bool(spec.get("training", True)))
    return module


def _rebuild_custom(spec: dict, state: dict, resolve: Callable | None, prefix: str) -> Module:
    name = spec.get("class")
    if resolve is None:
        raise ValueError(f"the model is of a class of your own ({name}), which this load does not allow")
    cls = resolve(name)
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise ValueError(f"{name} is not an nn.Module class")
    module = cls.__new__(cls)
    Module.__init__(module)
    build = _builder(state, resolve)
    for k, v in spec["attrs"].items():
        module.__dict__[k] = build(v)
    for k, child in spec["children"]:
        module.add_module(k, None if child is None else rebuild(child, state, resolve, f"{prefix}{k}."))
    for k in spec["params"]:
        t = _state_entry(state, prefix + k)
        module.register_parameter(k, Parameter(t._data.copy(), requires_grad=t.dtype.kind == "f"))
    for k in spec["buffers"]:
        module.register_buffer(k, Tensor._make(_state_entry(state, prefix + k)._data.copy()))
    for k, t in spec["temp_buffers"].items():
        module.register_buffer(k, t, persistent=False)
    return module


def _state_entry(state: dict, key: str) -> Tensor:
    t = state.get(key)
    if not isinstance(t, Tensor):
        raise ValueError(f"the saved state has no tensor {key!r}")
    return t


def _builder(state: dict, resolve: Callable | None) -> Callable[[Any], Any]:
    def build(v: Any) -> Any:
        if isinstance(v, dict) and ("cls" in v or "class" in v):
            return rebuild(v, state, resolve)
        if isinstance(v, dict) and "__dtype__" in v:
            if v["__dtype__"] not in _DTYPES:
                raise ValueError(f"not a dtype netgrad stores: {v['__dtype__']!r}")
            return np.dtype(v["__dtype__"])
        if isinstance(v, dict) and "__fn__" in v:
            fn = _netgrad_function(v["__fn__"])
            if fn is None:
                raise ValueError(f"not a netgrad function: {v['__fn__']!r}")
            return fn
        if isinstance(v, dict) and "__dict__" in v:
            return OrderedDict((k, build(x)) for k, x in v["__dict__"])
        if isinstance(v, (list, tuple)):
            return type(v)(build(x) for x in v)
        return v

    return build
