"""The netgrad playground: a local web page where a learner steps through forward and backward
propagation with the numbers (``netgrad playground``).

All maths runs here in netgrad (``netgrad.explain``'s trace for the MLP, ``nn.Perceptron`` for
Rosenblatt's rule); the page (plain HTML/CSS/JS and SVG, no network access) only draws it.

>>> from netgrad.playground import make_server
>>> server = make_server("127.0.0.1", 0)   # port 0: any free port
>>> server.url.startswith("http://127.0.0.1:")
True
>>> server.server_close()
"""

from .config import LIMITS, PRESETS, RequestError, parse_config
from .server import PlaygroundServer, make_server
from .session import Session

__all__ = ["LIMITS", "PRESETS", "PlaygroundServer", "RequestError", "Session", "make_server", "parse_config"]
