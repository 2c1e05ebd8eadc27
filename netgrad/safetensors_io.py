"""``ng.save`` / ``ng.load`` of ``*.safetensors`` files: a flat ``{name: tensor}`` dict (a
``state_dict``) in Hugging Face's safetensors format, through the optional ``safetensors`` package
(``pip install netgrad[safetensors]``).

The file holds raw little-endian bytes and a JSON header, so it loads without pickle and into other
frameworks: PyTorch's ``safetensors.torch.load_file`` gives a ``state_dict`` for the same model
(parameter names and layouts match torch's). Loading returns a dict of netgrad tensors, as
``safetensors.torch.load_file`` returns torch tensors. Written atomically like ``ng.save``.

>>> import os, tempfile
>>> import netgrad as ng
>>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
>>> ng.save({"w": ng.tensor([1.0, 2.0]), "step": ng.tensor(3)}, path)
>>> ng.load(path)
{'step': tensor(3), 'w': tensor([1., 2.])}
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._atomic import atomic_write
from ._npz import LoadError
from .autograd import Tensor

__all__ = ["save_safetensors", "load_safetensors", "is_safetensors_path"]

_SUFFIX = ".safetensors"
# What the format (as the ``safetensors`` package's NumPy bridge reads it) can hold.
_DTYPES = {np.dtype(t) for t in (np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
                                 np.int8, np.uint64, np.uint32, np.uint16, np.uint8, np.bool_,
                                 np.complex64)}


def is_safetensors_path(path: Any) -> bool:
    """True when ``path`` names a ``.safetensors`` file (the suffix decides the format)."""
    try:
        return os.fspath(path).lower().endswith(_SUFFIX)
    except TypeError:
        return False


def _package(op: str) -> Any:
    try:
        import safetensors
        import safetensors.numpy  # noqa: F401
    except ImportError as e:
        raise ImportError(f"{op}: .safetensors files need the 'safetensors' package: "
                          "pip install 'netgrad[safetensors]' (or pip install safetensors)") from e
    return safetensors


def _flat_arrays(obj: Any, path: str) -> tuple[dict[str, np.ndarray], dict[str, str] | None]:
    if not isinstance(obj, dict):
        raise TypeError(f"save: {path}: a .safetensors file holds a flat dict of tensors (a state_dict), "
                        f"got {type(obj).__name__}; use another suffix for ng.save's general format")
    arrays: dict[str, np.ndarray] = {}
    for k, v in obj.items():
        if not isinstance(k, str):
            raise TypeError(f"save: {path}: .safetensors keys must be str, got {type(k).__name__} ({k!r})")
        if isinstance(v, Tensor):
            arr = v._data
        elif isinstance(v, np.ndarray):
            arr = v
        else:
            raise TypeError(f"save: {path}: .safetensors values must be tensors or arrays; {k!r} is "
                            f"{type(v).__name__}")
        if arr.dtype not in _DTYPES:
            raise TypeError(f"save: {path}: .safetensors cannot store {k!r} of dtype {arr.dtype}")
        arrays[k] = arr if arr.flags.c_contiguous else arr.copy(order="C")  # keeps 0-d as 0-d
    return arrays, None


def save_safetensors(obj: Any, path: str | os.PathLike) -> None:
    """Write a ``{name: tensor}`` dict to ``path`` in the safetensors format, atomically."""
    path = os.fspath(path)
    st = _package("save")
    arrays, metadata = _flat_arrays(obj, path)
    data = st.numpy.save(arrays, metadata=metadata)
    atomic_write(path, lambda f: f.write(data))


def load_safetensors(path: str | os.PathLike) -> dict[str, Tensor]:
    """Read a ``.safetensors`` file as a dict of netgrad tensors (keys in the file's sorted order).
    A malformed file raises ``LoadError`` (a ValueError) naming it; memory use is bounded by the
    file's size (each tensor's bytes are checked to lie within the file before they are read)."""
    path = os.fspath(path)
    st = _package("load")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {path}")
    out: dict[str, Tensor] = {}
    try:
        # safe_open checks the header (size, offsets within the file, dtypes) before reading a tensor
        # and reads each tensor's bytes alone (memory-mapped), so nothing is decompressed or executed.
        with st.safe_open(path, framework="np") as f:
            for k in sorted(f.keys()):
                out[k] = Tensor._make(np.array(f.get_tensor(k), copy=True))
    except Exception as e:  # the package raises its own SafetensorError and OSError-like errors
        if isinstance(e, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        raise LoadError(f"load: {path} is not a valid .safetensors file ({type(e).__name__}: {e})") from e
    return out
