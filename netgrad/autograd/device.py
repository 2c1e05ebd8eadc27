"""The ``device`` type and the check every factory and ``to`` make (only the CPU exists).

Lives in the autograd layer so that factories can check ``device=`` arguments; ``netgrad.device``
(the module) adds PyTorch's ``cuda``/``backends``/``accelerator`` namespaces on top.

>>> device('cpu', 0)
device(type='cpu', index=0)
"""

from __future__ import annotations

from typing import Any

__all__ = ["device", "DeviceUnavailableError", "check_device", "CPU"]

# PyTorch's list of device types (it names them all when a string matches none).
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class DeviceUnavailableError(RuntimeError, AssertionError):
    """A device other than the CPU was asked for; netgrad has none."""


class device:  # noqa: N801 - PyTorch's name
    """``device('cpu')``, ``device('cpu', 0)``, ``device('cuda:1')``: a device's ``type`` and
    ``index``. Any of PyTorch's device types can be named; only 'cpu' can hold tensors.

    >>> device('cpu', 0)
    device(type='cpu', index=0)
    """

    __slots__ = ("type", "index")

    def __new__(cls, type: Any = None, index: int | None = None) -> device:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device: an index cannot be given with a device object")
            return type
        if isinstance(type, int) and not isinstance(type, bool):
            raise DeviceUnavailableError("device: a bare index names an accelerator device; "
                                         "netgrad has none (use 'cpu')")
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string such as 'cpu', got {type.__class__.__name__}")
        kind, sep, idx = type.partition(":")
        if kind not in _TYPES:
            if sep and not idx.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f"device string: {type}")
        if sep:
            if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                raise RuntimeError(f"Invalid device string: {type!r}")
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            index = int(idx)
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' must be int, not {index.__class__.__name__}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        obj = object.__new__(cls)
        object.__setattr__(obj, "type", kind)
        object.__setattr__(obj, "index", index)
        return obj

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"device: attribute {name!r} is read-only")

    def __eq__(self, other: object) -> bool:
        # netgrad also compares with strings: device('cpu') == 'cpu' (False in PyTorch 2.13,
        # which compares devices with devices only; code that relies on that is always False)
        if isinstance(other, str):
            return str(self) == other
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash(str(self))  # equal to its string, so it hashes like it

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __enter__(self) -> device:
        """``with device('cpu'):`` as torch's default-device context; other devices raise here
        (PyTorch raises at the first tensor made inside)."""
        check_device(self, "device context")
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def check_device(dev: Any, op: str = "netgrad") -> None:
    """Accept None, 'cpu', 'cpu:N' or a cpu ``device``; raise naming any other device."""
    if dev is None:
        return
    d = device(dev)
    if d.type != "cpu":
        raise DeviceUnavailableError(
            f"{op}: device {str(d)!r} is not available: netgrad runs on the CPU only "
            "(like PyTorch built without CUDA: 'Torch not compiled with CUDA enabled')")
