"""Backpropagation made visible: ``explain(model, x, y, loss)`` traces one step with the numbers.

``netgrad.explain`` (the top-level name) is the function, carrying this package's helpers as
attributes (``ng.explain.check``); or import them from this package,
e.g. ``from netgrad.explain import network, check, Notation``: ``check(trace, formulas)`` compares
a learner's own formulas with autograd and names the slip; ``Notation`` picks delta's sign, the
first layer's index, the augmented Theta and the symbols' names.

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
from .checking import CheckReport, QuantityCheck, check
from .notation import Notation
from .render import to_latex, to_text
from .render_doc import to_html, to_markdown
from .rules import LOSSES, activation_rule, loss_rule
from .trace import LayerTrace, Trace, explain

__all__ = ["ACTIVATIONS", "LOSSES", "CheckReport", "LayerTrace", "Notation", "QuantityCheck", "Trace",
           "activation_rule", "check", "explain", "loss_rule", "network", "to_html", "to_latex",
           "to_markdown", "to_text"]

# ``netgrad.explain`` (the attribute) is the function; the package's helpers hang on it too, so
# that ``ng.explain.check``, ``ng.explain.network``, ``ng.explain.Notation`` work after ``import netgrad``.
for _name in __all__:
    if _name != "explain":
        setattr(explain, _name, globals()[_name])
del _name
