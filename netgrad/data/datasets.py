"""Ready-made datasets: MNIST (IDX files), scikit-learn's 8x8 digits, CSV files, and toy problems
(XOR, two moons, spirals, a 1-D regression curve).

Every loader returns a ``TensorDataset`` (inputs float32, class labels int64), or the NumPy
arrays ``(X, y)`` with ``return_X_y=True``.

>>> from netgrad.data import make_xor, make_moons
>>> X, y = make_xor(return_X_y=True)
>>> X.tolist(), y.tolist()
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [[0.0], [1.0], [1.0], [0.0]])
>>> ds = make_moons(100, noise=0.1, seed=0)
>>> len(ds), ds.tensors[0].shape, ds.tensors[1].dtype
(100, (100, 2), dtype('int64'))
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import urllib.request
from typing import Any

import numpy as np

from .dataset import TensorDataset
from .idx import IDXError, read_idx

__all__ = ["load_mnist", "load_digits", "load_csv", "make_xor", "make_moons", "make_spirals",
           "make_curve", "MNIST_MEAN", "MNIST_STD"]

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# MD5 of the original gzipped files (as torchvision checks them).
_MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
_MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                  "https://storage.googleapis.com/cvdf-datasets/mnist/")


def _out(X: np.ndarray, y: np.ndarray, return_X_y: bool) -> Any:
    return (X, y) if return_X_y else TensorDataset(X, y)


def _md5(path: str) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download_mnist(root: str, name: str) -> str:
    os.makedirs(root, exist_ok=True)
    target = os.path.join(root, name)
    errors = []
    for mirror in _MNIST_MIRRORS:
        tmp = target + ".part"
        try:
            with urllib.request.urlopen(mirror + name, timeout=60) as r, open(tmp, "wb") as f:
                f.write(r.read())
            digest = _md5(tmp)
            if digest != _MNIST_MD5[name]:
                raise OSError(f"MD5 mismatch: got {digest}, expected {_MNIST_MD5[name]}")
            os.replace(tmp, target)
            return target
        except OSError as e:
            errors.append(f"{mirror}{name}: {e}")
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise RuntimeError("load_mnist: could not download " + name + ":\n  " + "\n  ".join(errors))


def _find(root: str, base: str, download: bool) -> str:
    for name in (base + ".gz", base, base.replace("-idx", ".idx")):
        p = os.path.join(root, name)
        if os.path.exists(p):
            return p
    if download:
        return _download_mnist(root, base + ".gz")
    raise FileNotFoundError(f"load_mnist: {base}.gz (or {base}) not found in {root!r}; pass the folder "
                            "that holds the MNIST IDX files, or download=True to fetch them")


def load_mnist(root: str | os.PathLike, split: str = "train", download: bool = False, flatten: bool = False,
               normalize: bool = True, return_X_y: bool = False) -> Any:
    """MNIST from the standard IDX files in ``root`` (gzipped or not).

    Images are float32, (N, 1, 28, 28) or (N, 784) with ``flatten``; with ``normalize`` they are
    (x / 255 - 0.1307) / 0.3081 (PyTorch's MNIST example), otherwise x / 255. Labels are int64.
    ``download=True`` fetches missing files from a public mirror and checks their MD5.
    """
    if split not in _MNIST_FILES:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}")
    root = os.fspath(root)
    img_base, lbl_base = _MNIST_FILES[split]
    img_path, lbl_path = _find(root, img_base, download), _find(root, lbl_base, download)
    images = read_idx(img_path, expect_ndim=3)
    labels = read_idx(lbl_path, expect_ndim=1)
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise IDXError(f"load_mnist: {img_path} / {lbl_path} should hold uint8 data")
    if len(images) != len(labels):
        raise IDXError(f"load_mnist: {img_path} holds {len(images)} images but {lbl_path} holds "
                       f"{len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise IDXError(f"load_mnist: {lbl_path} holds labels outside 0..9")
    X = images.astype(np.float32)
    X *= np.float32(1 / 255)
    if normalize:
        X -= np.float32(MNIST_MEAN)
        X /= np.float32(MNIST_STD)
    X = X.reshape(len(X), -1) if flatten else X[:, None, :, :]
    return _out(X, labels.astype(np.int64), return_X_y)


def load_digits(return_X_y: bool = False, normalize: bool = True) -> Any:
    """scikit-learn's bundled 8x8 digits (1,797 images, 10 classes) as (N, 64) float32 inputs
    (scaled from 0..16 to 0..1 when ``normalize``) and int64 labels."""
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as e:
        raise ImportError("load_digits needs scikit-learn: pip install scikit-learn "
                          "(or netgrad[sklearn])") from e
    d = sk_load_digits()
    X = d.data.astype(np.float32)
    if normalize:
        X /= np.float32(16.0)
    return _out(X, d.target.astype(np.int64), return_X_y)


def _read_csv_text(path: str) -> str:
    """A CSV file's text: gzip (by its magic bytes) decompressed, a UTF-8 byte-order mark dropped."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"load_csv: {path} is not UTF-8 text (byte {e.start})") from None


def _sniff(lines: list[str]) -> str:
    """Tab, ';' or ',': the first that splits the sample lines into one width > 1."""
    sample = [ln for ln in lines[:50] if ln.strip()]
    for d in ("\t", ";", ","):
        widths = {len(r) for r in csv.reader(sample, delimiter=d)}
        if len(widths) == 1 and widths.pop() > 1:
            return d
    return ","


def load_csv(path: str | os.PathLike, target: str | int = -1, *, delimiter: str | None = None,
             header: bool | None = None, classification: bool | None = None, return_X_y: bool = False) -> Any:
    """A CSV file of numeric inputs: every column but ``target`` (a name from the header or an
    index) is an input. ``header`` is detected when None, and the ``delimiter`` (tab, ``;`` or
    ``,``); a ``.gz`` file is decompressed and a UTF-8 byte-order mark dropped. A numeric target
    becomes int64 labels when ``classification`` (default: when all its values are integers),
    float32 otherwise. A text target (class names such as "setosa") is returned as a string array with
    ``return_X_y=True`` (as scikit-learn's loaders do), else as int64 codes into the sorted names,
    which the dataset keeps as ``.classes``.

    >>> import tempfile, os, netgrad.data as D
    >>> p = os.path.join(tempfile.mkdtemp(), "flowers.csv")
    >>> _ = open(p, "w").write("petal,sepal,kind\\n1.4,5.1,setosa\\n4.7,7.0,versicolor\\n")
    >>> X, y = D.load_csv(p, target="kind", return_X_y=True)
    >>> X.shape, y.tolist()
    ((2, 2), ['setosa', 'versicolor'])
    """
    path = os.fspath(path)
    text = _read_csv_text(path)
    delimiter = delimiter or _sniff(text.splitlines())
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r and any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"load_csv: {path} is empty")
    width = len(rows[0])

    def t_index(names: list[str]) -> int:
        if isinstance(target, str):
            if target not in names:
                raise ValueError(f"load_csv: {path} has no column {target!r} (columns: {names})")
            return names.index(target)
        return int(target) % width

    def numeric(row: list[str], skip: int | None) -> bool:
        try:
            [float(c) for i, c in enumerate(row) if i != skip]
            return True
        except ValueError:
            return False

    if header is None:
        # A text target column may hold words in every row: judge the header by the inputs only.
        skip = None if isinstance(target, str) else int(target) % width
        header = not numeric(rows[0], skip) or isinstance(target, str) and target in rows[0]
    names = [c.strip() for c in rows[0]] if header else [str(i) for i in range(width)]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"load_csv: {path} has duplicate column names {dup}")
    body = rows[1:] if header else rows
    for i, r in enumerate(body):
        if len(r) != width:
            raise ValueError(f"load_csv: {path}, line {i + 1 + bool(header)}: {len(r)} fields, "
                             f"expected {width}")
    if not body:
        raise ValueError(f"load_csv: {path} has a header but no rows")
    t = t_index(names)
    raw_target = [r[t].strip() for r in body]
    text_target = not numeric(raw_target, None)
    inputs = [[c for i, c in enumerate(r) if i != t] for r in body]
    try:
        X = np.array([[float(c) for c in r] for r in inputs], dtype=np.float64).reshape(len(body), width - 1)
        y = None if text_target else np.array([float(c) for c in raw_target], dtype=np.float64)
    except ValueError as e:
        raise ValueError(f"load_csv: {path} holds a non-numeric input value ({e})") from e
    # float() accepts 'nan' and 'inf'; a missing value is an error, not a number. float32 holds up
    # to 3.4e38: a larger value would become inf (with an overflow warning).
    A = np.column_stack([X, y]) if y is not None else X
    finite = np.isfinite(A)
    ok = finite & (np.abs(np.where(finite, A, 0)) <= float(np.finfo(np.float32).max))
    if not ok.all():
        bad = np.argwhere(~ok)
        r, c = bad[0]
        col = [i for i in range(width) if i != t] + [t]
        what = "not a finite number" if not finite[r, c] else "too large for float32 (max 3.4e38)"
        raise ValueError(f"load_csv: {path}, line {r + 1 + bool(header)}, column {names[col[c]]!r}: "
                         f"{body[r][col[c]].strip()!r} is {what} ({len(bad)} such values)")
    X = X.astype(np.float32)
    if text_target:
        labels = np.array(raw_target)
        if return_X_y:
            return X, labels
        classes, codes = np.unique(labels, return_inverse=True)
        ds = _out(X, codes.astype(np.int64), False)
        ds.classes = classes.tolist()
        return ds
    if classification is None:
        classification = bool(np.all(y == np.round(y)))
    y = y.astype(np.int64) if classification else y.astype(np.float32)
    return _out(X, y, return_X_y)


def _rng(seed: int | None) -> np.random.Generator:
    return np.random.default_rng(seed)


def make_xor(n_samples: int | None = None, noise: float = 0.0, seed: int | None = 0,
             return_X_y: bool = False) -> Any:
    """XOR. With ``n_samples=None``: the four points of the truth table and targets of shape
    (4, 1) (float32, for a sigmoid output and MSE/BCE). Otherwise ``n_samples`` points around the
    four corners with Gaussian ``noise`` and int64 labels."""
    if n_samples is None:
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        y = np.array([[0], [1], [1], [0]], dtype=np.float32)
        return _out(X, y, return_X_y)
    g = _rng(seed)
    corners = g.integers(0, 2, size=(n_samples, 2))
    X = (corners + noise * g.standard_normal((n_samples, 2))).astype(np.float32)
    return _out(X, (corners[:, 0] ^ corners[:, 1]).astype(np.int64), return_X_y)


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0,
               return_X_y: bool = False) -> Any:
    """Two interleaving half circles (scikit-learn's layout), labels 0 and 1."""
    g = _rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X = X + noise * g.standard_normal(X.shape)
    perm = g.permutation(n_samples)
    return _out(X[perm].astype(np.float32), y[perm], return_X_y)


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, turns: float = 1.0,
                 seed: int | None = 0, return_X_y: bool = False) -> Any:
    """``n_classes`` interleaved spiral arms in the plane (the CS231n toy problem)."""
    g = _rng(seed)
    per = [n_samples // n_classes + (c < n_samples % n_classes) for c in range(n_classes)]
    Xs, ys = [], []
    for c, k in enumerate(per):
        r = np.linspace(0.0, 1.0, k)
        theta = np.linspace(c * 2 * np.pi / n_classes, c * 2 * np.pi / n_classes + turns * 2 * np.pi, k)
        theta = theta + noise * g.standard_normal(k)
        Xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], 1))
        ys.append(np.full(k, c, np.int64))
    perm = g.permutation(n_samples)
    return _out(np.concatenate(Xs)[perm].astype(np.float32), np.concatenate(ys)[perm], return_X_y)


def make_curve(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0,
               return_X_y: bool = False) -> Any:
    """1-D regression: x uniform on [-3, 3], y = sin(x) + 0.1 x^2 + noise; shapes (N, 1), float32."""
    g = _rng(seed)
    x = np.sort(g.uniform(-3, 3, n_samples))
    y = np.sin(x) + 0.1 * x ** 2 + noise * g.standard_normal(n_samples)
    return _out(x[:, None].astype(np.float32), y[:, None].astype(np.float32), return_X_y)
