"""Teaching aids you can see: the computational graph and the plots of training.

``graph`` and ``record`` need nothing but netgrad; the plots need matplotlib (an optional
dependency, imported on first use with the non-interactive Agg backend unless one was chosen).
Every plot returns a matplotlib Figure, closed in pyplot so that a notebook shows it once, and
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
from .landscape import (
    error_surface, gd_paths, plot_error_surface, plot_gd_paths, plot_zigzag, zigzag_paths,
)
from .concepts import (
    information_measures, plot_information, plot_sigmoid_steepening, plot_towers, plot_weight_change,
    tower, weight_change_effect,
)

__all__ = [
    "Graph", "graph", "record", "Recording", "summarize",
    "activation_and_derivative", "bump_network", "plot_activations", "plot_confusion_matrix",
    "plot_decision_boundary", "plot_history", "plot_universal_approximation", "save",
    "compare_gd_modes", "dead_relu_fraction", "deep_net", "plot_dead_relus", "plot_gd_modes",
    "plot_gradient_norms", "train_and_record", "vanishing_gradients",
    "gd_paths", "plot_gd_paths", "zigzag_paths", "plot_zigzag", "error_surface", "plot_error_surface",
    "plot_sigmoid_steepening", "tower", "plot_towers", "weight_change_effect", "plot_weight_change",
    "information_measures", "plot_information",
]
