"""``nn.ParameterList`` and ``nn.ParameterDict``: lists and dicts of Parameters that a Module
registers (a plain list would hide them from ``parameters()`` and the optimizer).

>>> import netgrad as ng
>>> class Poly(ng.nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.coef = ng.nn.ParameterList([ng.nn.Parameter(ng.zeros(())) for _ in range(4)])
...     def forward(self, x):
...         return sum(c * x ** k for k, c in enumerate(self.coef))
>>> len(list(Poly().parameters()))
4
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..autograd import Tensor
from ..autograd.dtypes import torch_name
from .module import Module
from .parameter import Parameter

__all__ = ["ParameterList", "ParameterDict"]


def _as_parameter(value: Any) -> Any:
    # torch wraps plain tensors into Parameters; anything else is stored as a plain attribute
    if isinstance(value, Parameter) or not isinstance(value, Tensor):
        return value
    return Parameter(value)


def _describe(value: Any, type_names: bool) -> str:
    """One entry as PyTorch prints it: ParameterList names the dtype, ParameterDict the type."""
    if isinstance(value, Tensor):
        kind = "Parameter containing" if isinstance(value, Parameter) else "Tensor"
        size = "x".join(str(s) for s in value.shape)
        name = _tname(value) if type_names else str(value.dtype)
        return f"{kind}: [torch.{name} of size {size}]"
    return repr(value)


def _container_repr(name: str, lines: list[str]) -> str:
    # PyTorch's layout: one entry on the same line, several on their own indented lines
    if len(lines) <= 1:
        return f"{name}(" + "".join("  " + line for line in lines) + ")"
    return f"{name}(\n" + "\n".join("    " + line for line in lines) + "\n)"


def _tname(t: Tensor) -> str:
    return f"{torch_name(t.dtype)}Tensor"


class ParameterList(Module):
    """A list of Parameters, each registered under its index ("0", "1", ...)."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _set(self, key: int, value: Any) -> None:
        value = _as_parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(str(key), value)
        else:
            setattr(self, str(key), value)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ParameterList([self[i] for i in range(len(self))[idx]])
        if not -len(self) <= idx < len(self):
            raise IndexError(f"ParameterList: index {idx} is out of range for {len(self)} parameters")
        return getattr(self, str(idx % len(self)))

    def __setitem__(self, idx: int, value: Any) -> None:
        self[idx]  # range check
        self._set(idx % len(self), value)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        self._size += 1
        self._set(self._size - 1, value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for v in values:
            self.append(v)
        return self

    def __repr__(self) -> str:
        return _container_repr("ParameterList", [f"({i}): {_describe(v, False)}" for i, v in enumerate(self)])

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError("ParameterList has no forward(): use its parameters in your own forward")


class ParameterDict(Module):
    """A dict of Parameters, each registered under its key (insertion order)."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._keys[key] = None
        value = _as_parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(key, value)
        else:
            setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def keys(self):
        return self._keys.keys()

    def values(self):
        return [self[k] for k in self._keys]

    def items(self):
        return [(k, self[k]) for k in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._keys else default

    def pop(self, key: str) -> Any:
        v = self[key]
        del self[key]
        return v

    def update(self, parameters: Any) -> None:
        items = parameters.items() if hasattr(parameters, "items") else parameters
        for k, v in items:
            self[k] = v

    def __repr__(self) -> str:
        return _container_repr("ParameterDict", [f"({k}): {_describe(v, True)}" for k, v in self.items()])

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError("ParameterDict has no forward(): use its parameters in your own forward")
