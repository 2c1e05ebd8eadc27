"""Data sets by name (digits, mnist, xor, moons, spirals) or CSV path, split for training."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import _csv
from ._common import CLIError, UsageError
from ._csv import Encoder

BUILTIN = ("digits", "mnist", "xor", "moons", "spirals")
CLASSIFICATION, REGRESSION = "classification", "regression"
# whole-number targets: up to CLASS_LIMIT_QUIET distinct values are classes; up to CLASS_LIMIT
# classes with a warning; more is regression (with a warning)
CLASS_LIMIT_QUIET, CLASS_LIMIT = 10, 30


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
    """A short name for a data option: 'digits', 'stdin', or a CSV file's stem."""
    if is_builtin(data):
        return str(data).lower()
    if str(data) == "-":
        return "stdin"
    name = Path(data).name
    for ext in (".gz", ".csv", ".tsv", ".txt"):
        name = name[: -len(ext)] if name.lower().endswith(ext) and len(name) > len(ext) else name
    return name


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
    if is_builtin(data) or str(data) == "-":
        return
    path = Path(data)
    suffixes = "".join(path.suffixes[-2:]).lower()
    if not any(suffixes.endswith(e) for e in (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")) \
            and not path.exists():
        raise UsageError(f"unknown data {data!r}: use one of {', '.join(BUILTIN)}, a path to a .csv "
                         "(or .csv.gz) file, or - for standard input")
    if not path.is_file():
        raise CLIError(f"data file not found: {data}")


def load_all(data: str, *, target: str | None = None, mnist_root: str | None = None,
             split: str | None = None, seed: int = 0, limit: int | None = None,
             encoder: Encoder | None = None, impute: str | None = None) -> tuple:
    """The whole of a data set: ``(X, y, feature_names, target_name)``.

    ``split`` ('train' / 'test') applies to MNIST, which ships its own test set. A CSV's features
    are encoded by ``encoder`` (a trained model's), else by one fitted on all its rows.
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
    table, t = csv_table(data, target)
    y = _csv.target_values(table, t)
    if encoder is None:
        encoder = Encoder.fit(table, _features(table, t), np.arange(table.n_rows), impute)
    X = encode(encoder, table, t)
    return X, y, encoder.feature_names, table.names[t]


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
               stratify: bool = True, encoder: Encoder | None = None, impute: str | None = None) -> Dataset:
    """Training and held-out test data: MNIST's own test set, else a seeded split. A CSV's
    encoder (one-hot categories, imputed values) is fitted on the training rows only, unless
    ``encoder`` (a trained model's) is given; it is ``info['encoder']``."""
    name = data_label(data)
    if str(data).lower() == "mnist":
        X_tr, y_tr, _, _ = load_all(data, mnist_root=mnist_root, split="train", limit=limit)
        test_limit = None if not limit else max(1, limit // 2)
        X_te, y_te, _, _ = load_all(data, mnist_root=mnist_root, split="test", limit=test_limit)
        return Dataset(name, X_tr, y_tr, X_te, y_te, info={"test": "MNIST test set"})
    if not 0.0 < test_fraction < 1.0:
        raise UsageError(f"--test-fraction must be in (0, 1), got {test_fraction}")
    info: dict[str, Any] = {"test": f"{test_fraction:g} held out (seed {seed})"}
    if is_builtin(data):
        X, y, features, target_name = load_all(data, target=target, seed=seed)
        if limit:
            X, y = X[:limit], y[:limit]
        idx_tr, idx_te = split_indices(y, test_fraction, seed, stratify)
        return Dataset(name, X[idx_tr], y[idx_tr], X[idx_te], y[idx_te], features, target_name, info=info)
    table, t = csv_table(data, target)
    y = _csv.target_values(table, t)
    rows = np.arange(min(limit, table.n_rows) if limit else table.n_rows)
    idx_tr, idx_te = split_indices(y[rows], test_fraction, seed, stratify)
    if encoder is None:
        encoder = Encoder.fit(table, _features(table, t), rows[idx_tr], impute)
    X = encode(encoder, table, t)[rows]
    info["encoder"] = encoder
    return Dataset(name, X[idx_tr], y[rows][idx_tr], X[idx_te], y[rows][idx_te], encoder.feature_names,
                   table.names[t], info=info)


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


def csv_table(data: str, target: str | None) -> tuple[_csv.Table, int]:
    """A CSV's cells and its target column's index: by name, by position (``-1`` the last), or
    the last column."""
    table = _csv.read_table(data)
    width = len(table.names)
    if width < 2:
        raise CLIError(f"{table.source}: it needs at least one feature column and a target column "
                       "(one column found; is the separator ',', ';' or tab?)")
    if target is None:
        return table, width - 1
    if target in table.names:
        return table, table.index(target)
    if str(target).lstrip("-").isdigit():
        t = int(target)
        if not -width <= t < width:
            raise CLIError(f"{table.source}: no column {t} (it has {width})")
        return table, t % width
    cols = f" (columns: {', '.join(table.names)})" if table.has_header else " (the file has no header)"
    raise CLIError(f"{table.source}: no target column {target!r}{cols}")


def _features(table: _csv.Table, t: int) -> list[int]:
    return [j for j in range(len(table.names)) if j != t]


def encode(encoder: Encoder, table: _csv.Table, t: int | None) -> np.ndarray:
    """The feature matrix of a table with (``t``: its index) or without a target column."""
    by_name = table.has_header or (t is not None and len(table.names) != len(encoder.spec))
    return encoder.transform(table, by_name=by_name)


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


def infer_task(y: np.ndarray, task: str, target: str | None = None) -> tuple[str, str | None]:
    """(task, warning or None): classification for text labels and whole numbers with few
    distinct values, regression for other numbers. Whole numbers with many distinct values
    (counts, scores such as scikit-learn's diabetes) are regression, with a warning."""
    if task != "auto":
        return task, None
    if y.dtype.kind in "OUSb":
        return CLASSIFICATION, None
    if y.dtype.kind in "iu" or (y.ndim == 1 and np.all(np.isfinite(y)) and np.all(np.mod(y, 1) == 0)):
        k = len(np.unique(y))
        name = f"target {target!r}" if target else "the target"
        if k <= CLASS_LIMIT_QUIET:
            return CLASSIFICATION, None
        if k <= CLASS_LIMIT:
            return CLASSIFICATION, (f"{name} holds whole numbers with {k} distinct values: treated as "
                                    "classes (pass --task regression if it is a quantity)")
        return REGRESSION, (f"{name} holds whole numbers with {k} distinct values: treated as a quantity "
                            "to regress (pass --task classification if they are class labels)")
    return REGRESSION, None


def _short(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__
