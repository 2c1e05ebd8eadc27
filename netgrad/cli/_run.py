"""A run folder: the model (``model.ngz`` state dict + ``model.json`` spec), ``checkpoint.ngz``
(for ``train --resume``), ``history.json``, ``config.toml``, ``metrics.json`` and ``loss.png``;
and the model loaded back for use.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

import netgrad as ng
from netgrad.estimators import network

from ._common import CLIError

MODEL_FILE, SPEC_FILE, CHECKPOINT_FILE = "model.ngz", "model.json", "checkpoint.ngz"
HISTORY_FILE, CONFIG_FILE, METRICS_FILE, PLOT_FILE = "history.json", "config.toml", "metrics.json", "loss.png"
SPEC_FORMAT = "netgrad.mlp"


class Scaler:
    """Feature scaling fitted on the training data (``netgrad.data``'s scalers); ``kind`` is
    'standard', 'minmax' or 'none'. Calling it scales a float32 matrix."""

    _CLASSES = {"standard": "StandardScaler", "minmax": "MinMaxScaler"}

    def __init__(self, kind: str, scaler: Any = None):
        self.kind, self.scaler = kind, scaler

    @classmethod
    def fit(cls, kind: str, X: np.ndarray) -> Scaler:
        if kind not in cls._CLASSES:
            return cls("none")
        import netgrad.data as D

        return cls(kind, getattr(D, cls._CLASSES[kind])().fit(np.asarray(X)))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        return X if self.scaler is None else np.asarray(self.scaler.transform(X), dtype=np.float32)

    def to_json(self) -> dict:
        if self.scaler is None:
            return {"kind": "none"}
        return {"kind": self.kind, **{k: np.asarray(v).tolist() for k, v in self.scaler.state_dict().items()}}

    @classmethod
    def from_json(cls, d: dict | None) -> Scaler:
        if not d or d.get("kind", "none") not in cls._CLASSES:
            return cls("none")
        import netgrad.data as D

        scaler = getattr(D, cls._CLASSES[d["kind"]])()
        scaler.load_state_dict({k: np.asarray(v, dtype=np.float64) for k, v in d.items() if k != "kind"})
        return cls(d["kind"], scaler)


class TargetScaler:
    """Regression targets standardised for training, (y - mean) / std per output; outputs are
    mapped back, so predictions and metrics are in the target's own units."""

    def __init__(self, mean: np.ndarray | None = None, std: np.ndarray | None = None):
        self.mean, self.std = mean, std

    @classmethod
    def fit(cls, y: np.ndarray) -> TargetScaler:
        y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        std = y.std(axis=0)
        return cls(y.mean(axis=0), np.where(std > 0, std, 1.0))

    def forward(self, y: np.ndarray) -> np.ndarray:
        return y if self.mean is None else ((y - self.mean) / self.std).astype(np.float32)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        return z if self.mean is None else (np.asarray(z, np.float64) * self.std + self.mean)

    def to_json(self) -> dict | None:
        return None if self.mean is None else {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_json(cls, d: dict | None) -> TargetScaler:
        if not d:
            return cls()
        return cls(np.asarray(d["mean"], np.float64), np.asarray(d["std"], np.float64))


class TrainedModel:
    """A network with what it needs around it: the feature encoder (CSV files), the scaler, the
    class labels or target scaling, the objective."""

    def __init__(self, spec: dict, model: Any):
        from ._csv import Encoder

        self.spec, self.model = spec, model
        self.encoder = Encoder.from_json(spec.get("encoder"))
        self.target_scaler = TargetScaler.from_json(spec.get("target_scaler"))
        self.scaler = Scaler.from_json(spec.get("scaler"))
        self.task = spec["task"]
        self.classes = np.asarray(spec["classes"]) if spec.get("classes") is not None else None
        self.n_features = int(spec["n_features"])

    @classmethod
    def build(cls, spec: dict) -> TrainedModel:
        model = network.build_mlp(spec["n_features"], spec["hidden"], spec["n_outputs"],
                                   spec["activation"], spec.get("dropout", 0.0))
        return cls(spec, model)

    @property
    def head(self) -> str:
        return "softmax" if self.task == network.CLASSIFICATION else "identity"

    def objective(self):
        return network.objective(self.spec["loss"], self.task)

    def loss_fn(self):
        return network.make_loss(self.objective(), self.head)

    def encode(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss wants them: class indices, one-hot rows, or float values."""
        if self.task == network.REGRESSION:
            y = np.asarray(y, dtype=np.float64)
            y = y.reshape(-1, 1) if y.ndim == 1 else y
            return np.asarray(self.target_scaler.forward(y), dtype=np.float32)
        idx = class_indices(y, self.classes)
        if network.target_format(self.objective(), self.head) == "index":
            return idx
        return np.eye(len(self.classes), dtype=np.float32)[idx]

    def check_features(self, X: np.ndarray, source: str) -> None:
        if X.ndim != 2 or X.shape[1] != self.n_features:
            got = X.shape[1] if X.ndim == 2 else X.shape
            raise CLIError(f"{source} has {got} feature columns, the model expects {self.n_features}")

    def scores(self, X: np.ndarray) -> np.ndarray:
        """The network's outputs for raw (unscaled) rows."""
        from netgrad.train import predict

        if len(X) == 0:
            return np.zeros((0, self.spec["n_outputs"]), np.float32)
        return predict(self.model, self.scaler(X), batch_size=4096)

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(predictions, class probabilities or None)."""
        s = self.scores(X)
        if self.task == network.REGRESSION:
            s = self.target_scaler.inverse(s)
            return (s[:, 0] if s.shape[1] == 1 else s), None
        P = network.probabilities(s, "softmax")
        return self.classes[P.argmax(axis=1)], P

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """The objective's value and the task's metrics on (X, y)."""
        from netgrad.train import evaluate

        if self.task == network.CLASSIFICATION:
            out = evaluate(self.model, self.loss_fn(), (self.scaler(X), self.encode(y)),
                           metrics=("accuracy",), batch_size=4096)
            return {"loss": out["loss"], "n": int(len(X)), "accuracy": out["accuracy"]}
        # the loss is the training objective's (standardised targets); the metrics in y's units
        out = evaluate(self.model, self.loss_fn(), (self.scaler(X), self.encode(y)), batch_size=4096)
        return {"loss": out["loss"], "n": int(len(X)), **regression_metrics(self.predict(X)[0], y)}


def regression_metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """MSE, MAE and R^2 (1 - SS_res / SS_tot, averaged over outputs) in float64."""
    p = np.asarray(pred, np.float64).reshape(len(pred), -1)
    t = np.asarray(y, np.float64).reshape(len(y), -1)
    err = p - t
    ss_tot = ((t - t.mean(axis=0)) ** 2).sum(axis=0)
    ss_res = (err ** 2).sum(axis=0)
    r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), 0.0)
    return {"mse": float((err ** 2).mean()), "mae": float(np.abs(err).mean()), "r2": float(r2.mean())}


def class_indices(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Each label's index in ``classes``; an unknown label is an error naming it."""
    y = np.asarray(y)
    if classes.dtype.kind in "iuf" and y.dtype.kind in "iuf":
        y = y.astype(classes.dtype)
    else:
        y, classes = y.astype(str), classes.astype(str)
    idx = np.searchsorted(classes, y)
    idx = np.clip(idx, 0, len(classes) - 1)
    bad = classes[idx] != y
    if bad.any():
        raise CLIError(f"label {y[bad][0]!r} is not one the model knows ({_preview(classes)})")
    return idx.astype(np.int64)


def _preview(values: np.ndarray, k: int = 10) -> str:
    items = [str(v) for v in values[:k]]
    return ", ".join(items) + (", ..." if len(values) > k else "")


def to_jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    if isinstance(x, np.generic):
        return to_jsonable(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)


def prepare_run_dir(out: Path) -> None:
    """Create the run folder (and its parents) and check that it is writable; remove temporary
    files that an interrupted save (kill -9) left behind. A bad path is one line, no traceback."""
    try:
        if out.exists() and not out.is_dir():
            raise CLIError(f"--out {out}: a file of that name exists (the run folder must be a folder)")
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".netgrad-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except CLIError:
        raise
    except OSError as e:
        raise CLIError(f"--out {out}: cannot write the run folder ({e.strerror or _one_line(e)})") from None
    clean_stale_tmp(out)


def clean_stale_tmp(out: Path) -> list[Path]:
    """Remove ``.tmp-<file>-*`` leftovers of ``ng.save``'s atomic writes of this run's files."""
    removed = []
    for name in (MODEL_FILE, CHECKPOINT_FILE):
        for p in out.glob(f".tmp-{name}-*"):
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


def save_model(out: Path, trained: TrainedModel) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        ng.save(trained.model.state_dict(), out / MODEL_FILE)
        save_json(out / SPEC_FILE, trained.spec)
        match_umask(out / MODEL_FILE, out / CHECKPOINT_FILE)
    except OSError as e:
        raise CLIError(f"cannot write the model to {out}: {e.strerror or _one_line(e)}") from None


def match_umask(*paths: Path) -> None:
    """Give files that ``ng.save`` wrote through a private temporary file (mode 0600) the mode the
    rest of the run folder has (0666 less the umask), so a run folder is shared or private whole."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    for p in paths:
        if p.is_file():
            try:
                os.chmod(p, 0o666 & ~mask)
            except OSError:
                pass


def read_spec(run: Path) -> dict:
    """A run folder's ``model.json``, checked."""
    spec_path = run / SPEC_FILE
    if not spec_path.is_file():
        raise CLIError(f"not a netgrad run folder: {run} has no {SPEC_FILE}")
    try:
        spec = json.loads(spec_path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise CLIError(f"cannot read {spec_path}: {_one_line(e)}") from None
    if not isinstance(spec, dict) or spec.get("format") != SPEC_FORMAT:
        got = spec.get("format") if isinstance(spec, dict) else type(spec).__name__
        raise CLIError(f"cannot load the model in {run}: format is {got!r}, expected {SPEC_FORMAT!r}")
    return spec


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def load_model(run_dir: str | Path) -> TrainedModel:
    run = Path(run_dir)
    if not run.is_dir():
        raise CLIError(f"model folder not found: {run}")
    spec_path, weights = run / SPEC_FILE, run / MODEL_FILE
    for p in (spec_path, weights):
        if not p.is_file():
            raise CLIError(f"not a netgrad run folder: {run} has no {p.name}")
    spec = read_spec(run)
    try:
        trained = TrainedModel.build(spec)
        trained.model.load_state_dict(ng.load(weights))
    except CLIError:
        raise
    except Exception as e:  # noqa: BLE001 - any corruption reads as one line
        raise CLIError(f"cannot load the model in {run}: {' '.join(str(e).split())}") from None
    trained.model.eval()
    return trained


def save_json(path: Path, obj: Any) -> None:
    """A dict as JSON, one top-level key per line (lists and nested values kept compact)."""
    obj = to_jsonable(obj)
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in obj.items()]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")


def save_loss_plot(history: Any, path: Path, title: str = "") -> bool:
    """The loss curve (and metrics, gradient norm) as a PNG via ``netgrad.viz``, on a log scale
    when the loss spans two decades or more; False without matplotlib."""
    try:
        import matplotlib  # noqa: F401  (an optional dependency)
        from netgrad.viz import plot_history
    except ImportError:
        return False
    losses = np.asarray([v for v in history.history.get("loss", []) if v is not None], dtype=float)
    logy = bool(losses.size and np.all(losses > 0) and losses.max() >= 100 * losses.min())
    fig = plot_history(history, path=path, title=title or None, logy=logy)  # picks a backend first
    import matplotlib.pyplot as plt

    plt.close(fig)
    return True
