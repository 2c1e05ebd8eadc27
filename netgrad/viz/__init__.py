"""Teaching aids you can see: the computational graph and the plots of training.

``graph`` needs nothing but netgrad; the plots need matplotlib (an optional dependency, imported
on first use with the non-interactive Agg backend). Every plot returns a matplotlib Figure and
writes a PNG when given ``path=``.
"""

from .graph import Graph, graph
from .record import Recording, record, summarize
from .plots import (
    activation_and_derivative, bump_network, plot_activations, plot_confusion_matrix,
    plot_decision_boundary, plot_history, plot_universal_approximation, save,
)
from .training import (
    compare_gd_modes, dead_relu_fraction, deep_net, plot_dead_relus, plot_gd_modes,
    plot_gradient_norms, train_and_record, vanishing_gradients,
)

__all__ = [
    "Graph", "graph", "record", "Recording", "summarize",
    "activation_and_derivative", "bump_network", "plot_activations",
    "plot_confusion_matrix", "plot_decision_boundary", "plot_history", "plot_universal_approximation",
    "save", "compare_gd_modes", "dead_relu_fraction", "deep_net", "plot_dead_relus", "plot_gd_modes",
    "plot_gradient_norms", "train_and_record", "vanishing_gradients",
]
