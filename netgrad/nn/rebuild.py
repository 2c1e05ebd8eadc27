"""Whole models without pickle: a model made of ``netgrad.nn`` layers is described by the class
names and constructor arguments of its modules, and rebuilt from them (``ng.save(model)`` and
``ng.load``, PyTorch's ``torch.save(model)``). Only classes that ``netgrad.nn`` itself exports can
be named, so loading a file never imports or runs code of the file's choosing. A model of a class
of your own is saved as its ``state_dict()``.

>>> import netgrad as ng
>>> net = ng.nn.Sequential(ng.nn.Linear(2, 3), ng.nn.ReLU())
>>> spec = describe(net)
>>> spec["cls"], spec["args"][0]["cls"]
('Sequential', 'Linear')
>>> type(rebuild(spec)[0]).__name__
'Linear'
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from .module import Module

__all__ = ["describe", "rebuild", "module_class"]

_PLAIN = (type(None), bool, int, float, str)
_DTYPES = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}


def module_class(name: Any) -> type | None:
    """The ``netgrad.nn`` Module class of that name, or None (the only classes a file may name)."""
    from .. import nn

    cls = getattr(nn, name, None) if isinstance(name, str) and not name.startswith("_") else None
    return cls if isinstance(cls, type) and issubclass(cls, Module) else None


def describe(module: Module) -> dict:
    """{"cls", "args", "kwargs", "training"} for the module and, recursively, for the modules among
    its constructor arguments. Raises TypeError naming what cannot be described."""
    cls = type(module)
    if module_class(cls.__name__) is not cls:
        raise TypeError(f"{cls.__name__} is a class of your own, not a netgrad.nn layer: save "
                        f"model.state_dict() and load it into {cls.__name__}(...) with load_state_dict "
                        "(netgrad never pickles code)")
    args, kwargs = module.__dict__.get("_init_args", ((), {}))
    return {"cls": cls.__name__, "args": [_value(a, cls.__name__) for a in args],
            "kwargs": {k: _value(v, cls.__name__) for k, v in kwargs.items()},
            "training": module.training}


def _value(v: Any, owner: str) -> Any:
    if isinstance(v, Module):
        return describe(v)
    if isinstance(v, _PLAIN):
        return v
    if isinstance(v, (list, tuple)):
        return type(v)(_value(x, owner) for x in v)
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        return {"__dtype__": np.dtype(v).name}
    if isinstance(v, dict):  # OrderedDict of modules (Sequential, ModuleDict)
        return {"__dict__": [[k, _value(x, owner)] for k, x in v.items()]}
    raise TypeError(f"{owner} was built with an argument of type {type(v).__name__}, which a saved "
                    "model cannot hold: save its state_dict() instead")


def rebuild(spec: dict) -> Module:
    """The module a ``describe`` spec names, built fresh (weights as initialised: load the state)."""
    cls = module_class(spec.get("cls"))
    if cls is None:
        raise ValueError(f"not a netgrad.nn layer: {spec.get('cls')!r}")
    module = cls(*[_build(a) for a in spec["args"]], **{k: _build(v) for k, v in spec["kwargs"].items()})
    module.train(bool(spec.get("training", True)))
    return module


def _build(v: Any) -> Any:
    if isinstance(v, dict) and "cls" in v:
        return rebuild(v)
    if isinstance(v, dict) and "__dtype__" in v:
        name = v["__dtype__"]
        if name not in _DTYPES:
            raise ValueError(f"not a dtype netgrad stores: {name!r}")
        return np.dtype(name)
    if isinstance(v, dict) and "__dict__" in v:
        return OrderedDict((k, _build(x)) for k, x in v["__dict__"])
    if isinstance(v, (list, tuple)):
        return type(v)(_build(x) for x in v)
    return v
