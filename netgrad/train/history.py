"""``History``: what ``fit`` recorded, one list entry per epoch.

>>> from netgrad.train import History
>>> h = History()
>>> h.append({"loss": 0.5, "grad_norm": 0.1, "lr": 0.1, "seconds": 0.01})
>>> h.epochs, h.history["loss"], h.to_dict()["stop_reason"]
(1, [0.5], None)
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

__all__ = ["History", "STOP_REASONS"]

STOP_REASONS = ("max_epochs", "grad_tol", "target_loss", "patience", "time_limit", "callback", "interrupted")


def _plain(v: Any) -> Any:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return int(v) if isinstance(v, int) and not isinstance(v, bool) else f


class History:
    """``history``: a dict of per-epoch lists (``loss``: the example-weighted mean of the batch
    losses; ``grad_norm``: see ``fit``; ``lr``: the first parameter group's learning rate during
    the epoch; ``seconds``; each metric; and ``val_loss`` / ``val_<metric>`` with validation data);
    ``epochs``: how many ran;
    ``stop_reason``: why training stopped (one of ``STOP_REASONS``); ``best_epoch``: the 1-based
    epoch with the lowest monitored loss (``val_loss`` if there was validation data, else
    ``loss``), so its values are ``history[key][best_epoch - 1]``."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.stop_reason: str | None = None
        self.best_epoch: int | None = None
        self.params: dict[str, Any] = {}

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss", []))

    def append(self, logs: dict[str, Any]) -> None:
        n = self.epochs
        for k, v in logs.items():
            self.history.setdefault(k, [math.nan] * n).append(_plain(v))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def last(self, key: str, default: Any = None) -> Any:
        v = self.history.get(key)
        return v[-1] if v else default

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serialisable): history, epochs, stop_reason, best_epoch, params."""
        return {"history": {k: list(v) for k, v in self.history.items()}, "epochs": self.epochs,
                "stop_reason": self.stop_reason, "best_epoch": self.best_epoch, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        h = cls()
        h.history = {k: list(v) for k, v in d.get("history", {}).items()}
        h.stop_reason, h.best_epoch = d.get("stop_reason"), d.get("best_epoch")
        h.params = dict(d.get("params", {}))
        return h

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def _rows(self, max_rows: int = 12) -> list[int | None]:
        """The epochs (0-based) a table shows: all, or the first 3 and the last ones (None: a gap)."""
        n = self.epochs
        if n <= max_rows:
            return list(range(n))
        return [0, 1, 2, None] + list(range(n - (max_rows - 4), n))

    def _headline(self) -> str:
        text = f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}, stopped: {self.stop_reason}"
        if self.best_epoch is not None:
            key = "val_loss" if "val_loss" in self.history else "loss"
            text += f", best epoch {self.best_epoch} ({key} {self.history[key][self.best_epoch - 1]:.4g})"
        return text

    def _repr_html_(self) -> str:  # Jupyter: a table of the epochs (long runs: first and last)
        keys = [k for k in self.history if k != "seconds"]
        head = "".join(f"<th>{html.escape(k)}</th>" for k in ["epoch"] + keys)
        rows = []
        for i in self._rows():
            if i is None:
                rows.append(f"<tr><td colspan=\"{len(keys) + 1}\">&hellip;</td></tr>")
                continue
            cells = "".join(f"<td>{_num(self.history[k][i])}</td>" for k in keys)
            style = " style=\"font-weight:bold\"" if self.best_epoch == i + 1 else ""
            rows.append(f"<tr{style}><td>{i + 1}</td>{cells}</tr>")
        return ("<div class=\"netgrad-history\"><p><b>History</b>: " + html.escape(self._headline())
                + "</p>\n<table>\n<tr>" + head + "</tr>\n" + "\n".join(rows) + "\n</table></div>\n")

    def _repr_markdown_(self) -> str:
        keys = [k for k in self.history if k != "seconds"]
        lines = [f"**History**: {self._headline()}", "", "| " + " | ".join(["epoch"] + keys) + " |",
                 "|" + "---|" * (len(keys) + 1)]
        for i in self._rows():
            cells = ["..."] * (len(keys) + 1) if i is None else [str(i + 1)] + [
                _num(self.history[k][i]) for k in keys]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return (f"History(epochs={self.epochs}, stop_reason={self.stop_reason!r}, "
                f"best_epoch={self.best_epoch}, keys=[{keys}])")


def _num(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, (int, float)) else html.escape(str(v))
