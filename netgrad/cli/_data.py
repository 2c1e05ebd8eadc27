"""Data sets by name (digits, mnist, xor, moons, spirals) or CSV path, split for training."""

from __future__ import annotations

import csv
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
        try:
            X, y = D.load_digits(return_X_y=True)
        except ImportError as e:
            raise CLIError(_short(e)) from None
        return _arrays(X, y) + (None, None)
    if name == "mnist":
        root = Path(mnist_root) if mnist_root else default_mnist_root()
        if not root.is_dir():
            raise CLIError(f"MNIST folder not found: {root} (use --mnist-root)")
        try:
            X, y = D.load_mnist(root, split=split or "train", flatten=True, return_X_y=True)
        except (FileNotFoundError, ValueError) as e:
            msg = _short(e).replace("load_mnist: ", "")
            raise CLIError(f"cannot load MNIST from {root}: {msg}") from None
        X, y = _arrays(X, y)
        if limit:
            X, y = X[:limit], y[:limit]
        return X, y, None, None
    if name in ("xor", "moons", "spirals"):
        X, y = _toy(name, seed)
        return _arrays(X, y) + (None, None)
    return _load_csv(Path(data), target)


def _toy(name: str, seed: int) -> tuple:
    """The toy problems at the sizes the command line uses (seeded)."""
    import netgrad.data as D

    if name == "xor":
        return D.make_xor(400, noise=0.15, seed=seed, return_X_y=True)
    if name == "moons":
        return D.make_moons(400, noise=0.15, seed=seed, return_X_y=True)
    return D.make_spirals(600, seed=seed, return_X_y=True)


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
    strat = y if stratify and _can_stratify(y, n_held) else None
    tr, te = train_test_split(np.arange(n), test_size=fraction, seed=seed, stratify=strat)
    return np.asarray(tr), np.asarray(te)


def _can_stratify(y: np.ndarray, n_held: int) -> bool:
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        return False
    _, counts = np.unique(y, return_counts=True)
    return counts.min() >= 2 and n_held >= len(counts) and len(y) - n_held >= len(counts)


def _load_csv(path: Path, target: str | None) -> tuple:
    """(X, y, feature names or None, target name) of a numeric CSV; the target defaults to the last
    column, and may be given by name or by index."""
    import netgrad.data as D

    header = csv_header(path)
    col: str | int = -1
    if target is not None:
        if header and target in header:
            col = target
        elif str(target).lstrip("-").isdigit():
            col = int(target)
        else:
            cols = f" (columns: {', '.join(header)})" if header else " (the file has no header)"
            raise CLIError(f"{path}: no target column {target!r}{cols}")
        if header and isinstance(col, int) and not -len(header) <= col < len(header):
            raise CLIError(f"{path}: no column {col} (it has {len(header)})")
    try:
        X, y = D.load_csv(path, target=col, return_X_y=True)
    except FileNotFoundError:
        raise CLIError(f"data file not found: {path}") from None
    except (ValueError, IndexError) as e:
        raise CLIError(f"cannot read {path}: {_short(e).replace('load_csv: ', '')}") from None
    X, y = _arrays(X, y)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise CLIError(f"{path}: it needs at least one feature column and one row")
    features = target_name = None
    if header:
        t = header.index(col) if isinstance(col, str) else col % len(header)
        target_name = header[t]
        features = [h for i, h in enumerate(header) if i != t]
    return X, y, features, target_name


def csv_header(path: Path) -> list[str] | None:
    """The first row's names when it is a header (not all numbers), else None."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            first = next((r for r in csv.reader(f) if r and any(c.strip() for c in r)), None)
    except FileNotFoundError:
        raise CLIError(f"data file not found: {path}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CLIError(f"cannot read {path}: {_short(e)}") from None
    if first is None:
        raise CLIError(f"{path} is empty")
    try:
        [float(c) for c in first]
        return None
    except ValueError:
        return [c.strip() for c in first]


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


def _short(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__
