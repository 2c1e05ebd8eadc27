"""The ``Optimizer`` base class: parameter groups, ``zero_grad``, ``step``, state dicts.

Every optimiser updates ``p._data`` in place with NumPy ``out=`` arguments; per-parameter state
buffers and one scratch array per parameter are allocated on the first step, so later steps
allocate nothing (except small Python objects).

>>> import netgrad as ng
>>> from netgrad import optim
>>> w = ng.tensor([1.0, -2.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.5)
>>> (w * w).sum().backward()            # dJ/dw = 2w
>>> opt.step(); opt.zero_grad()
>>> w
tensor([0., 0.], requires_grad=True)
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Iterable

import numpy as np

from ..autograd import Tensor

__all__ = ["Optimizer", "required"]


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class: holds ``param_groups`` (a list of dicts with ``'params'`` and hyper-parameters)
    and ``state`` (a dict keyed by the parameter tensor itself, never by ``id()``)."""

    _n_scratch = 2  # work arrays per parameter, allocated once

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of tensors or of dicts, "
                            "got a single Tensor; wrap it in a list")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)
        self._scratch: dict[Tensor, tuple[np.ndarray, ...]] = {}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (others from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: expected a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: can only optimise Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: can't optimise a non-leaf Tensor")
            if p.dtype.kind != "f":
                raise TypeError(f"{type(self).__name__}: parameters must be floating point, got {p.dtype}")
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"{type(self).__name__}: parameter group didn't specify a value of "
                                 f"required optimisation parameter {name}")
            group.setdefault(name, default)
        seen = {p for g in self.param_groups for p in g["params"]}
        if len(set(params)) != len(params) or any(p in seen for p in params):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad`` (to None by default, or to zeros in place)."""
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.grad_fn = None
                    p.grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient. ``closure`` re-evaluates the loss
        (with backward) and its value is returned."""
        loss = None
        if closure is not None:
            from ..autograd.grad_mode import enable_grad

            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad._data
                if g.shape != p._data.shape:
                    raise ValueError(f"{type(self).__name__}.step: gradient of shape {g.shape} does not "
                                     f"match its parameter of shape {p._data.shape}")
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = self._init_state(p, group)
                scratch = self._scratch.get(p)
                if scratch is None or scratch[0].dtype != p._data.dtype or scratch[0].shape != p._data.shape:
                    scratch = tuple(np.empty_like(p._data) for _ in range(self._n_scratch))
                    self._scratch[p] = scratch
                self._update(p._data, g, state, group, scratch)
        return loss

    # ----------------------------------------------------------- subclasses
    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {}

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any],
                scratch: tuple[np.ndarray, ...]) -> None:
        """Update ``w`` in place from its gradient ``g`` (never written: it may be shared);
        ``scratch`` holds ``_n_scratch`` arrays shaped like ``w`` for intermediate results."""
        raise NotImplementedError

    @staticmethod
    def _grad_with_decay(w: np.ndarray, g: np.ndarray, wd: float, maximize: bool,
                         out: np.ndarray) -> np.ndarray:
        """d = (-g if maximize else g) + wd * w, written to ``out`` unless it is just g."""
        if not wd:
            return np.negative(g, out=out) if maximize else g
        np.multiply(w, wd, out=out)
        return np.subtract(out, g, out=out) if maximize else np.add(out, g, out=out)

    # ----------------------------------------------------------- state dicts
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` as PyTorch:
        parameters are numbered in group order. Tensors in the state are copies."""
        index: dict[Tensor, int] = {}
        groups = []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index.setdefault(p, len(index))
                ids.append(index[p])
            groups.append({**{k: copy.deepcopy(v) for k, v in g.items() if k != "params"}, "params": ids})
        state = {}
        for p, s in self.state.items():
            if p in index:
                state[index[p]] = {k: Tensor._make(v._data.copy("K")) if isinstance(v, Tensor) else v
                                   for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by ``state_dict()`` (values are copied)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state has {len(groups)} "
                             f"parameter groups, this optimiser {len(self.param_groups)}")
        params: dict[int, Tensor] = {}
        for mine, saved in zip(self.param_groups, groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(f"{type(self).__name__}.load_state_dict: a parameter group has "
                                 f"{len(saved['params'])} parameters in the state, "
                                 f"{len(mine['params'])} here")
            for i, p in zip(saved["params"], mine["params"]):
                params[int(i)] = p
        self.state = {}
        self._scratch = {}
        for key, s in state_dict["state"].items():
            p = params.get(int(key))
            if p is None:
                continue
            restored = {}
            for k, v in s.items():
                if isinstance(v, Tensor) or isinstance(v, np.ndarray):
                    arr = v._data if isinstance(v, Tensor) else v
                    if arr.shape != p._data.shape and arr.ndim:
                        raise ValueError(f"{type(self).__name__}.load_state_dict: state {k!r} of shape "
                                         f"{arr.shape} does not fit a parameter of shape {p._data.shape}")
                    dt = p._data.dtype if arr.dtype.kind == "f" else arr.dtype
                    if arr.shape == p._data.shape:  # in the parameter's memory layout, as step keeps it
                        v = Tensor._make(np.empty_like(p._data, dtype=dt))
                        v._data[...] = arr
                    else:
                        v = Tensor._make(np.array(arr, dtype=dt, copy=True))
                restored[k] = v
            self.state[p] = restored
        for mine, saved in zip(self.param_groups, groups):
            for k, v in saved.items():
                if k != "params":
                    mine[k] = tuple(v) if isinstance(mine.get(k), tuple) and isinstance(v, list) else v


def _buf(p: Tensor, fill: float = 0.0) -> Tensor:
    """A state buffer shaped and typed as the parameter (a Tensor, as PyTorch's state)."""
    return Tensor._make(np.full_like(p._data, fill))

