"""The playground's set-up: presets, data sets, and the validation of every request's fields.

A configuration is a plain dict of JSON values; :func:`parse_config` checks each field (type,
range, choice) and raises :class:`RequestError` naming the field, so the server answers 400 with
that message. The limits keep one request's work small (a held Play must never pile up work).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["ACTIVATIONS", "DATASETS", "INITS", "LIMITS", "LOSSES", "MODES", "PRESETS", "RequestError",
           "make_data", "parse_config"]


class RequestError(ValueError):
    """A bad request: the message names the field; the server answers with ``status``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


LIMITS = {"layers": 4, "neurons": 8, "samples": 400, "steps_per_call": 4000, "epochs_per_call": 200,
          "sessions": 64, "body_bytes": 16384, "grid": 41}
ACTIVATIONS = ("linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "softmax")
LOSSES = ("squared", "half_mse", "log_likelihood", "bce", "cross_entropy")
DATASETS = ("worked-221", "and", "or", "xor", "moons", "circles", "spiral", "curve")
MODES = ("batch", "example", "minibatch")
INITS = ("random", "biases1", "xavier", "he")
MODELS = ("mlp", "perceptron")

# A preset is a whole configuration; the URL's fields override it (/?preset=xor&hidden=4).
_BASE: dict[str, Any] = {"model": "mlp", "hidden": [2], "activations": ["sigmoid", "sigmoid"], "k": 1.0,
                         "loss": "squared", "lr": 0.5, "mode": "batch", "batch": 4, "init": "random",
                         "seed": 0, "bias": True, "samples": 200, "noise": 0.1}
PRESETS: dict[str, dict[str, Any]] = {
    "worked-221": {**_BASE, "data": "worked-221", "hidden": [2], "activations": ["linear", "linear"],
                   "loss": "squared", "lr": 0.1, "bias": False, "init": "published"},
    "and": {**_BASE, "data": "and", "hidden": [], "activations": ["sigmoid"], "loss": "bce", "lr": 1.0},
    "or": {**_BASE, "data": "or", "hidden": [], "activations": ["sigmoid"], "loss": "bce", "lr": 1.0},
    "xor": {**_BASE, "data": "xor", "hidden": [4], "activations": ["tanh", "sigmoid"], "loss": "bce",
            "lr": 1.0, "init": "xavier", "seed": 1},
    "xor-perceptron": {**_BASE, "data": "xor", "model": "perceptron", "hidden": [], "activations": ["step"],
                       "lr": 1.0, "mode": "example", "init": "zeros"},
    "moons": {**_BASE, "data": "moons", "hidden": [8, 8], "activations": ["tanh", "tanh", "sigmoid"],
              "loss": "bce", "lr": 0.5, "mode": "minibatch", "batch": 20, "init": "xavier"},
    "circles": {**_BASE, "data": "circles", "hidden": [8], "activations": ["tanh", "sigmoid"], "loss": "bce",
                "lr": 0.5, "mode": "minibatch", "batch": 20, "init": "xavier"},
    "spiral": {**_BASE, "data": "spiral", "hidden": [8, 8], "activations": ["relu", "relu", "linear"],
               "loss": "cross_entropy", "lr": 0.5, "mode": "minibatch", "batch": 30, "init": "he",
               "samples": 300},
    "curve": {**_BASE, "data": "curve", "hidden": [8], "activations": ["tanh", "linear"], "loss": "half_mse",
              "lr": 0.1, "mode": "minibatch", "batch": 20, "init": "xavier", "samples": 100},
}
WORKED_WEIGHTS = [[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]]


def _field(cfg: dict, name: str, kind: type | tuple, default: Any) -> Any:
    v = cfg.get(name, default)
    if kind is float and isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    if kind is int and isinstance(v, float) and v.is_integer():
        v = int(v)
    if not isinstance(v, kind) or (kind in (int, float) and isinstance(v, bool)):
        want = {int: "an integer", float: "a number", bool: "true or false", str: "a string",
                list: "a list"}.get(kind, str(kind))
        raise RequestError(f"{name}: must be {want}, got {v!r:.60}")
    return v


def _choice(cfg: dict, name: str, options: tuple, default: str) -> str:
    v = _field(cfg, name, str, default)
    if v not in options:
        raise RequestError(f"{name}: must be one of {', '.join(options)}; got {v!r:.40}")
    return v


def _num(cfg: dict, name: str, lo: float, hi: float, default: float) -> float:
    v = _field(cfg, name, float, default)
    if not (math.isfinite(v) and lo <= v <= hi):
        raise RequestError(f"{name}: must be between {lo:g} and {hi:g}, got {v!r}")
    return v


def _int(cfg: dict, name: str, lo: int, hi: int, default: int) -> int:
    v = _field(cfg, name, int, default)
    if not lo <= v <= hi:
        raise RequestError(f"{name}: must be an integer from {lo} to {hi}, got {v}")
    return v


def parse_config(raw: Any) -> dict[str, Any]:
    """A checked, complete configuration from a request's ``config`` (a preset name fills the rest)."""
    if not isinstance(raw, dict):
        raise RequestError("config: must be a JSON object")
    preset = raw.get("preset", raw.get("data", "worked-221"))
    if not isinstance(preset, str) or preset not in PRESETS:
        field = "preset" if "preset" in raw else "data"  # no preset: the data set's name chose it
        raise RequestError(f"{field}: must be one of {', '.join(PRESETS)}; got {preset!r:.40}")
    base = PRESETS[preset]
    known = set(base) | {"preset"}
    for key in raw:
        if key not in known:
            raise RequestError(f"{key!s:.40}: unknown field; known: {', '.join(sorted(known))}")
    cfg = {**base, **raw}
    out: dict[str, Any] = {"preset": preset}
    out["data"] = _choice(cfg, "data", DATASETS, base["data"])
    out["model"] = _choice(cfg, "model", MODELS, "mlp")
    hidden = _field(cfg, "hidden", list, [])
    if len(hidden) > LIMITS["layers"] - 1:
        raise RequestError(f"hidden: at most {LIMITS['layers'] - 1} hidden layers, got {len(hidden)}")
    for j, h in enumerate(hidden):
        if isinstance(h, bool) or not isinstance(h, int) or not 1 <= h <= LIMITS["neurons"]:
            raise RequestError(f"hidden[{j}]: neurons per layer must be an integer from 1 to "
                               f"{LIMITS['neurons']}, got {h!r:.40}")
    if out["model"] == "perceptron":
        hidden = []
    out["hidden"] = list(hidden)
    acts = _field(cfg, "activations", list, [])
    n_layers = len(hidden) + 1
    acts = (list(acts) + [acts[-1] if acts else "sigmoid"] * n_layers)[:n_layers]
    for j, a in enumerate(acts):
        if a not in ACTIVATIONS:
            raise RequestError(f"activations[{j}]: must be one of {', '.join(ACTIVATIONS)}; got {a!r:.40}")
    if out["model"] == "perceptron":
        acts = ["step"]
    out["activations"] = acts
    out["k"] = _num(cfg, "k", -10.0, 10.0, 1.0)
    out["loss"] = _choice(cfg, "loss", LOSSES, "squared")
    out["lr"] = _num(cfg, "lr", 1e-6, 100.0, 0.1)
    out["mode"] = _choice(cfg, "mode", MODES, "batch")
    out["batch"] = _int(cfg, "batch", 1, LIMITS["samples"], 4)
    init = cfg.get("init", "random")
    allowed = INITS + (("published",) if out["data"] == "worked-221" else ()) + (
        ("zeros",) if out["model"] == "perceptron" else ())
    if init not in allowed:
        raise RequestError(f"init: must be one of {', '.join(allowed)}; got {init!r:.40}")
    out["init"] = init
    out["seed"] = _int(cfg, "seed", 0, 2 ** 31 - 1, 0)
    out["bias"] = _field(cfg, "bias", bool, True)
    out["samples"] = _int(cfg, "samples", 4, LIMITS["samples"], 200)
    out["noise"] = _num(cfg, "noise", 0.0, 1.0, 0.1)
    if out["model"] == "perceptron":
        out["mode"] = "example"
    if out["data"] == "worked-221" and out["init"] == "published":
        if out["hidden"] != [2] or out["bias"]:
            raise RequestError("init: the published weights fit the 2-2-1 network without biases only "
                               "(hidden [2], bias false)")
    return out


def make_data(cfg: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str, int]:
    """(X, y, task, n_classes): task 'binary', 'multiclass' or 'regression'; y holds class indices
    (int64) for classification and values (float64, shape N x 1) for regression."""
    from ..data import make_curve, make_moons, make_spirals

    name, n, noise, seed = cfg["data"], cfg["samples"], cfg["noise"], cfg["seed"]
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    if name == "worked-221":
        return np.array([[0.35, 0.9]]), np.array([[1.0]]), "regression", 0
    if name in ("and", "or", "xor"):
        y = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}[name]
        return corners, np.array(y, dtype=np.int64), "binary", 2
    if name == "moons":
        X, y = make_moons(n, noise=noise, seed=seed, return_X_y=True)
        return np.asarray(X, np.float64), np.asarray(y, np.int64), "binary", 2
    if name == "spiral":
        X, y = make_spirals(n, n_classes=3, noise=noise, seed=seed, return_X_y=True)
        return np.asarray(X, np.float64), np.asarray(y, np.int64), "multiclass", 3
    if name == "circles":
        g = np.random.default_rng(seed)
        y = np.arange(n) % 2
        r = np.where(y == 0, 1.0, 0.45) + noise * g.standard_normal(n) * 0.5
        t = g.uniform(0, 2 * np.pi, n)
        X = np.stack([r * np.cos(t), r * np.sin(t)], 1)
        return X, y.astype(np.int64), "binary", 2
    X, y = make_curve(n, noise=noise, seed=seed, return_X_y=True)
    return np.asarray(X, np.float64), np.asarray(y, np.float64), "regression", 0
