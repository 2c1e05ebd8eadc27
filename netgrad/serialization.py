"""``ng.save`` / ``ng.load``: nested dicts, lists and tuples of tensors, arrays, numbers, strings,
booleans and None, in a ``.npz`` file that loads without pickle.

The arrays are stored as ``.npz`` members ``a0, a1, ...``; the nesting, Python scalars and dict
keys as a JSON document in the member ``__netgrad__``. Both are written and read with
``allow_pickle=False``, so loading a file never runs code. Files are written atomically: a temporary
file in the same directory, flushed and fsync'd, then ``os.replace``'d over the target.

>>> import os, tempfile
>>> import netgrad as ng
>>> path = os.path.join(tempfile.mkdtemp(), "state.ngz")
>>> ng.save({"w": ng.tensor([1.0, 2.0]), "epoch": 3, "name": "mlp", "betas": (0.9, 0.999)}, path)
>>> ng.load(path)
{'w': tensor([1., 2.]), 'epoch': 3, 'name': 'mlp', 'betas': (0.9, 0.999)}
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from typing import Any

import numpy as np

from .autograd import Tensor
from . import safetensors_io as _safetensors

__all__ = ["save", "load"]

_META = "__netgrad__"
_FORMAT = 1


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, arr: np.ndarray, where: str) -> str:
        if arr.dtype.hasobject or arr.dtype.kind not in "biufc":
            raise TypeError(f"save: cannot store an array of dtype {arr.dtype} at {where}")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.ascontiguousarray(arr)
        return key

    def encode(self, obj: Any, where: str) -> Any:
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int):
            return {"t": "int", "v": int(obj)}
        if isinstance(obj, float):
            return {"t": "float", "v": float(obj)}
        if isinstance(obj, str):
            return {"t": "str", "v": obj}
        if isinstance(obj, Tensor):
            return {"t": "tensor", "k": self._array(obj._data, where), "rg": obj.requires_grad}
        if isinstance(obj, np.ndarray):
            return {"t": "ndarray", "k": self._array(obj, where)}
        if isinstance(obj, np.generic):
            return {"t": "npscalar", "k": self._array(np.asarray(obj), where)}
        if isinstance(obj, (list, tuple)):
            kind = "tuple" if isinstance(obj, tuple) else "list"
            return {"t": kind, "v": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not isinstance(k, (str, int, float, bool, type(None), tuple)):
                    raise TypeError(f"save: dict keys must be str, numbers, booleans, None or tuples; "
                                    f"got {type(k).__name__} at {where}")
                items.append([self.encode(k, f"{where} key {k!r}"), self.encode(v, f"{where}[{k!r}]")])
            return {"t": "dict", "v": items}
        raise TypeError(f"save: cannot store an object of type {type(obj).__name__} at {where} "
                        "(tensors, arrays, numbers, strings, booleans, None, lists, tuples, dicts only)")


def _decode(node: Any, arrays: Any, path: str) -> Any:
    t = node["t"]
    if t == "none":
        return None
    if t in ("bool", "int", "float", "str"):
        return node["v"]
    if t == "tensor":
        out = Tensor._make(arrays[node["k"]])
        if node.get("rg") and out._data.dtype.kind == "f":
            out.requires_grad_(True)
        return out
    if t == "ndarray":
        return arrays[node["k"]]
    if t == "npscalar":
        return arrays[node["k"]][()]
    if t == "list":
        return [_decode(v, arrays, path) for v in node["v"]]
    if t == "tuple":
        return tuple(_decode(v, arrays, path) for v in node["v"])
    if t == "dict":
        return {_decode(k, arrays, path): _decode(v, arrays, path) for k, v in node["v"]}
    raise ValueError(f"load: {path}: unknown entry type {t!r} (file written by a newer netgrad?)")


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` to ``path`` atomically (the file is either the old one or the complete new one)."""
    if _safetensors.is_safetensors_path(path):  # a flat state_dict in the safetensors format
        return _safetensors.save_safetensors(obj, path)
    enc = _Encoder()
    structure = {"format": _FORMAT, "root": enc.encode(obj, "the root")}
    meta = np.frombuffer(json.dumps(structure).encode("utf-8"), dtype=np.uint8)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path) + "-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{_META: meta}, **enc.arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable (not possible on every platform)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def load(path: str | os.PathLike) -> Any:
    """Read an object written by ``save`` (no pickle: safe on untrusted files)."""
    if _safetensors.is_safetensors_path(path):
        return _safetensors.load_safetensors(path)
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            if _META not in z.files:
                raise ValueError(f"load: {path} is an .npz file but was not written by netgrad.save "
                                 f"(no {_META} entry)")
            structure = json.loads(z[_META].tobytes().decode("utf-8"))
            arrays = {k: z[k] for k in z.files if k != _META}
    except (zipfile.BadZipFile, EOFError, OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"load: {path} is corrupt or truncated, or not a netgrad file ({e})") from e
    except ValueError as e:
        if str(e).startswith("load:"):
            raise
        raise ValueError(f"load: {path} is corrupt or not a netgrad file ({e})") from e
    if structure.get("format", 0) > _FORMAT:
        raise ValueError(f"load: {path} uses format {structure.get('format')}, newer than this netgrad "
                         f"({_FORMAT})")
    return _decode(structure["root"], arrays, path)
