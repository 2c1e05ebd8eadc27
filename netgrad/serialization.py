"""``ng.save`` / ``ng.load``: nested dicts, lists and tuples of tensors, arrays, numbers, strings,
booleans and None, in a ``.npz`` file that loads without pickle.

The arrays are stored as ``.npz`` members ``a0, a1, ...``; the nesting, Python scalars and dict
keys as a JSON document in the member ``__netgrad__``. Files are written atomically: a temporary
file ``.tmp-NAME-PID-RANDOM`` in the same directory, flushed and fsync'd, then ``os.replace``'d
over the target, with the mode an ordinary new file gets (0644 under the usual umask); temporary
files that a killed save left behind are removed by the next save of the same name.

``load`` is a parser for untrusted files, never pickle: the metadata is checked against the schema
below before any array is touched; only the members it names are read, each after its ``.npy``
header (dtype, shape, byte count) was checked against the metadata, the member's stored size and
the limits (``max_bytes`` in all, ``MAX_DEPTH`` of nesting, ``MAX_NODES`` entries); compressed
members are refused unread (``netgrad/_npz.py``). So memory stays within the file's size (plus the
metadata's parse) whatever the file holds. Every problem raises ``LoadError`` (a ValueError) naming
the file and what is wrong.

Metadata schema: ``{"format": 1, "root": NODE}`` with NODE one of ``{"t": "none"}``,
``{"t": "bool"|"int"|"float"|"str", "v": value of that JSON type}``, ``{"t": "tensor", "k": "aN",
"rg": bool}``, ``{"t": "ndarray"|"npscalar", "k": "aN"}`` (each member named once; a npscalar's
array is 0-d), ``{"t": "list"|"tuple", "v": [NODE, ...]}``, ``{"t": "dict", "v": [[KEY, NODE],
...]}`` where KEY is a none, bool, int, float, str or a tuple of such keys.

>>> import os, tempfile
>>> import netgrad as ng
>>> path = os.path.join(tempfile.mkdtemp(), "state.ngz")
>>> ng.save({"w": ng.tensor([1.0, 2.0]), "epoch": 3, "name": "mlp", "betas": (0.9, 0.999)}, path)
>>> ng.load(path)
{'w': tensor([1., 2.]), 'epoch': 3, 'name': 'mlp', 'betas': (0.9, 0.999)}
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import sys
import threading
import time
from typing import Any

import numpy as np

from ._atomic import atomic_write
from ._npz import LoadError, NpzReader, open_npz
from .autograd import Tensor
from .nn.module import Module
from .nn.parameter import construction_budget as _param_budget
from .nn.rebuild import describe, qualified_name, rebuild
from . import safetensors_io as _safetensors

__all__ = ["save", "load", "LoadError", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals"]

_META = "__netgrad__"
_FORMAT = 1
MAX_DEPTH = 100  # containers inside containers, in save and load alike
MAX_NODES = 10_000_000  # entries of the metadata
MAX_BYTES = 1 << 40  # all arrays together, by default (load's max_bytes=)
_MAX_META = 64 << 20  # the metadata document's bytes
# '[', '{' and ',' in the metadata, counted before json.loads: its Python objects take up to ~250
# bytes per token (a 66 MB document of empty lists peaked at 5.8 GB), so this keeps the parse
# under ~1 GB; save refuses what load would
MAX_TOKENS = 4_000_000
_KEY = re.compile(r"a[0-9]{1,9}")
_SCALAR_TYPES = {"bool": bool, "int": int, "float": float, "str": str}
_FIELDS = {"none": {"t"}, "bool": {"t", "v"}, "int": {"t", "v"}, "float": {"t", "v"}, "str": {"t", "v"},
           "tensor": {"t", "k", "rg"}, "ndarray": {"t", "k"}, "npscalar": {"t", "k"},
           "list": {"t", "v"}, "tuple": {"t", "v"}, "dict": {"t", "v"}, "module": {"t", "v"}}
_KEY_KINDS = {"none", "bool", "int", "float", "str", "tuple"}


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, arr: np.ndarray, where: str) -> str:
        if arr.dtype.hasobject or arr.dtype.kind not in "biufc":
            raise TypeError(f"save: cannot store an array of dtype {arr.dtype} at {where}")
        key = f"a{len(self.arrays)}"
        # ascontiguousarray makes 0-d arrays 1-d: keep the shape (earlier netgrad stored
        # scalars as shape (1,), which load still accepts)
        self.arrays[key] = np.ascontiguousarray(arr).reshape(arr.shape)
        return key

    def encode(self, obj: Any, where: str, depth: int = 1) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError(f"save: {where} is nested more than {MAX_DEPTH} containers deep")
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
            return {"t": kind, "v": [self.encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not isinstance(k, (str, int, float, bool, type(None), tuple)):
                    raise TypeError(f"save: dict keys must be str, numbers, booleans, None or tuples; "
                                    f"got {type(k).__name__} at {where}")
                items.append([self.encode(k, f"{where} key {k!r}", depth + 1),
                              self.encode(v, f"{where}[{k!r}]", depth + 1)])
            return {"t": "dict", "v": items}
        if isinstance(obj, Module):
            return self._module(obj, where, depth)
        raise TypeError(f"save: cannot store an object of type {type(obj).__name__} at {where} "
                        "(tensors, arrays, numbers, strings, booleans, None, lists, tuples, dicts, "
                        "and models made of netgrad.nn layers only)")

    def _module(self, obj: Module, where: str, depth: int) -> Any:
        """A whole model: its description (netgrad.nn.rebuild) and its state_dict."""
        state = dict(obj.state_dict())
        try:
            spec = describe(obj)
            if "cls" in spec and list(rebuild(spec, state, _in_memory).state_dict()) != list(state):
                raise TypeError("it was changed after it was built (layers added or replaced); save "
                                "its state_dict() instead")
        except TypeError as e:
            raise TypeError(f"save: cannot store the model {type(obj).__name__} at {where}: {e}") from None
        return {"t": "module", "v": [self.encode(spec, f"{where} (layers)", depth + 1),
                                     self.encode(state, f"{where} (state)", depth + 1)]}


def _in_memory(name: str) -> type:
    """A class by ``module:qualname`` among modules already imported (never importing one)."""
    mod, _, qual = str(name).partition(":")
    obj: Any = sys.modules.get(mod)
    for part in qual.split("."):
        obj = getattr(obj, part, None) if part and part != "<locals>" else None
    if not isinstance(obj, type):
        raise ValueError(f"no class {name} is loaded in this program")
    return obj


# ---------------------------------------------------------------- allowed classes
_SAFE: dict[str, Any] = {}
_policy = threading.local()  # the weights_only of the load in progress, in this thread


def add_safe_globals(safe_globals: list) -> None:
    """Allow classes of your own in saved models, as ``torch.serialization.add_safe_globals``: a
    file may then name them, and load builds them with ``cls.__new__`` and fills in their state."""
    for obj in safe_globals:
        obj = obj[0] if isinstance(obj, tuple) else obj
        _SAFE[qualified_name(obj)] = obj


def get_safe_globals() -> list:
    return list(_SAFE.values())


def clear_safe_globals() -> None:
    _SAFE.clear()


class safe_globals:  # noqa: N801 - PyTorch's name
    """``with safe_globals([MyModel, ...]):`` the classes are allowed inside the block only."""

    def __init__(self, safe_globals: list) -> None:
        self.objs = list(safe_globals)

    def __enter__(self) -> safe_globals:
        self.before = dict(_SAFE)
        add_safe_globals(self.objs)
        return self

    def __exit__(self, *exc: Any) -> bool:
        _SAFE.clear()
        _SAFE.update(self.before)
        return False


def _resolve(name: str) -> type:
    if name in _SAFE and isinstance(_SAFE[name], type):
        return _SAFE[name]
    if getattr(_policy, "weights_only", None) is False:
        return _in_memory(name)
    qual = str(name).partition(":")[2]
    raise ValueError(f"the model is of class {name}, which this load does not allow: allow it with "
                     f"netgrad.serialization.add_safe_globals([{qual}]) or inside `with "
                     f"netgrad.serialization.safe_globals([{qual}]):`, as in PyTorch, or pass "
                     "weights_only=False (only classes already imported are used; netgrad never "
                     "imports code or unpickles)")


def _check_schema(structure: Any, fail: Any) -> dict[str, str]:
    """Check the metadata against the schema (iteratively: no recursion on hostile nesting);
    return {member key: node type} for the arrays it names."""
    if not isinstance(structure, dict) or set(structure) != {"format", "root"}:
        raise fail("not a netgrad file (its metadata is not {format, root})")
    fmt = structure["format"]
    if type(fmt) is not int or fmt < 1:
        raise fail(f"the metadata's format is {fmt!r}, not a positive integer")
    if fmt > _FORMAT:
        raise fail(f"uses format {fmt}, newer than this netgrad ({_FORMAT})")
    refs: dict[str, str] = {}
    stack: list[tuple[Any, int, Any, bool]] = [(structure["root"], 1, ("the root",), False)]
    nodes = 0
    while stack:
        node, depth, where, is_key = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise fail(f"the metadata has more than {MAX_NODES} entries")
        if depth > MAX_DEPTH:
            raise fail(f"{_where(where)} is nested more than {MAX_DEPTH} containers deep")
        t = node.get("t") if isinstance(node, dict) else None
        fields = _FIELDS.get(t) if isinstance(t, str) else None
        if fields is None:
            what = f"unknown entry type {t!r}" if isinstance(t, str) else "an entry that is not {'t': ...}"
            raise fail(f"{what} at {_where(where)}")
        if set(node) != fields:
            raise fail(f"the {t} entry at {_where(where)} has fields {sorted(node)}, "
                       f"expected {sorted(fields)}")
        if is_key and t not in _KEY_KINDS:
            raise fail(f"a dict key of type {t} at {_where(where)} (keys are scalars, strings or tuples)")
        if t in _SCALAR_TYPES:
            v = node["v"]
            if type(v) is not _SCALAR_TYPES[t]:
                raise fail(f"the {t} at {_where(where)} holds {type(v).__name__} {_short(v)}")
        elif t in ("tensor", "ndarray", "npscalar"):
            k = node["k"]
            if not isinstance(k, str) or not _KEY.fullmatch(k):
                raise fail(f"the {t} at {_where(where)} names member {_short(k)} (expected a0, a1, ...)")
            if k in refs:
                raise fail(f"the member {k!r} is named twice (at {_where(where)})")
            if t == "tensor" and type(node["rg"]) is not bool:
                raise fail(f"the tensor at {_where(where)} has requires_grad {_short(node['rg'])}")
            refs[k] = t
        elif t != "none":  # list, tuple, dict
            v = node["v"]
            if not isinstance(v, list):
                raise fail(f"the {t} at {_where(where)} holds {type(v).__name__}, not a list")
            if t == "dict":
                for i, item in enumerate(v):
                    if not isinstance(item, list) or len(item) != 2:
                        raise fail(f"item {i} of the dict at {_where(where)} is not a [key, value] pair")
                    stack.append((item[0], depth + 1, (where, " key of item ", i), True))
                    stack.append((item[1], depth + 1, (where, "[", i, "]"), False))
            elif t == "module" and (len(v) != 2 or is_key):
                raise fail(f"the module at {_where(where)} is not [layers, state]")
            else:
                key_items = is_key  # a tuple key holds keys
                stack.extend((item, depth + 1, (where, "[", i, "]"), key_items) for i, item in enumerate(v))
    return refs


def _tokens(meta: np.ndarray) -> int:
    """The number of '[', '{' and ',' bytes in the metadata: a bound on its JSON values."""
    return int(np.count_nonzero((meta == 44) | (meta == 91) | (meta == 123)))


def _where(where: Any) -> str:
    """A location kept as nested tuples (cheap to build), spelled out only for an error."""
    parts: list[str] = []
    while isinstance(where, tuple) and len(where) > 1:
        parts.extend(str(p) for p in reversed(where[1:]))
        where = where[0]
    parts.append(where[0] if isinstance(where, tuple) else str(where))
    return "".join(reversed(parts))


def _short(v: Any) -> str:
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def _decode(node: dict, arrays: dict[str, np.ndarray]) -> Any:
    """Build the object from checked metadata (depth bounded by MAX_DEPTH)."""
    t = node["t"]
    if t == "none":
        return None
    if t in _SCALAR_TYPES:
        return node["v"]
    if t == "tensor":
        out = Tensor._make(arrays[node["k"]])
        if node["rg"] and out._data.dtype.kind in "biu":  # save never writes these
            raise ValueError(f"the tensor in member {node['k']!r} is {out._data.dtype} but marked "
                             "requires_grad (only floating-point tensors can require gradients)")
        if node["rg"] and out._data.dtype.kind == "f":
            out.requires_grad_(True)
        return out
    if t == "ndarray":
        return arrays[node["k"]]
    if t == "npscalar":
        return arrays[node["k"]][()]
    if t == "list":
        return [_decode(v, arrays) for v in node["v"]]
    if t == "tuple":
        return tuple(_decode(v, arrays) for v in node["v"])
    if t == "module":
        return _decode_module(_decode(node["v"][0], arrays), _decode(node["v"][1], arrays))
    return {_decode(k, arrays): _decode(v, arrays) for k, v in node["v"]}


def _decode_module(spec: Any, state: Any) -> Module:
    """Rebuild a saved model: netgrad.nn classes, and classes of your own only where allowed
    (``safe_globals``), with sizes its own arrays bound (no integer argument above max(1024, the
    largest dimension stored), and the constructors' allocations within twice the file's arrays),
    so a hostile file can neither run code of its choosing nor make a constructor allocate more
    than the file holds."""
    if not isinstance(spec, dict) or not isinstance(state, dict):
        raise ValueError("a saved model must be [layers, state]")
    dims = [d for v in state.values() if isinstance(v, Tensor) for d in v.shape]
    _check_sizes(spec, max([1024, *dims]))
    stored = sum(v.numel() for v in state.values() if isinstance(v, Tensor))
    _param_budget.limit = _param_budget.left = 2 * stored + (1 << 16)  # the constructors' allowance
    try:
        model = rebuild(spec, state, _resolve)
        _param_budget.left = None
        model.load_state_dict(state)
    except (TypeError, RuntimeError, KeyError, AttributeError, ArithmeticError, MemoryError) as e:
        what = "more memory than exists" if isinstance(e, MemoryError) else f"{type(e).__name__}: {e}"
        raise ValueError(f"the saved model cannot be rebuilt ({what})") from None
    except ValueError as e:
        raise ValueError(f"the saved model cannot be rebuilt: {e}") from None
    finally:
        _param_budget.left = None
    return model


def _check_sizes(spec: Any, bound: int) -> None:
    stack = [spec]
    while stack:
        v = stack.pop()
        if isinstance(v, bool):
            continue
        if isinstance(v, int) and abs(v) > bound:
            raise ValueError(f"the saved model asks for a size of {v}, more than its arrays hold ({bound})")
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)


def _clean_stale(directory: str, base: str) -> None:
    """Remove temporary files of earlier saves of ``base`` whose process is gone (killed mid-save)."""
    prefix = f".tmp-{base}-"
    try:
        names = [n for n in os.listdir(directory) if n.startswith(prefix)]
    except OSError:
        return
    for n in names:
        pid_s, _, _ = n[len(prefix):].partition("-")
        full = os.path.join(directory, n)
        try:
            if pid_s.isdigit() and os.name == "posix":
                if _alive(int(pid_s)):
                    continue
            elif time.time() - os.path.getmtime(full) < 3600:
                continue  # an older netgrad's name (or no kill(pid, 0) here): once surely abandoned
            os.unlink(full)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process: maybe another thread's save in progress
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True


def save(obj: Any, path: str | os.PathLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``obj`` to ``path`` atomically (the file is either the old one or the complete new one).

    ``obj`` may hold a whole model made of netgrad.nn layers (``torch.save(model, path)``); the
    pickle arguments of ``torch.save`` are accepted and unused: netgrad never pickles."""
    if _safetensors.is_safetensors_path(path):  # a flat state_dict in the safetensors format
        return _safetensors.save_safetensors(obj, path)
    enc = _Encoder()
    structure = {"format": _FORMAT, "root": enc.encode(obj, "the root")}
    meta = np.frombuffer(json.dumps(structure).encode("utf-8"), dtype=np.uint8)
    if _tokens(meta) > MAX_TOKENS:
        raise ValueError(f"save: {os.fspath(path) if not hasattr(path, 'write') else 'the file'}: the "
                         f"object has more than {MAX_TOKENS} entries (lists, dicts, numbers, strings), "
                         "more than load accepts; store long lists of numbers as one array or tensor")
    if hasattr(path, "write"):  # an open file (torch.save(obj, f)): written in place, not atomically
        np.savez(path, **{_META: meta}, **enc.arrays)
        return None
    path = os.fspath(path)
    _clean_stale(os.path.dirname(os.path.abspath(path)), os.path.basename(path))
    atomic_write(path, lambda f: np.savez(f, **{_META: meta}, **enc.arrays))


def load(path: str | os.PathLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None, max_bytes: int | None = None,
         **pickle_load_args: Any) -> Any:
    """Read an object written by ``save``: a checked parse, never pickle, safe on untrusted files.
    ``max_bytes`` caps the arrays' total size (default ``MAX_BYTES``; the file's own size bounds it
    anyway). Raises ``LoadError`` (a ValueError) naming the file and the problem. ``torch.load``'s
    other arguments are accepted: everything loads to the CPU, and loading is always weights-safe."""
    if map_location not in (None, "cpu") and str(map_location) != "cpu" and not callable(map_location) \
            and not isinstance(map_location, dict):
        raise RuntimeError(f"load: netgrad runs on the CPU only, cannot map to {map_location!r}")
    _policy.weights_only = weights_only
    try:
        return _load_any(path, max_bytes)
    finally:
        _policy.weights_only = None


def _load_any(path: Any, max_bytes: int | None) -> Any:
    if hasattr(path, "read"):  # an open file (torch.load(f))
        return _load_stream(path, MAX_BYTES if max_bytes is None else int(max_bytes))
    if _safetensors.is_safetensors_path(path):
        return _safetensors.load_safetensors(path)
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {path}")
    limit = MAX_BYTES if max_bytes is None else int(max_bytes)
    f, z = open_npz(path)
    with f:
        return _parse(z, limit)


def _load_stream(f: Any, limit: int) -> Any:
    """``load`` from an open binary file: read (at most the limit plus the metadata's cap), then
    parsed as a file would be."""
    chunks, size, cap = [], 0, limit + _MAX_META
    while size <= cap:
        chunk = f.read(1 << 20)
        if not isinstance(chunk, (bytes, bytearray)):
            raise TypeError("load: the file must be opened in binary mode ('rb')")
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > cap:
        raise LoadError(f"load: {getattr(f, 'name', '<stream>')}: more than {cap} bytes")
    data = b"".join(chunks)
    return _parse(NpzReader(io.BytesIO(data), str(getattr(f, "name", "<stream>"))), limit)


def _parse(z: Any, limit: int) -> Any:
    """``_load`` with a safety net: anything the checks should have caught first still becomes a
    LoadError naming the file."""
    try:
        return _load(z, limit)
    except LoadError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, struct.error, OverflowError,
            RecursionError, UnicodeError) as e:
        raise z.fail(f"corrupt or not a netgrad file ({type(e).__name__}: {e})") from None


def _load(z: Any, limit: int) -> Any:
    if _META + ".npy" not in z.members:
        raise z.fail(f"a zip archive, but not written by netgrad.save (no {_META} entry)")
    meta = z.array(_META, _MAX_META)
    if meta.dtype != np.uint8 or meta.ndim != 1:
        raise z.fail(f"the metadata is {meta.dtype} of shape {meta.shape}, not bytes")
    if _tokens(meta) > MAX_TOKENS:
        raise z.fail(f"the metadata has more than {MAX_TOKENS} entries (its parse would take more "
                     "memory than allowed)")
    try:
        structure = json.loads(meta.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise z.fail(f"the metadata is not valid JSON ({type(e).__name__})") from None
    refs = _check_schema(structure, z.fail)
    arrays: dict[str, np.ndarray] = {}
    total = 0
    for k, t in refs.items():
        arr = z.array(k, limit - total)
        total += arr.nbytes
        if t == "npscalar":
            if arr.shape not in ((), (1,)):
                raise z.fail(f"the scalar in member {k!r} has shape {arr.shape}, not ()")
            arr = arr.reshape(())
        arrays[k] = arr
    try:
        return _decode(structure["root"], arrays)
    except LoadError:
        raise
    except ValueError as e:  # a saved model that cannot be rebuilt
        raise z.fail(str(e)) from None
