"""One learner's playground: a network, its data, and the step it is at (Forward, Backward, Update).

Every number comes from netgrad: the forward and backward pass of an MLP from ``netgrad.explain``
(the notes' delta rule, cross-checked against autograd), the update from the trace's -eta dJ/dW,
the perceptron's from ``nn.Perceptron`` (Rosenblatt's rule). The page only draws them.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .config import LIMITS, WORKED_WEIGHTS, RequestError, make_data

__all__ = ["Session"]


def _act_module(name: str, k: float) -> Any:
    from .. import nn

    if name == "linear":
        return nn.LinearActivation(k) if k != 1.0 else None
    return {"step": nn.Step, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
            "leaky_relu": nn.LeakyReLU}.get(name, lambda: nn.Softmax(dim=1))()


class Session:
    """The state of one page; ``lock`` serialises its requests (a held Play never overlaps itself)."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.lock = threading.Lock()
        self.cfg = cfg
        self.X, self.y, self.task, self.n_classes = make_data(cfg)
        self.perceptron = cfg["model"] == "perceptron"
        if self.task == "regression" and cfg["loss"] in ("cross_entropy", "bce", "log_likelihood") \
                and not self.perceptron and cfg["data"] != "worked-221":
            raise RequestError(f"loss: {cfg['loss']} needs class labels; {cfg['data']} is a regression "
                               "(choose squared or half_mse)")
        if self.perceptron and self.task != "binary":
            raise RequestError(f"model: the perceptron separates two classes; {cfg['data']} is not a "
                               "two-class data set")
        n_out = 1 if self.task != "multiclass" else self.n_classes
        if self.task == "binary" and cfg["loss"] == "cross_entropy":
            n_out = 2
        self.sizes = [self.X.shape[1], *cfg["hidden"], n_out]
        self.T = self._targets()
        self.rng = np.random.default_rng(cfg["seed"])
        self.order = np.arange(len(self.X))
        self.cursor, self.epoch, self.steps = 0, 0, 0
        self.phase = "ready"          # ready -> forward -> backward -> update -> forward ...
        self.batch = np.arange(0)
        self.trace: Any = None        # explain's Trace (MLP) or a dict (perceptron)
        self.old: list[tuple[np.ndarray, np.ndarray | None]] | None = None  # weights before the update
        self.history: list[dict[str, float]] = []
        self._build()
        self._shuffle()
        self._record()

    # ------------------------------------------------------------------ set-up
    def _targets(self) -> np.ndarray:
        if self.task == "regression":
            return self.y.reshape(-1, 1).astype(np.float64)
        if self.cfg["loss"] == "cross_entropy" and not self.perceptron:
            return self.y.astype(np.int64)
        if self.sizes[-1] == 1:
            return self.y.reshape(-1, 1).astype(np.float64)
        return np.eye(self.sizes[-1])[self.y]

    def _build(self) -> None:
        import netgrad as ng

        from .. import nn

        cfg = self.cfg
        ng.manual_seed(cfg["seed"])
        if self.perceptron:
            init = "random" if cfg["init"] in ("random", "xavier", "he") else "zeros"
            self.model = nn.Perceptron(self.sizes[0], lr=cfg["lr"], init=init, rule="rosenblatt",
                                       dtype=ng.float64)
            if cfg["init"] == "biases1":
                self.model.weight._data[0] = 1.0
            return
        mods = []
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            lin = nn.Linear(n_in, n_out, bias=cfg["bias"], dtype=ng.float64)
            with ng.no_grad():
                if cfg["init"] == "published":
                    lin.weight.copy_(ng.tensor(np.asarray(WORKED_WEIGHTS[i]).T, dtype=ng.float64))
                elif cfg["init"] == "xavier":
                    nn.init.xavier_uniform_(lin.weight)
                elif cfg["init"] == "he":
                    nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
                if lin.bias is not None:
                    if cfg["init"] == "biases1":
                        nn.init.ones_(lin.bias)
                    elif cfg["init"] in ("xavier", "he"):
                        nn.init.zeros_(lin.bias)
            mods.append(lin)
            act = _act_module(cfg["activations"][i], cfg["k"])
            if act is not None:
                mods.append(act)
        self.model = nn.Sequential(*mods)
        self.linears = [m for m in mods if type(m).__name__ == "Linear"]
        try:  # a loss the output layer cannot feed is refused now, with explain's reason
            self._explain(np.arange(min(2, len(self.X))))
        except ValueError as e:
            raise RequestError(f"loss: {e}") from None

    def _shuffle(self) -> None:
        if self.cfg["mode"] != "batch":
            self.order = self.rng.permutation(len(self.X))

    # ------------------------------------------------------------------ weights
    def weights(self) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """(W, b) per layer in the notes' orientation: W inputs x outputs."""
        if self.perceptron:
            w = self.model.weight.numpy().astype(np.float64)
            return [(w[1:].reshape(-1, 1).copy(), w[:1].copy())]
        return [(lin.weight.numpy().T.astype(np.float64).copy(),
                 None if lin.bias is None else lin.bias.numpy().astype(np.float64).copy())
                for lin in self.linears]

    # ------------------------------------------------------------------ the steps
    def _explain(self, idx: np.ndarray) -> Any:
        import netgrad as ng

        return ng.explain(self.model, self.X[idx], self.T[idx], loss=self.cfg["loss"], lr=self.cfg["lr"])

    def _next_batch(self) -> np.ndarray:
        n = len(self.X)
        size = {"batch": n, "example": 1, "minibatch": min(self.cfg["batch"], n)}[self.cfg["mode"]]
        return self.order[self.cursor:self.cursor + size]

    def forward(self) -> None:
        if self.phase in ("forward", "backward"):
            return
        self.batch = self._next_batch()
        self.old = None
        if self.perceptron:
            xa = self.model.augment(self.X[self.batch])
            net = xa @ self.model.weight.numpy().astype(np.float64)
            y_hat = (net >= 0).astype(np.float64)
            self.trace = {"x": xa, "net": net, "y_hat": y_hat, "t": self.T[self.batch, 0]}
        else:
            self.trace = self._explain(self.batch)
        self.phase = "forward"

    def backward(self) -> None:
        if self.phase not in ("forward", "backward"):
            self.forward()
        self.phase = "backward"

    def update(self) -> None:
        if self.phase != "backward":
            self.backward()
        import netgrad as ng

        self.old = self.weights()
        if self.perceptron:
            for i in self.batch:
                self.model.update(self.X[i], float(self.T[i, 0]))
        else:
            with ng.no_grad():
                for lin, lt in zip(self.linears, self.trace.layers):
                    lin.weight.add_(ng.tensor(lt.update_W.T, dtype=ng.float64))
                    if lin.bias is not None and lt.update_b is not None:
                        lin.bias.add_(ng.tensor(lt.update_b, dtype=ng.float64))
        self.phase = "update"
        self.steps += 1
        self.cursor += len(self.batch)
        if self.cursor >= len(self.X):
            self.cursor, self.epoch = 0, self.epoch + 1
            self._shuffle()
            self._record()

    def step(self) -> None:
        self.forward()
        self.backward()
        self.update()

    def run_epochs(self, epochs: int) -> None:
        """Steps until ``epochs`` more epochs are done (at most LIMITS['steps_per_call'] steps)."""
        target = self.epoch + epochs
        budget = LIMITS["steps_per_call"]
        while self.epoch < target and budget > 0:
            self.step()
            budget -= 1

    # ------------------------------------------------------------------ read-outs
    def outputs(self, X: np.ndarray) -> np.ndarray:
        """The network's prediction y_hat per row (probabilities where the loss applies softmax)."""
        import netgrad as ng

        if self.perceptron:
            return (self.model.augment(X) @ self.model.weight.numpy().astype(np.float64) >= 0).astype(
                np.float64).reshape(-1, 1)
        with ng.no_grad():
            out = self.model(ng.tensor(X, dtype=ng.float64)).numpy().astype(np.float64)
        if self.cfg["loss"] == "cross_entropy" and self.cfg["activations"][-1] != "softmax":
            e = np.exp(out - out.max(axis=1, keepdims=True))
            out = e / e.sum(axis=1, keepdims=True)
        return out

    def predict_class(self, out: np.ndarray) -> np.ndarray:
        return (out[:, 0] >= 0.5).astype(np.int64) if out.shape[1] == 1 else out.argmax(axis=1)

    def _record(self) -> None:
        entry: dict[str, float] = {"epoch": float(self.epoch)}
        out = self.outputs(self.X)
        if self.perceptron:
            entry["errors"] = float((self.predict_class(out) != self.y).sum())
            entry["loss"] = entry["errors"]
        else:
            entry["loss"] = float(self._explain(np.arange(len(self.X))).loss)
            if self.task != "regression":
                entry["errors"] = float((self.predict_class(out) != self.y).sum())
        self.history.append(entry)
        if len(self.history) > 2000:  # the curve keeps its shape; memory stays bounded
            self.history = self.history[::2]

    def boundary(self) -> dict[str, Any] | None:
        """The prediction over a grid of the plane (2-D data) or along the line (1-D data)."""
        lo, hi = self.X.min(axis=0) - 0.5, self.X.max(axis=0) + 0.5
        if self.X.shape[1] == 1:
            xs = np.linspace(lo[0], hi[0], 121).reshape(-1, 1)
            return {"kind": "curve", "x": xs[:, 0].round(4).tolist(),
                    "y": self.outputs(xs)[:, 0].round(4).tolist()}
        if self.cfg["data"] == "worked-221":
            return None
        n = LIMITS["grid"]
        g0, g1 = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
        G = np.stack(np.meshgrid(g0, g1), -1).reshape(-1, 2)   # row-major: y outer, x inner
        out = self.outputs(G)
        cls = self.predict_class(out)
        conf = out[:, 0] if out.shape[1] == 1 else out.max(axis=1)
        return {"kind": "grid", "n": n, "x0": float(lo[0]), "x1": float(hi[0]), "y0": float(lo[1]),
                "y1": float(hi[1]), "cls": cls.tolist(), "p": np.clip(conf, 0, 1).round(3).tolist()}
