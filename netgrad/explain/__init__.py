"""Backpropagation made visible: ``explain(model, x, y, loss)`` traces one step with the numbers.

``netgrad.explain`` (the top-level name) is the function; import helpers from this package,
e.g. ``from netgrad.explain import network``.

>>> import netgrad as ng
>>> from netgrad.explain import network
>>> net = network([2, 2, 1], weights=[[[0.1, 0.4], [0.8, 0.6]], [[0.3], [0.9]]])
>>> print(ng.explain(net, [0.35, 0.9], 1.0, loss="squared").to_text())  # doctest: +ELLIPSIS
Backpropagation, one step: a 2-2-1 network (linear), one example, squared error, eta = 0.1
...
    net^(1) = [0.755, 0.68]
...
  y_hat = 0.8385, y = 1
...
"""

from .build import ACTIVATIONS, network
from .render import to_latex, to_markdown, to_text
from .rules import LOSSES, activation_rule, loss_rule
from .trace import LayerTrace, Trace, explain

__all__ = ["ACTIVATIONS", "LOSSES", "LayerTrace", "Trace", "activation_rule", "explain", "loss_rule",
           "network", "to_latex", "to_markdown", "to_text"]
