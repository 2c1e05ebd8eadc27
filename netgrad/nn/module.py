"""``nn.Module``: the base class of layers and models, with PyTorch's API.

Assigning a Parameter, a Module or (via ``register_buffer``) a buffer to an attribute registers
it, in assignment order, so ``parameters()`` and ``state_dict()`` are deterministic.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> class Net(nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.hidden = nn.Linear(2, 3)
...         self.out = nn.Linear(3, 1)
...     def forward(self, x):
...         return self.out(ng.sigmoid(self.hidden(x)))
>>> net = Net()
>>> [name for name, _ in net.named_parameters()]
['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
>>> net(ng.zeros(5, 2)).shape
(5, 1)
"""

from __future__ import annotations

import functools
from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator

import numpy as np

from ..autograd import Tensor
from ..autograd.device import DeviceUnavailableError, check_device, device
from ..autograd.dtypes import as_dtype
from ..autograd.tensor import HookHandle, version_box
from ._registry import Registry
from .parameter import Parameter, charge_construction

_MODULE_CHARGE = 64  # a module's own Python objects, counted as this many values while ng.load rebuilds

_REGISTRIES = ("_parameters", "_buffers", "_modules")
_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class for all layers and models: subclass it, create sub-modules and parameters in
    ``__init__`` (after ``super().__init__()``) and compute the output in ``forward``."""

    training: bool

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Remember the arguments each module was built with (the outermost constructor's), so that a
        # model made of netgrad.nn layers can be saved whole and rebuilt without pickle (ng.save).
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or not cls.__module__.startswith("netgrad."):
            return  # users' own classes are saved as state_dicts: nothing to remember

        @functools.wraps(init)
        def recorded(self: Module, *args: Any, **kw: Any) -> None:
            if "_init_args" not in self.__dict__:
                self.__dict__["_init_args"] = (args, kw)
            init(self, *args, **kw)

        cls.__init__ = recorded

    def __init__(self) -> None:
        charge_construction(_MODULE_CHARGE)
        d = self.__dict__
        for key in _REGISTRIES:  # __init__ called again: the old registries' mirror entries go
            if isinstance(d.get(key), Registry):
                d[key].detach()
        d["training"] = True
        d["_parameters"] = Registry(owner=self)
        d["_buffers"] = Registry(owner=self)
        d["_non_persistent"] = set()
        d["_modules"] = Registry(owner=self)
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        pre = d.get("_forward_pre_hooks")
        if pre:
            for hook in list(pre.values()):
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        out = self.forward(*args, **kwargs)
        hooks = d.get("_forward_hooks")
        if hooks:
            for hook in list(hooks.values()):
                res = hook(self, args, out)
                if res is not None:
                    out = res
        return out

    # ------------------------------------------------------------------ registration
    def _check_init(self, what: str) -> dict:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call (call "
                                 f"super().__init__() first in {type(self).__name__}.__init__)")
        return d

    # Registered parameters, buffers and child modules are also kept in the instance __dict__
    # (the "mirror"), so reading ``self.weight`` is a plain attribute lookup instead of a call to
    # ``__getattr__`` (~0.7 us each, 9 per MLP forward). Only the registries themselves write the
    # mirror (nn/_registry.py), on every change to them, including direct edits such as
    # ``m._parameters["weight"] = p``, so attribute and registry can never disagree. A name the
    # class itself defines (a method such as ModuleDict's ``keys``) is not mirrored, so class
    # attributes win; ``__getattr__`` answers those names from the registries.
    def _set_registered(self, key: str, name: str, value: Any) -> None:
        self.__dict__[key][name] = value

    def _unregister(self, name: str) -> None:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            reg = d.get(key)
            if reg is not None and name in reg:
                del reg[name]  # the registry drops its mirror entry
                d["_non_persistent"].discard(name)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._check_init("parameters")
            self._remove_from(name, d, "_parameters")
            self._set_registered("_parameters", name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} of "
                                f"{type(self).__name__} (nn.Parameter or None expected)")
            self._set_registered("_parameters", name, None)
        elif isinstance(value, Module):
            self._check_init("child modules")
            self._remove_from(name, d, "_modules")
            self._set_registered("_modules", name, value)
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} "
                                f"of {type(self).__name__} (nn.Module or None expected)")
            self._set_registered("_modules", name, None)
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} of "
                                f"{type(self).__name__} (Tensor or None expected)")
            self._set_registered("_buffers", name, value)
        elif name in _REGISTRIES and params is not None and isinstance(value, dict):
            # ``m._parameters = OrderedDict(...)``: the new dict becomes the registry (and mirror)
            items, old = list(value.items()), d[name]
            if isinstance(old, Registry):
                old.detach()
            d[name] = Registry(items, owner=self)
        else:
            object.__setattr__(self, name, value)

    @staticmethod
    def _remove_from(name: str, d: dict, keep: str = "") -> None:
        # Re-assigning into the same registry keeps the name's position (as PyTorch's dicts do).
        d.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            if key != keep:
                d[key].pop(name, None)
        if keep != "_buffers":
            d["_non_persistent"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails (the mirror in __dict__ answers registered names):
        # look in the registries, for names the class shadows or registries edited directly.
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            reg = d.get(key)
            if reg is not None and name in reg:
                return reg[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if name in d.get(key, ()):
                self._unregister(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list:
        d = self.__dict__
        extra = [*d.get("_parameters", ()), *d.get("_buffers", ()), *d.get("_modules", ())]
        return sorted(set(super().__dir__()) | set(extra))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        d = self._check_init("parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be an nn.Parameter or None, got "
                            f"{type(param).__name__}")
        self._remove_from(name, d, "_parameters")
        self._set_registered("_parameters", name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is state but not a parameter (e.g. BatchNorm's running mean):
        it is saved in ``state_dict()`` (unless ``persistent=False``) and converted by ``to()``."""
        d = self._check_init("buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        if tensor is not None:
            charge_construction(tensor.numel())
        self._remove_from(name, d)
        self._set_registered("_buffers", name, tensor)
        if not persistent:
            d["_non_persistent"].add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        d = self._check_init("child modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be an nn.Module, got {type(module).__name__}")
        self._remove_from(name, d, "_modules")
        self._set_registered("_modules", name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        mod = self
        for part in target.split(".") if target else []:
            sub = mod._modules.get(part)
            if sub is None:
                raise AttributeError(f"{type(mod).__name__} has no submodule {part!r} (in {target!r})")
            mod = sub
        return mod

    def register_forward_hook(self, hook: Callable) -> HookHandle:
        """Call ``hook(module, inputs, output)`` after every forward (may return a new output)."""
        return HookHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable) -> HookHandle:
        return HookHandle(self._forward_pre_hooks, hook)

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, mod in self._modules.items():
            if mod is None:
                continue
            yield from mod.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, mod in self._modules.items():
            if mod is not None and id(mod) not in seen:
                seen.add(id(mod))
                yield name, mod

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, key: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        seen: set = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, t in mod.__dict__[key].items():
                if t is None or (remove_duplicate and id(t) in seen):
                    continue
                seen.add(id(t))
                yield mod_prefix + ("." if mod_prefix else "") + name, t

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs in registration order, depth first; shared ones once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------------ modes and state
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active, BatchNorm uses batch statistics) recursively."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be a bool, got {type(mode).__name__}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad`` (to None by default, as PyTorch 2)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = Tensor._make(np.zeros_like(p.grad._data))

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and then on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def _convert(self, fn: Callable[[np.ndarray], np.ndarray]) -> Module:
        for m in self.modules():
            for p in m._parameters.values():
                if p is None:
                    continue
                p._data = fn(p._data)
                if p.grad is not None:
                    p.grad._data = fn(p.grad._data)
            for b in m._buffers.values():
                if b is not None:
                    b._data = fn(b._data)
        return self

    def to(self, *args: Any, dtype: Any = None, **kwargs: Any) -> Module:
        """Convert floating parameters and buffers to ``dtype`` in place (same Parameter objects,
        so an optimizer built before keeps working). Device 'cpu' is accepted and ignored."""
        for a in list(args) + [kwargs.get("device")]:
            if a is None:
                continue
            if isinstance(a, (str, device)):
                check_device(a, "Module.to")  # 'cpu' passes; 'cuda', device('cuda') raise as torch
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                dtype = a
        if dtype is None:
            return self
        d = as_dtype(dtype)
        if d.kind != "f":
            raise TypeError(f"Module.to only accepts floating dtypes, got {d}")
        return self._convert(lambda arr: arr.astype(d) if arr.dtype.kind == "f" and arr.dtype != d else arr)

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def half(self) -> Module:
        return self.to(np.float16)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        raise DeviceUnavailableError("Module.cuda(): Torch not compiled with CUDA enabled (netgrad "
                                     "runs on the CPU only)")

    def state_dict(self, destination: OrderedDict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """An OrderedDict name -> Tensor of every parameter and persistent buffer (sharing
        memory, detached unless ``keep_vars``)."""
        out = OrderedDict() if destination is None else destination
        # A module shared under two names is listed under both, as in PyTorch.
        for mod_prefix, m in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            pre = mod_prefix + ("." if mod_prefix else "")
            for name, p in m._parameters.items():
                if p is not None:
                    out[pre + name] = p if keep_vars else p.detach()
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    out[pre + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` (values copied in place).

        Shapes must match; with ``strict`` the keys must match exactly. Errors name every missing
        key, unexpected key and shape mismatch. Returns (missing_keys, unexpected_keys).
        """
        for pre, m in self.named_modules():
            if getattr(m, "has_uninitialized_params", None) is not None and m.has_uninitialized_params():
                m.materialize_from(state_dict, pre + "." if pre else "")  # a lazy layer takes its shape
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for k, target in own.items():
            if k not in state_dict:
                continue
            v = state_dict[k]
            arr = v._data if isinstance(v, Tensor) else np.asarray(v)
            if arr.shape != target.shape:
                errors.append(f"size mismatch for {k}: copying a param with shape {arr.shape} from "
                              f"checkpoint, the shape in current model is {target.shape}.")
        if strict:
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ".")
            if unexpected:
                errors.insert(1 if missing else 0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ".")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        for k, target in own.items():
            if k in state_dict:
                v = state_dict[k]
                arr = v._data if isinstance(v, Tensor) else np.asarray(v)
                target._data[...] = arr.astype(target.dtype, copy=False)
                version_box(target)[0] += 1  # an in-place change, as torch's copy_ under no_grad
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        """The text between the parentheses of this module's one-line repr."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, mod in self._modules.items():
            text = repr(mod).replace("\n", "\n  ")
            lines.append(f"({name}): {text}")
        if not self._modules:
            return f"{self._get_name()}({extra})"
        body = "\n  ".join(lines)
        return f"{self._get_name()}(\n  {body}\n)"

    def __setstate__(self, state: dict) -> None:
        d = self.__dict__
        d.update(state)
        for key in _REGISTRIES:  # pickled/copied as plain dicts: registries of this module again
            reg = d.get(key)
            if reg is not None and not (isinstance(reg, Registry) and reg._module() is self):
                d[key] = Registry(reg, owner=self)
