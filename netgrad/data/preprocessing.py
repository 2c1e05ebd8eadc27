"""Splitting and scaling helpers: ``train_test_split``, ``StandardScaler``, ``MinMaxScaler``,
``standardize``, ``normalize``, ``one_hot``. They accept NumPy arrays or tensors and give back
the same kind.

>>> import numpy as np
>>> from netgrad.data import StandardScaler, one_hot, train_test_split
>>> X = np.array([[1.0, 10.0], [3.0, 30.0]])
>>> StandardScaler().fit_transform(X)
array([[-1., -1.],
       [ 1.,  1.]])
>>> one_hot(np.array([0, 2]), 3)
array([[1., 0., 0.],
       [0., 0., 1.]], dtype=float32)
>>> X_train, X_test = train_test_split(np.arange(10), test_size=0.2, seed=0)
>>> len(X_train), len(X_test)
(8, 2)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd import dtypes
from ..autograd.random import Generator, rng

__all__ = ["train_test_split", "StandardScaler", "MinMaxScaler", "standardize", "standardise",
           "normalize", "normalise", "one_hot"]


def _arr(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _like(arr: np.ndarray, ref: Any) -> Any:
    return Tensor._make(arr) if isinstance(ref, Tensor) else arr


def _take(x: Any, idx: np.ndarray) -> Any:
    if isinstance(x, Tensor):
        return Tensor._make(x._data[idx])
    if isinstance(x, np.ndarray):
        return x[idx]
    return [x[i] for i in idx]


def train_test_split(*arrays: Any, test_size: float | int | None = None,
                     train_size: float | int | None = None, shuffle: bool = True, stratify: Any = None,
                     seed: int | None = None,
                     generator: Generator | None = None) -> list[Any]:
    """Split arrays (same first dimension) into train and test parts, as scikit-learn's function:
    returns ``[a_train, a_test, b_train, b_test, ...]``. ``test_size`` is a fraction or a count
    (default 0.25); ``stratify`` (labels) keeps the class proportions in both parts."""
    if not arrays:
        raise ValueError("train_test_split: give at least one array")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"train_test_split: arrays have different lengths {[len(a) for a in arrays]}")

    def count(size: float | int, name: str) -> int:
        if isinstance(size, float):
            if not 0 < size < 1:
                raise ValueError(f"train_test_split: a fractional {name} must be in (0, 1), got {size}")
            return math.ceil(size * n) if name == "test_size" else math.floor(size * n)
        if not 0 < size < n:
            raise ValueError(f"train_test_split: {name}={size} must be between 1 and {n - 1}")
        return int(size)

    if test_size is None:
        n_test = n - count(train_size, "train_size") if train_size is not None else math.ceil(0.25 * n)
    else:
        n_test = count(test_size, "test_size")
    n_train = count(train_size, "train_size") if train_size is not None else n - n_test
    if n_train + n_test > n or n_train < 1 or n_test < 1:
        raise ValueError(f"train_test_split: {n_train} train + {n_test} test examples do not fit in {n}")
    g = np.random.default_rng(seed) if seed is not None else rng(generator)
    if stratify is not None:
        if not shuffle:
            raise ValueError("train_test_split: stratify needs shuffle=True")
        labels = _arr(stratify)
        classes, y = np.unique(labels, return_inverse=True)
        test_idx = []
        per_class = [np.flatnonzero(y == c) for c in range(len(classes))]
        # each class gets its share of the test set (largest remainders first)
        share = np.array([len(p) for p in per_class]) * n_test / n
        k = np.floor(share).astype(int)
        for c in np.argsort(-(share - k), kind="stable")[: n_test - k.sum()]:
            k[c] += 1
        train_idx = []
        for p, kc in zip(per_class, k):
            p = g.permutation(p)
            test_idx.append(p[:kc])
            train_idx.append(p[kc:])
        test = g.permutation(np.concatenate(test_idx))
        train = g.permutation(np.concatenate(train_idx))[:n_train]
    else:
        order = g.permutation(n) if shuffle else np.arange(n)
        train, test = order[:n_train], order[n_train:n_train + n_test]
    out = []
    for a in arrays:
        out += [_take(a, train), _take(a, test)]
    return out


class StandardScaler:
    """x -> (x - mean) / std per feature (column), with the training set's statistics
    (population std; a constant feature gets std 1)."""

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean, self.with_std = with_mean, with_std
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def _fit_data(self, X: Any) -> np.ndarray:
        """X as float64, refused when it has no examples or holds NaN/inf (the statistics would be
        NaN and every scaled value with them)."""
        a = _arr(X).astype(np.float64)
        name = type(self).__name__
        if a.ndim == 0 or a.shape[0] == 0:
            raise ValueError(f"{name}.fit: X has no examples (shape {a.shape})")
        bad = int(np.count_nonzero(~np.isfinite(a)))
        if bad:
            raise ValueError(f"{name}.fit: X (shape {a.shape}) holds {bad} NaN or infinite values; "
                             "remove or impute them first")
        return a

    def fit(self, X: Any) -> StandardScaler:
        """Learn the per-feature mean and std of ``X`` (rows are examples)."""
        a = self._fit_data(X)
        self.mean_ = a.mean(axis=0) if self.with_mean else np.zeros(a.shape[1:])
        std = a.std(axis=0) if self.with_std else np.ones(a.shape[1:])
        self.scale_ = np.where(std > 1e-12 * np.maximum(np.abs(self.mean_), 1.0), std, 1.0)
        return self

    def _check(self, a: np.ndarray) -> None:
        if self.mean_ is None:
            raise RuntimeError(f"{type(self).__name__}: call fit() before transform()")
        k = self.mean_.ndim
        if k and a.shape[a.ndim - k:] != self.mean_.shape:
            raise ValueError(f"{type(self).__name__}: fitted on features of shape {self.mean_.shape}, "
                             f"got X of shape {a.shape}")

    def transform(self, X: Any) -> Any:
        """(X - mean) / scale, in X's floating dtype (the default dtype for integer X)."""
        a = _arr(X)
        self._check(a)
        dt = a.dtype if a.dtype.kind == "f" else dtypes.get_default_dtype()
        return _like(((a - self.mean_) / self.scale_).astype(dt, copy=False), X)

    def inverse_transform(self, X: Any) -> Any:
        """X * scale + mean: undoes ``transform``."""
        a = _arr(X)
        self._check(a)
        return _like((a * self.scale_ + self.mean_).astype(a.dtype, copy=False), X)

    def fit_transform(self, X: Any) -> Any:
        return self.fit(X).transform(X)

    def state_dict(self) -> dict[str, Any]:
        return {"mean_": self.mean_, "scale_": self.scale_}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.mean_, self.scale_ = np.asarray(state["mean_"]), np.asarray(state["scale_"])


class MinMaxScaler(StandardScaler):
    """x -> lo + (x - min) / (max - min) * (hi - lo) per feature, ``feature_range=(lo, hi)``."""

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        super().__init__()
        self.feature_range = feature_range

    def fit(self, X: Any) -> MinMaxScaler:
        """Learn the per-feature minimum and range of ``X``."""
        a = self._fit_data(X)
        lo, hi = self.feature_range
        span = a.max(axis=0) - a.min(axis=0)
        span = np.where(span > 0, span, 1.0)
        self.scale_ = span / (hi - lo)
        self.mean_ = a.min(axis=0) - lo * self.scale_
        return self


def standardize(X: Any, axis: int | tuple | None = 0, eps: float = 1e-12) -> Any:
    """(X - mean) / std along ``axis`` (per feature by default; None: over everything)."""
    a = _arr(X)
    dt = a.dtype if a.dtype.kind == "f" else dtypes.get_default_dtype()
    a64 = a.astype(np.float64)
    std = a64.std(axis=axis, keepdims=True)
    out = (a64 - a64.mean(axis=axis, keepdims=True)) / np.where(std > eps, std, 1.0)
    return _like(out.astype(dt), X)


def normalize(X: Any, axis: int | tuple | None = 0, feature_range: tuple[float, float] = (0.0, 1.0)) -> Any:
    """Min-max scaling to ``feature_range`` along ``axis`` (per feature by default)."""
    a = _arr(X)
    dt = a.dtype if a.dtype.kind == "f" else dtypes.get_default_dtype()
    a64 = a.astype(np.float64)
    lo_x, hi_x = a64.min(axis=axis, keepdims=True), a64.max(axis=axis, keepdims=True)
    span = np.where(hi_x > lo_x, hi_x - lo_x, 1.0)
    lo, hi = feature_range
    return _like((lo + (a64 - lo_x) / span * (hi - lo)).astype(dt), X)


standardise = standardize
normalise = normalize


def one_hot(labels: Any, num_classes: int | None = None, dtype: Any = None) -> Any:
    """Integer labels of shape (N,) -> (N, num_classes) indicator rows, in the default float dtype
    (targets for MSE or soft labels). ``num_classes`` defaults to max label + 1."""
    y = _arr(labels)
    if y.dtype.kind not in "iub":
        if y.dtype.kind == "f" and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise TypeError(f"one_hot: labels must be integers, got dtype {y.dtype}")
    y = y.astype(np.int64, copy=False)
    k = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"one_hot: labels must be in [0, {k}), got values in [{y.min()}, {y.max()}]")
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    out = np.zeros(y.shape + (k,), dtype=dt)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return _like(out, labels)
