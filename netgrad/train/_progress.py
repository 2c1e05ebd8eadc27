"""Progress output for ``fit``: a tqdm bar (imported lazily) or plain per-epoch lines."""

from __future__ import annotations

import sys
import time
from typing import Any


def format_logs(logs: dict[str, Any], skip: tuple[str, ...] = ("lr", "seconds")) -> str:
    parts = []
    for k, v in logs.items():
        if k in skip or not isinstance(v, (int, float)):
            continue
        parts.append(f"{k}={v:.4g}")
    return " ".join(parts)


class Reporter:
    """verbose=0: silent; 1: a tqdm bar per epoch with live loss and metrics (one bar over the
    epochs when each epoch is a single batch, as in batch gradient descent); 2 (or no tqdm):
    one line per epoch."""

    def __init__(self, verbose: int, epochs: int, n_batches: int):
        self.verbose, self.epochs, self.n_batches = int(verbose), epochs, n_batches
        self.tqdm = None
        if self.verbose == 1:
            try:
                from tqdm.auto import tqdm

                self.tqdm = tqdm
            except ImportError:
                self.tqdm = None
        self.per_epoch_bar = n_batches <= 1
        self.bar: Any = None
        self._last = 0.0

    def train_begin(self, start_epoch: int) -> None:
        if self.tqdm is not None and self.per_epoch_bar:
            self.bar = self.tqdm(total=self.epochs, initial=start_epoch - 1, desc="Training", unit="epoch",
                                 dynamic_ncols=True)

    def epoch_begin(self, epoch: int, skip: int = 0) -> None:
        if self.tqdm is not None and not self.per_epoch_bar:
            self.bar = self.tqdm(total=self.n_batches, initial=skip, desc=f"Epoch {epoch}/{self.epochs}",
                                 unit="batch", dynamic_ncols=True, leave=True)
            self._last = 0.0

    def wants_live(self) -> bool:
        """True when it is time to refresh the live values (at most ~5 times a second)."""
        if self.bar is None or self.per_epoch_bar:
            return False
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            return True
        return False

    def batch_end(self, live: dict[str, float] | None = None) -> None:
        if self.bar is not None and not self.per_epoch_bar:
            if live is not None:
                self.bar.set_postfix_str(format_logs(live), refresh=False)
            self.bar.update(1)

    def epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        if self.verbose == 0:
            return
        text = format_logs(logs)
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)
            if self.per_epoch_bar:
                self.bar.update(1)
            else:
                self.bar.close()
                self.bar = None
        else:
            print(f"Epoch {epoch}/{self.epochs}: {text} ({logs.get('seconds', 0.0):.2f}s)", file=sys.stdout,
                  flush=True)

    def close(self, message: str | None = None) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if message and self.verbose:
            print(message, file=sys.stdout, flush=True)
