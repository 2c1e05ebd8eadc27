"""netgrad's own exceptions: each names the op or layer and the shapes involved."""


class NetgradError(Exception):
    """Base of netgrad's errors that are already worded for the user."""


class ShapeError(NetgradError, ValueError, RuntimeError):
    """Shapes that do not fit an op or a layer (a RuntimeError too, as PyTorch raises)."""


class DTypeError(NetgradError, TypeError, RuntimeError):
    """Dtypes that an op cannot combine (a RuntimeError too, as PyTorch raises)."""


class GraphError(NetgradError, RuntimeError):
    """A misuse of the autograd graph (freed graph, non-scalar backward, ...)."""
