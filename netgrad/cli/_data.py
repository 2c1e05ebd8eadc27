"""Data sets by name (digits, mnist, xor, moons, spirals) or CSV path, split for training."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._common import CLIError, UsageError

BUILTIN = ("digits", "mnist", "xor", "moons", "spirals")
CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclass
class Dataset:
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str] | None = None
    target: str | None = None
    info: dict[str, Any] = field(default_factory=dict)


def is_builtin(data: str) -> bool:
    return str(data).lower() in BUILTIN


def data_label(data: str) -> str:
    """A short name for a data option: 'digits', or a CSV file's stem."""
    return str(data).lower() if is_builtin(data) else Path(data).stem


def default_mnist_root() -> Path:
    """``$NETGRAD_MNIST``, else ``../shared/data/mnist`` from the current folder or the repository."""
    env = os.environ.get("NETGRAD_MNIST")
    if env:
        return Path(env)
    here = Path.cwd() / ".." / "shared" / "data" / "mnist"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"


def check_data_option(data: str) -> None:
    if is_builtin(data):
        return
    path = Path(data)
    if path.suffix.lower() != ".csv" and not path.exists():
        raise UsageError(f"unknown data {data!r}: use one of {', '.join(BUILTIN)} or a path to a .csv file")
    if not path.is_file():
        raise CLIError(f"data file not found: {data}")


def load_all(data: str, *, target: str | None = None, mnist_root: str | None = None,
             split: str | None = None, seed: int = 0, limit: int | None = None) -> tuple:
    """The whole of a data set, for splitting: ``(X, y, feature_names, target_name)``.

    ``split`` ('train' / 'test') applies to MNIST, which ships its own test set.
    """
    import netgrad.data as D

    check_data_option(data)
    name = str(data).lower()
    if name == "digits":
        X, y = D.load_digits(return_X_y=True)
        return _arrays(X, y) + (None, None)
    if name == "mnist":
        root = Path(mnist_root) if mnist_root else default_mnist_root()
        if not root.is_dir():
            raise CLIError(f"MNIST folder not found: {root} (use --mnist-root)")
        try:
            X, y = D.load_mnist(root, split=split or "train", flatten=True, return_X_y=True)
        except FileNotFoundError as e:
            raise CLIError(f"MNIST files missing in {root}: {_short(e)}") from None
        X, y = _arrays(X, y)
        if limit:
            X, y = X[:limit], y[:limit]
        return X, y, None, None
    if name in ("xor", "moons", "spirals"):
        make = getattr(D, f"make_{name}")
        X, y = make(random_state=seed) if _accepts(make, "random_state") else make(seed=seed)
        return _arrays(X, y) + (None, None)
    return _load_csv(Path(data), target)


def load_split(data: str, *, target: str | None = None, mnist_root: str | None = None,
               test_fraction: float = 0.2, seed: int = 0, limit: int | None = None,
               stratify: bool = True) -> Dataset:
    """Training and held-out test data: MNIST's own test set, else a seeded split."""
    name = data_label(data)
    if str(data).lower() == "mnist":
        X_tr, y_tr, _, _ = load_all(data, mnist_root=mnist_root, split="train", limit=limit)
        test_limit = None if not limit else max(1, limit // 2)
        X_te, y_te, _, _ = load_all(data, mnist_root=mnist_root, split="test", limit=test_limit)
        return Dataset(name, X_tr, y_tr, X_te, y_te, info={"test": "MNIST test set"})
    X, y, features, target_name = load_all(data, target=target, seed=seed)
    if limit:
        X, y = X[:limit], y[:limit]
    if not 0.0 < test_fraction < 1.0:
        raise UsageError(f"--test-fraction must be in (0, 1), got {test_fraction}")
    idx_tr, idx_te = split_indices(y, test_fraction, seed, stratify)
    return Dataset(name, X[idx_tr], y[idx_tr], X[idx_te], y[idx_te], features, target_name,
                   info={"test": f"{test_fraction:g} held out (seed {seed})"})


def split_indices(y: np.ndarray, fraction: float, seed: int, stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/held-out split of ``range(len(y))``, stratified by class when asked and possible."""
    from netgrad.data import train_test_split

    n = len(y)
    n_held = int(np.ceil(n * fraction))
    if n_held < 1 or n - n_held < 1:
        raise CLIError(f"cannot hold out {fraction:g} of {n} samples")
    idx = np.arange(n)
    strat = y if stratify and _can_stratify(y, n_held) else None
    try:
        tr, te = train_test_split(idx, test_size=fraction, random_state=seed, stratify=strat)
    except TypeError:  # a train_test_split without stratify
        tr, te = train_test_split(idx, test_size=fraction, random_state=seed)
    return np.asarray(tr), np.asarray(te)


def _can_stratify(y: np.ndarray, n_held: int) -> bool:
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        return False
    _, counts = np.unique(y, return_counts=True)
    return counts.min() >= 2 and n_held >= len(counts) and len(y) - n_held >= len(counts)


def _load_csv(path: Path, target: str | None) -> tuple:
    import netgrad.data as D

    try:
        out = D.load_csv(path, target=target, return_X_y=True, return_names=True) \
            if _accepts(D.load_csv, "return_names") else D.load_csv(path, target=target, return_X_y=True)
    except FileNotFoundError:
        raise CLIError(f"data file not found: {path}") from None
    except (KeyError, IndexError) as e:
        raise CLIError(f"{path}: no target column {target!r}" if target else f"{path}: {_short(e)}") from None
    except ValueError as e:
        raise CLIError(f"cannot read {path}: {_short(e)}") from None
    X, y = out[0], out[1]
    features = list(out[2]) if len(out) > 2 and out[2] is not None else None
    target_name = out[3] if len(out) > 3 else target
    X, y = _arrays(X, y)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise CLIError(f"{path}: no feature columns or no rows")
    return X, y, features, target_name


def _arrays(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X.numpy() if hasattr(X, "numpy") else X)
    y = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
    if X.ndim > 2:
        X = X.reshape(X.shape[0], -1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if X.dtype.kind not in "biuf":
        raise CLIError("the features must be numbers")
    return X.astype(np.float32, copy=False), y


def infer_task(y: np.ndarray, task: str) -> str:
    """'classification' for labels (strings or whole numbers), 'regression' for other numbers."""
    if task != "auto":
        return task
    if y.dtype.kind in "OUSb" or y.dtype.kind in "iu":
        return CLASSIFICATION
    if y.ndim == 1 and np.all(np.isfinite(y)) and np.all(np.mod(y, 1) == 0):
        return CLASSIFICATION
    return REGRESSION


def _accepts(fn, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _short(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__
