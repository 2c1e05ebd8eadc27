"""Teaching aids you can see: the computational graph and the plots of training.

``graph`` needs nothing but netgrad; the plots need matplotlib (imported on first use).
"""

from .graph import Graph, graph

__all__ = ["Graph", "graph"]
