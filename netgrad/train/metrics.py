"""Metrics on predictions, ``metric(y_pred, y_true)`` (predictions first, as in ``fit``'s
``metrics=``). Inputs are tensors or arrays; results are Python floats (or arrays per class).

Class predictions come from scores: the argmax of (N, C) scores; for a single output column,
probabilities (all values in [0, 1]) are thresholded at 0.5 and logits at 0. One-hot targets
are turned into labels the same way.

>>> import numpy as np
>>> from netgrad.train import metrics
>>> scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
>>> metrics.accuracy(scores, np.array([1, 0, 0]))
0.6666666666666666
>>> metrics.confusion_matrix(scores, np.array([1, 0, 0]))
array([[1, 1],
       [0, 1]])
>>> round(metrics.r2_score(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0])), 4)
0.7857
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd import Tensor

__all__ = ["accuracy", "top_k_accuracy", "confusion_matrix", "precision", "recall", "f1_score",
           "precision_recall_f1", "mean_squared_error", "mean_absolute_error", "root_mean_squared_error",
           "r2_score", "mse", "mae", "rmse", "r2", "get_metric", "metric_name", "METRICS"]


def _np(x: Any) -> np.ndarray:
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def _labels_from_scores(p: np.ndarray) -> np.ndarray:
    if p.ndim >= 2 and p.shape[-1] > 1:
        return p.argmax(axis=-1)
    p = p.reshape(p.shape[0], -1)[:, 0] if p.ndim >= 2 else p
    if p.dtype.kind in "iub":
        return p.astype(np.int64)
    threshold = 0.5 if p.size and p.min() >= 0 and p.max() <= 1 else 0.0
    return (p > threshold).astype(np.int64)


def _true_labels(t: np.ndarray) -> np.ndarray:
    if t.ndim >= 2 and t.shape[-1] > 1:
        return t.argmax(axis=-1)
    t = t.reshape(len(t)) if t.ndim >= 2 else t
    return np.rint(t).astype(np.int64) if t.dtype.kind == "f" else t.astype(np.int64)


def _pair_labels(y_pred: Any, y_true: Any) -> tuple[np.ndarray, np.ndarray]:
    p, t = _labels_from_scores(_np(y_pred)), _true_labels(_np(y_true))
    if p.shape != t.shape:
        raise ValueError(f"metrics: {p.shape[0] if p.ndim else 0} predictions for "
                         f"{t.shape[0] if t.ndim else 0} targets (shapes {np.shape(_np(y_pred))} and "
                         f"{np.shape(_np(y_true))})")
    return p, t


def accuracy(y_pred: Any, y_true: Any) -> float:
    """The fraction of examples whose predicted class is the true one."""
    p, t = _pair_labels(y_pred, y_true)
    return float((p == t).mean()) if p.size else 0.0


def top_k_accuracy(y_pred: Any, y_true: Any, k: int = 5) -> float:
    """The fraction of examples whose true class is among the ``k`` highest scores."""
    s, t = _np(y_pred), _true_labels(_np(y_true))
    if s.ndim != 2:
        raise ValueError(f"top_k_accuracy: expected (N, C) scores, got shape {s.shape}")
    k = min(int(k), s.shape[1])
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return float((top == t[:, None]).any(axis=1).mean()) if len(t) else 0.0


def _num_classes(p: np.ndarray, t: np.ndarray, y_pred: Any, num_classes: int | None) -> int:
    if num_classes is not None:
        return int(num_classes)
    s = _np(y_pred)
    k = s.shape[-1] if s.ndim >= 2 and s.shape[-1] > 1 else 0
    return max(k, int(p.max(initial=-1)) + 1, int(t.max(initial=-1)) + 1)


def confusion_matrix(y_pred: Any, y_true: Any, num_classes: int | None = None) -> np.ndarray:
    """C[i, j] = number of examples of true class i predicted as class j (int64)."""
    p, t = _pair_labels(y_pred, y_true)
    k = _num_classes(p, t, y_pred, num_classes)
    if p.size and (min(p.min(), t.min()) < 0 or max(p.max(), t.max()) >= k):
        raise ValueError(f"confusion_matrix: labels outside [0, {k})")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.int64)


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b > 0)


def precision_recall_f1(y_pred: Any, y_true: Any, average: str | None = "macro",
                        num_classes: int | None = None) -> tuple[Any, Any, Any]:
    """Precision, recall and F1 per class (``average=None``), their unweighted mean over the
    classes present in predictions or targets (``'macro'``), or from the pooled counts
    (``'micro'``, equal to the accuracy for single-label problems). 0/0 counts as 0."""
    cm = confusion_matrix(y_pred, y_true, num_classes).astype(np.float64)
    tp = np.diag(cm)
    pred_pos, true_pos = cm.sum(axis=0), cm.sum(axis=1)
    if average == "micro":
        p = r = float(tp.sum() / cm.sum()) if cm.sum() else 0.0
        return p, r, p
    prec, rec = _div(tp, pred_pos), _div(tp, true_pos)
    f1 = _div(2 * prec * rec, prec + rec)
    if average is None:
        return prec, rec, f1
    if average != "macro":
        raise ValueError(f"precision/recall/f1: average must be 'macro', 'micro' or None, got {average!r}")
    present = (pred_pos + true_pos) > 0
    if not present.any():
        return 0.0, 0.0, 0.0
    return float(prec[present].mean()), float(rec[present].mean()), float(f1[present].mean())


def precision(y_pred: Any, y_true: Any, average: str | None = "macro", num_classes: int | None = None) -> Any:
    """TP / (TP + FP), per class or averaged (see ``precision_recall_f1``)."""
    return precision_recall_f1(y_pred, y_true, average, num_classes)[0]


def recall(y_pred: Any, y_true: Any, average: str | None = "macro", num_classes: int | None = None) -> Any:
    """TP / (TP + FN), per class or averaged (see ``precision_recall_f1``)."""
    return precision_recall_f1(y_pred, y_true, average, num_classes)[1]


def f1_score(y_pred: Any, y_true: Any, average: str | None = "macro", num_classes: int | None = None) -> Any:
    """2 P R / (P + R), per class or averaged (see ``precision_recall_f1``)."""
    return precision_recall_f1(y_pred, y_true, average, num_classes)[2]


def _reg_pair(y_pred: Any, y_true: Any) -> tuple[np.ndarray, np.ndarray]:
    p, t = _np(y_pred).astype(np.float64), _np(y_true).astype(np.float64)
    if p.size != t.size:
        raise ValueError(f"metrics: predictions of shape {p.shape} do not match targets of shape {t.shape}")
    return p.reshape(t.shape) if p.shape != t.shape else p, t


def mean_squared_error(y_pred: Any, y_true: Any) -> float:
    """mean((y_hat - y)^2) over all elements."""
    p, t = _reg_pair(y_pred, y_true)
    return float(np.mean((p - t) ** 2))


def root_mean_squared_error(y_pred: Any, y_true: Any) -> float:
    """sqrt(mean((y_hat - y)^2))."""
    return float(np.sqrt(mean_squared_error(y_pred, y_true)))


def mean_absolute_error(y_pred: Any, y_true: Any) -> float:
    """mean(|y_hat - y|) over all elements."""
    p, t = _reg_pair(y_pred, y_true)
    return float(np.mean(np.abs(p - t)))


def r2_score(y_pred: Any, y_true: Any) -> float:
    """1 - SS_res / SS_tot per output column, averaged (scikit-learn's 'uniform_average');
    a constant target gives 1.0 when predicted exactly, else 0.0."""
    p, t = _reg_pair(y_pred, y_true)
    p2, t2 = p.reshape(len(t), -1), t.reshape(len(t), -1)
    ss_res = ((t2 - p2) ** 2).sum(axis=0)
    ss_tot = ((t2 - t2.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(ss_tot > 0, 1 - _div(ss_res, ss_tot), np.where(ss_res == 0, 1.0, 0.0))
    return float(scores.mean())


mse, mae, rmse, r2 = mean_squared_error, mean_absolute_error, root_mean_squared_error, r2_score


def _top5(y_pred: Any, y_true: Any) -> float:
    return top_k_accuracy(y_pred, y_true, 5)


METRICS: dict[str, Callable[[Any, Any], Any]] = {
    "accuracy": accuracy, "acc": accuracy, "top_k_accuracy": _top5, "top5": _top5,
    "precision": precision, "recall": recall, "f1": f1_score, "f1_score": f1_score,
    "mse": mean_squared_error, "mean_squared_error": mean_squared_error, "rmse": root_mean_squared_error,
    "mae": mean_absolute_error, "mean_absolute_error": mean_absolute_error,
    "r2": r2_score, "r2_score": r2_score,
}


def get_metric(metric: str | Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A metric function from its name (``'accuracy'``, ``'top5'``, ``'f1'``, ``'mae'``, ...) or
    the callable itself."""
    if callable(metric):
        return metric
    try:
        return METRICS[metric]
    except (KeyError, TypeError):
        raise ValueError(f"unknown metric {metric!r}; known: {sorted(METRICS)} (or pass a callable "
                         "(y_pred, y_true) -> float)") from None


def metric_name(metric: str | Callable[[Any, Any], Any]) -> str:
    """The key a metric gets in a History: its name, or the callable's ``__name__``."""
    if isinstance(metric, str):
        return metric
    return getattr(metric, "__name__", type(metric).__name__)
