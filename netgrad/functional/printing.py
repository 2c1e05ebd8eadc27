"""``set_printoptions`` / ``get_printoptions``: how tensors print (PyTorch's options).

``precision`` (digits after the point, 4), ``threshold`` (elements before summarising, 1000),
``edgeitems`` (3), ``linewidth`` (80), ``sci_mode`` (None: automatic), ``profile``
('default', 'short', 'full'). NumPy's own print options are left alone.

>>> import netgrad as ng
>>> ng.set_printoptions(precision=2); s = repr(ng.tensor([1.23456, 2.0]))
>>> ng.set_printoptions(profile="default"); s
'tensor([1.23, 2.00])'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor

__all__ = ["set_printoptions", "get_printoptions"]

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": np.inf, "edgeitems": 3, "linewidth": 80},
}
_opts: dict[str, Any] = {**_PROFILES["default"], "sci_mode": None}
_plain_repr = Tensor.__repr__  # autograd/tensor.py's, which prints with the defaults


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print; options not given keep their value (a profile resets them first)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        _opts.update(_PROFILES[profile])
    for name, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                    ("linewidth", linewidth)):
        if v is not None:
            _opts[name] = v
    _opts["sci_mode"] = sci_mode


def get_printoptions() -> dict[str, Any]:
    return dict(_opts)


def _body(arr: np.ndarray, precision: int) -> str:
    # the same choices as Tensor.__repr__: whole floats print as '1.', others with fixed digits
    opts = {"precision": precision, "separator": ", ", "prefix": "tensor("}
    if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        return np.array2string(arr, **opts, formatter={"float_kind": lambda v: f"{v:.0f}."})
    return np.array2string(arr, **opts, floatmode="fixed" if arr.dtype.kind == "f" else "maxprec")


def _repr(self: Tensor) -> str:
    o = _opts
    with np.printoptions(threshold=o["threshold"], edgeitems=o["edgeitems"],
                         linewidth=o["linewidth"], suppress=o["sci_mode"] is False):
        plain = _plain_repr(self)
        if o["precision"] == 4 and not o["sci_mode"]:
            return plain
        # swap in the body printed with this precision; the rest (dtype, grad_fn) is tensor.py's
        default, body = _body(self._data, 4), _body(self._data, o["precision"])
        if o["sci_mode"] and self._data.dtype.kind == "f":
            body = np.array2string(self._data, precision=o["precision"], separator=", ",
                                   prefix="tensor(", formatter={
                                       "float_kind": lambda v: np.format_float_scientific(
                                           v, precision=o["precision"], unique=False)})
    head = "tensor(" + default
    return "tensor(" + body + plain[len(head):] if plain.startswith(head) else plain


Tensor.__repr__ = _repr
