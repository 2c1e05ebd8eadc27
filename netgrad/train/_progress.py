"""Progress output for ``fit``: one tqdm bar per fit (imported lazily) or plain per-epoch lines,
and a summary line at the end.

verbose=1 with tqdm installed: one bar over every batch of every epoch (its description says which
epoch, its postfix the running loss and metrics), so that a single long epoch moves too. tqdm.auto
picks the notebook widget in Jupyter and the text bar elsewhere. A fit that stops early (grad_tol,
target_loss, patience...) ends its bar at 100% of the work done, and a summary line says why it
stopped; only an error leaves the bar short (red in a notebook). In a notebook the widget's saved
text form is refreshed at the end, so a saved notebook does not show the bar's first state (0%).
"""

from __future__ import annotations

import sys
import time
import warnings
from typing import Any


def format_logs(logs: dict[str, Any], skip: tuple[str, ...] = ("lr", "seconds")) -> str:
    parts = []
    for k, v in logs.items():
        if k in skip or not isinstance(v, (int, float)):
            continue
        parts.append(f"{k}={v:.4g}")
    return " ".join(parts)


def _tqdm_class() -> Any:
    """tqdm.auto's class, or None without tqdm. The warning that a notebook lacks ipywidgets is
    dropped: the text bar it falls back to works."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


class _BarCloser:
    """What ``Reporter.bar`` gives ``fit``: ``close()`` finishes the bar, as a success unless an
    exception is on its way out (fit closes the bar in a ``finally``)."""

    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter

    def close(self) -> None:
        self._reporter._finish(error=self._reporter._raising())


class Reporter:
    """verbose=0: silent; 1: one tqdm bar for the whole fit with live loss and metrics (plain lines
    without tqdm); 2: one line per epoch. With verbose >= 1, a summary line at the end."""

    def __init__(self, verbose: int, epochs: int, n_batches: int):
        self.verbose, self.epochs, self.n_batches = int(verbose), int(epochs), max(int(n_batches), 1)
        self.tqdm = _tqdm_class() if self.verbose == 1 else None
        self._bar: Any = None
        self._handle: Any = None  # the notebook widget's display handle
        self._last = 0.0
        self._t0 = time.monotonic()
        self._logs: dict[str, Any] = {}
        self._epoch = 0
        self._outer_exc = sys.exc_info()[1]

    @property
    def bar(self) -> _BarCloser | None:
        return _BarCloser(self) if self._bar is not None else None

    @bar.setter
    def bar(self, value: Any) -> None:  # fit sets None after closing
        if value is None and self._bar is not None:
            self._finish(error=self._raising())

    def _raising(self) -> bool:
        """True while an exception raised during this fit propagates (not one that the code
        calling fit was already handling)."""
        exc = sys.exc_info()[1]
        return exc is not None and exc is not self._outer_exc

    def train_begin(self, start_epoch: int) -> None:
        self._t0 = time.monotonic()

    def _open(self, epoch: int, skip: int) -> None:
        unit = "epoch" if self.n_batches == 1 else "batch"
        kwargs: dict[str, Any] = dict(total=self.epochs * self.n_batches,
                                      initial=(epoch - 1) * self.n_batches + skip, unit=unit,
                                      desc=f"Epoch {epoch}/{self.epochs}",
                                      dynamic_ncols=True, leave=True)
        nb = sys.modules.get("tqdm.notebook")  # imported by tqdm.auto only inside Jupyter
        notebook = nb is not None and issubclass(self.tqdm, nb.tqdm_notebook)
        if notebook:  # display it ourselves, with an id to refresh its saved form at the end
            kwargs["display"] = False
        self._bar = self.tqdm(**kwargs)
        if notebook and getattr(self._bar, "container", None) is not None:
            try:
                from IPython.display import display

                self._handle = display(self._bar.container, display_id=True)
                self._bar.displayed = True
            except Exception:  # noqa: BLE001 - no IPython display: the bar is still usable
                self._handle = None

    def epoch_begin(self, epoch: int, skip: int = 0) -> None:
        if self.tqdm is None:
            return
        if self._bar is None:
            self._open(epoch, skip)
        self._bar.set_description_str(f"Epoch {epoch}/{self.epochs}", refresh=False)
        self._last = 0.0

    def wants_live(self) -> bool:
        """True when it is time to refresh the live values (at most ~5 times a second)."""
        if self._bar is None or self.n_batches == 1:
            return False
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            return True
        return False

    def batch_end(self, live: dict[str, float] | None = None) -> None:
        if self._bar is not None:
            if live is not None:
                self._bar.set_postfix_str(format_logs(live), refresh=False)
            self._bar.update(1)

    def epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        self._logs, self._epoch = dict(logs), epoch
        if self.verbose == 0:
            return
        text = format_logs(logs)
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
        elif self.verbose >= 1:
            print(f"Epoch {epoch}/{self.epochs}: {text} ({logs.get('seconds', 0.0):.2f}s)", file=sys.stdout,
                  flush=True)

    def _finish(self, error: bool) -> None:
        bar, self._bar = self._bar, None
        if bar is None:
            return
        if not error and bar.total and bar.n < bar.total:
            bar.total = bar.n  # stopped early on purpose: the work done is complete
            widget = getattr(bar, "container", None)
            if widget is not None:
                widget.children[1].max = bar.n
        bar.close()
        if self._handle is not None:
            try:
                self._handle.update(bar.container)  # the saved text form: the final state
            except Exception:  # noqa: BLE001 - the live widget is already right
                pass
            self._handle = None

    def close(self, message: str | None = None) -> None:
        """End of training: finish the bar and print ``message`` (why it stopped early) or a
        summary of the last epoch."""
        if self._bar is not None:
            self._finish(error=False)
        if not self.verbose:
            return
        seconds = time.monotonic() - self._t0
        if not message:
            message = (f"Finished {self._epoch} epoch{'s' if self._epoch != 1 else ''}"
                       + (f": {format_logs(self._logs)}" if self._logs else ""))
        print(f"{message} [{seconds:.1f}s]", file=sys.stdout, flush=True)
