"""matplotlib, imported only when a plot is drawn (it is an optional dependency).

Importing this module selects the non-interactive Agg backend unless the user already chose one
(pyplot imported, Jupyter, or ``MPLBACKEND`` set), so that plots work on machines without a display;
the figures are returned and written to files, never shown.
"""

from __future__ import annotations

try:
    import matplotlib
except ImportError as e:  # pragma: no cover - exercised only without matplotlib
    raise ImportError(
        "netgrad.viz plots need matplotlib, an optional dependency: pip install 'netgrad[plot]' "
        "(or pip install matplotlib)") from e

import os
import sys

if "matplotlib.pyplot" not in sys.modules and "ipykernel" not in sys.modules and not os.environ.get(
        "MPLBACKEND"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["matplotlib", "plt"]
