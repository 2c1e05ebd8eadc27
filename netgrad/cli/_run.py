"""A run folder: the model (``model.ngz`` state dict + ``model.json`` spec), ``history.json``,
``config.toml``, ``metrics.json`` and ``loss.png``; and the model loaded back for use.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

import netgrad as ng
from netgrad.estimators import _network

from ._common import CLIError

MODEL_FILE, SPEC_FILE = "model.ngz", "model.json"
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


class TrainedModel:
    """A network with what it needs around it: the scaler, the class labels, the objective."""

    def __init__(self, spec: dict, model: Any):
        self.spec, self.model = spec, model
        self.scaler = Scaler.from_json(spec.get("scaler"))
        self.task = spec["task"]
        self.classes = np.asarray(spec["classes"]) if spec.get("classes") is not None else None
        self.n_features = int(spec["n_features"])

    @classmethod
    def build(cls, spec: dict) -> TrainedModel:
        model = _network.build_mlp(spec["n_features"], spec["hidden"], spec["n_outputs"],
                                   spec["activation"], spec.get("dropout", 0.0))
        return cls(spec, model)

    @property
    def head(self) -> str:
        return "softmax" if self.task == _network.CLASSIFICATION else "identity"

    def objective(self):
        return _network.objective(self.spec["loss"], self.task)

    def loss_fn(self):
        return _network.make_loss(self.objective(), self.head)

    def encode(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss wants them: class indices, one-hot rows, or float values."""
        if self.task == _network.REGRESSION:
            y = np.asarray(y, dtype=np.float32)
            return y.reshape(-1, 1) if y.ndim == 1 else y
        idx = class_indices(y, self.classes)
        if _network.target_format(self.objective(), self.head) == "index":
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
        if self.task == _network.REGRESSION:
            return (s[:, 0] if s.shape[1] == 1 else s), None
        P = _network.probabilities(s, "softmax")
        return self.classes[P.argmax(axis=1)], P

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """The objective's value and the task's metrics on (X, y)."""
        from netgrad.train import evaluate

        metrics = ("accuracy",) if self.task == _network.CLASSIFICATION else ("mse", "mae", "r2")
        out = evaluate(self.model, self.loss_fn(), (self.scaler(X), self.encode(y)), metrics=metrics,
                       batch_size=4096)
        return {"loss": out["loss"], "n": int(len(X)), **{m: out[m] for m in metrics}}


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


def save_model(out: Path, trained: TrainedModel) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ng.save(trained.model.state_dict(), out / MODEL_FILE)
    save_json(out / SPEC_FILE, trained.spec)


def load_model(run_dir: str | Path) -> TrainedModel:
    run = Path(run_dir)
    if not run.is_dir():
        raise CLIError(f"model folder not found: {run}")
    spec_path, weights = run / SPEC_FILE, run / MODEL_FILE
    for p in (spec_path, weights):
        if not p.is_file():
            raise CLIError(f"not a netgrad run folder: {run} has no {p.name}")
    try:
        spec = json.loads(spec_path.read_text())
        if spec.get("format") != SPEC_FORMAT:
            raise ValueError(f"format is {spec.get('format')!r}, expected {SPEC_FORMAT!r}")
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
    """The loss curve (and metrics, gradient norm) as a PNG via ``netgrad.viz``; False without
    matplotlib."""
    try:
        from netgrad.viz import plot_history
        from netgrad.viz._mpl import plt
    except ImportError:
        return False
    fig = plot_history(history, path=path, title=title or None)
    plt.close(fig)
    return True
