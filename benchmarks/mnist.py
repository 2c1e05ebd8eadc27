"""A tiny reader for the gzipped IDX files of MNIST, for the benchmarks only.

It does not depend on ``netgrad.data`` so that the suite runs whatever state the library is in.
Images come back as float32 in [0, 1] normalised with MNIST's mean and std (as the notes' PyTorch
example does), flattened or as (N, 1, 28, 28); labels as int64.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

MEAN, STD = 0.1307, 0.3081
_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def data_dir() -> Path:
    """``$NETGRAD_MNIST`` if set, else ``../shared/data/mnist`` next to the repository."""
    env = os.environ.get("NETGRAD_MNIST")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "mnist"


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (gzipped or not): big-endian magic, dims, then uint8 data."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    arr = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims} but holds {arr.size} bytes")
    return arr.reshape(dims)


def load(split: str, flat: bool = True, root: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(images float32 normalised, labels int64) for ``split`` in {'train', 'test'}."""
    root = Path(root) if root is not None else data_dir()
    img_name, lbl_name = _FILES[split]
    images = read_idx(root / img_name)
    labels = read_idx(root / lbl_name).astype(np.int64)
    x = (images.astype(np.float32) / np.float32(255.0) - np.float32(MEAN)) / np.float32(STD)
    x = x.reshape(len(x), -1) if flat else x.reshape(len(x), 1, 28, 28)
    return np.ascontiguousarray(x, dtype=np.float32), labels
