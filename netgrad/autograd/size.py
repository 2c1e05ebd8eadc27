"""``Size``: a shape, as PyTorch's ``torch.Size`` (a tuple of ints with ``numel()``).

>>> s = Size([2, 3])
>>> s, s.numel(), s == (2, 3), s[1:]
(netgrad.Size([2, 3]), 6, True, netgrad.Size([3]))
"""

from __future__ import annotations

import operator
from typing import Any, Iterable


class Size(tuple):
    """A tuple of ints; slicing, ``+`` and ``*`` give a Size back, as in PyTorch."""

    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        out = []
        for i, s in enumerate(sizes):
            if isinstance(s, float) or not hasattr(s, "__index__"):
                raise TypeError(f"Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(s).__name__}')")
            out.append(operator.index(s))
        return super().__new__(cls, out)

    @classmethod
    def _trusted(cls, shape: tuple) -> Size:
        """Wrap an ndarray's shape (already ints) without checking: for ``Tensor.shape``."""
        return tuple.__new__(cls, shape)

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, index: Any) -> Any:
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n: Any) -> Size:
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"netgrad.Size({list(self)})"

    def __reduce__(self):
        return (Size, (tuple(self),))
