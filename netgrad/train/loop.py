"""Data plumbing shared by ``fit``, ``evaluate`` and ``predict``: turning (X, y) tuples, datasets
and loaders into a ``DataLoader``, and running a model over one without gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor, dtypes, no_grad
from ..autograd.creation import from_numpy
from ..data import DataLoader, TensorDataset
from ..data.dataset import Dataset
from .metrics import get_metric, metric_name

__all__ = ["make_loader", "evaluate", "predict", "param_dtype", "split_batch", "to_numpy"]


def param_dtype(model: Any) -> np.dtype:
    params = getattr(model, "parameters", None)
    if callable(params):
        for p in params():
            return p.dtype
    return dtypes.get_default_dtype()


def _cast(a: Any, dtype: np.dtype, name: str) -> Tensor:
    arr = a.numpy() if isinstance(a, Tensor) else np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: data must be numeric, got an array of dtype {arr.dtype} and shape "
                        f"{arr.shape} (convert strings or objects to numbers first)")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name}: data of shape {arr.shape} holds {int(bad.sum())} NaN or inf "
                             f"value(s), the first at index {first}; clean or impute them first")
        if arr.dtype != dtype:
            arr = arr.astype(dtype)
    elif arr.dtype.kind in "iu" and arr.dtype != np.int64 and arr.dtype != np.uint8:
        arr = arr.astype(np.int64)
    return from_numpy(arr)


def make_loader(data: Any, batch_size: int | None, *, shuffle: bool = False, generator: Any = None,
                dtype: Any = None, name: str = "fit") -> DataLoader:
    """A DataLoader over ``data``: a DataLoader (used as is), a Dataset, or a tuple ``(X, y)`` /
    ``(X,)`` of arrays or tensors (floating arrays are cast to ``dtype``, the model's). A batch
    size of None or >= N gives a single batch holding the whole set (no shuffling needed)."""
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, (tuple, list)) and 1 <= len(data) <= 2 and not isinstance(data[0], (int, float)):
        dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
        try:
            data = TensorDataset(*(_cast(a, dt, name) for a in data))
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    elif isinstance(data, (np.ndarray, Tensor)):
        dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
        data = TensorDataset(_cast(data, dt, name))
    elif not (isinstance(data, Dataset) or (hasattr(data, "__getitem__") and hasattr(data, "__len__"))):
        raise TypeError(f"{name}: data must be a Dataset, a DataLoader or a tuple (X, y) of arrays or "
                        f"tensors, got {type(data).__name__}")
    n = len(data)
    if n == 0:
        raise ValueError(f"{name}: the data set is empty")
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"{name}: batch_size must be a positive integer or None (the whole set), "
                         f"got {batch_size!r}")
    whole = batch_size is None or batch_size >= n
    return DataLoader(data, batch_size=n if whole else int(batch_size), shuffle=shuffle and not whole,
                      generator=generator)


def split_batch(batch: Any, name: str = "fit") -> tuple[tuple[Any, ...], Any]:
    """(inputs..., target) from a batch; the last element is the target."""
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        return tuple(batch[:-1]), batch[-1]
    raise TypeError(f"{name}: each batch must be a tuple (inputs, targets), got {type(batch).__name__}"
                    + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else ""))


def to_numpy(v: Any) -> np.ndarray:
    """The ndarray of a tensor (no copy), or ``np.asarray(v)``."""
    return v.numpy() if isinstance(v, Tensor) else np.asarray(v)


class _Eval:
    """Puts a module in eval mode for the duration, then back to what it was."""

    def __init__(self, model: Any):
        self.model, self.was = model, getattr(model, "training", None)

    def __enter__(self) -> None:
        if self.was is not None:
            self.model.eval()

    def __exit__(self, *exc: Any) -> None:
        if self.was is not None:
            self.model.train(self.was)


def evaluate(model: Any, loss_fn: Any, data: Any, *, metrics: Any = (),
             batch_size: int = 256) -> dict[str, float]:
    """The mean loss (``loss_fn`` may be None) and each metric over ``data``, in eval mode without
    gradients: ``{'loss': ..., '<metric>': ...}``. The loss is the example-weighted mean of the
    batch losses (``loss_fn`` with mean reduction); metrics are computed on all predictions."""
    loader = make_loader(data, batch_size, dtype=param_dtype(model), name="evaluate")
    fns = [(metric_name(m), get_metric(m)) for m in metrics]
    total, count, preds, targets = 0.0, 0, [], []
    with _Eval(model), no_grad():
        for batch in loader:
            xs, y = split_batch(batch, "evaluate")
            out = model(*xs)
            n = len(to_numpy(y))
            if loss_fn is not None:
                total += float(to_numpy(loss_fn(out, y))) * n
            count += n
            if fns:
                preds.append(to_numpy(out))
                targets.append(to_numpy(y))
    logs: dict[str, float] = {}
    if loss_fn is not None:
        logs["loss"] = total / count
    if fns:
        p, t = np.concatenate(preds), np.concatenate(targets)
        for name, fn in fns:
            logs[name] = float(fn(p, t))
    return logs


def predict(model: Any, X: Any, *, batch_size: int = 256) -> np.ndarray:
    """The model's outputs for ``X`` (array, tensor, Dataset or DataLoader; for datasets of
    tuples the first element is the input), in eval mode without gradients, as one array."""
    if isinstance(X, (np.ndarray, Tensor, list)):
        X = (np.asarray(X) if isinstance(X, list) else X,)
    loader = make_loader(X, batch_size, dtype=param_dtype(model), name="predict")
    outs = []
    with _Eval(model), no_grad():
        for batch in loader:
            x = batch[0] if isinstance(batch, (tuple, list)) else batch
            outs.append(to_numpy(model(x)))
    return np.concatenate(outs)
