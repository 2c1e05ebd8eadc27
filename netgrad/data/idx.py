"""The IDX format of MNIST: a big-endian header (two zero bytes, a type code, the number of
dimensions, each dimension as uint32) followed by the raw values. Files may be gzipped
(detected from the content, not the name).

>>> import os, tempfile
>>> import numpy as np
>>> from netgrad.data.idx import read_idx, write_idx
>>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
>>> write_idx(path, np.array([5, 0, 4], dtype=np.uint8))
>>> read_idx(path)
array([5, 0, 4], dtype=uint8)
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from typing import Any

import numpy as np

__all__ = ["read_idx", "write_idx", "IDXError"]

# type code -> big-endian dtype
_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {dt.newbyteorder("="): code for code, dt in _TYPES.items()}


class IDXError(ValueError):
    """A file that is not a valid IDX file (corrupt, truncated, wrong magic number)."""


def _raw(path: str) -> bytes:
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":  # the gzip magic number
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError(f"{path}: the gzip stream is corrupt or truncated ({e}); delete the file and "
                           "download it again") from e
    return data


def read_idx(path: str | os.PathLike, expect_ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a native-endian array of its stored type."""
    path = os.fspath(path)
    data = _raw(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise IDXError(f"{path}: not an IDX file (bad magic number {data[:4].hex() or 'empty'})")
    dtype, ndim = _TYPES[data[2]], data[3]
    if expect_ndim is not None and ndim != expect_ndim:
        raise IDXError(f"{path}: expected an IDX file with {expect_ndim} dimensions, this one has {ndim}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{path}: truncated header")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        what = "truncated" if len(data) - header < expected else "longer than its header says"
        raise IDXError(f"{path}: file is {what}: shape {shape} needs {expected} bytes of data, "
                       f"found {len(data) - header}")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: Any, compress: bool | None = None) -> None:
    """Write ``array`` as IDX; gzipped when ``compress`` (default: when the name ends in .gz)."""
    path = os.fspath(path)
    a = np.asarray(array)
    code = _CODES.get(a.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"write_idx: dtype {a.dtype} has no IDX code (uint8, int8, int16, int32, "
                        "float32, float64)")
    if a.ndim > 255:
        raise ValueError("write_idx: too many dimensions")
    payload = bytes([0, 0, code, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + \
        np.ascontiguousarray(a, dtype=_TYPES[code]).tobytes()
    if compress is None:
        compress = path.endswith(".gz")
    if compress:
        payload = gzip.compress(payload, mtime=0)
    with open(path, "wb") as f:
        f.write(payload)
