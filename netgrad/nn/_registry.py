"""The registries of an ``nn.Module`` (``_parameters``, ``_buffers``, ``_modules``).

A module also keeps each registered entry in its instance ``__dict__`` (the "mirror"), so that
reading ``self.weight`` is a plain attribute lookup rather than a call to ``Module.__getattr__``
(about 15x faster; a Linear forward reads two). The mirror is written only here, by the registry
itself, on every change to it -- ``m._parameters["weight"] = p``, ``del``, ``pop``, ``update``,
``clear`` as much as ``m.weight = p`` -- so the attribute and the registry can never disagree.
A name the module's class defines (a method such as ModuleDict's ``keys``) is not mirrored, so the
class attribute wins, as in PyTorch.

>>> import netgrad.nn as nn
>>> lin = nn.Linear(2, 3)
>>> p = nn.Parameter(lin.weight.detach().clone())
>>> lin._parameters["weight"] = p
>>> lin.weight is p
True
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

__all__ = ["Registry"]


class Registry(OrderedDict):
    """An ordered name -> value dict that mirrors every entry into its owner's ``__dict__``."""

    _owner: Any = None  # weakref.ref to the Module, or None (a free-standing registry)

    def __init__(self, items: Any = (), *, owner: Any = None) -> None:
        # ``owner`` is keyword-only: OrderedDict's copy() and ``|`` call ``type(self)(self)``,
        # which must give a free-standing dict, not one that writes into some module.
        super().__init__()
        self._owner = None if owner is None else weakref.ref(owner)
        for name, value in dict(items).items():
            self[name] = value

    def _module(self) -> Any:
        ref = self._owner
        return None if ref is None else ref()

    def __setitem__(self, name: str, value: Any) -> None:
        OrderedDict.__setitem__(self, name, value)
        owner = self._module()
        if owner is not None and not hasattr(type(owner), name):
            owner.__dict__[name] = value

    def _dropped(self, name: str, value: Any) -> None:
        owner = self._module()
        if owner is not None:
            d = owner.__dict__
            if name in d and d[name] is value:
                del d[name]

    def __delitem__(self, name: str) -> None:
        value = self[name]
        OrderedDict.__delitem__(self, name)
        self._dropped(name, value)

    def pop(self, name: str, *default: Any) -> Any:
        if name not in self:
            return OrderedDict.pop(self, name, *default)
        value = OrderedDict.pop(self, name)
        self._dropped(name, value)
        return value

    def popitem(self, last: bool = True) -> tuple:
        name, value = OrderedDict.popitem(self, last)
        self._dropped(name, value)
        return name, value

    def clear(self) -> None:
        for name, value in list(self.items()):
            self._dropped(name, value)
        OrderedDict.clear(self)

    def detach(self) -> None:
        """Stop feeding the owner: its mirror entries of this registry go, the entries stay."""
        for name, value in list(self.items()):
            self._dropped(name, value)
        self._owner = None

    def __reduce__(self) -> tuple:
        # Pickled and deep-copied as a plain OrderedDict (a weak reference cannot be pickled);
        # Module.__setstate__ makes it a registry of its new owner again.
        return (OrderedDict, (), None, None, iter(self.items()))

    def __copy__(self) -> OrderedDict:
        return OrderedDict(self)
