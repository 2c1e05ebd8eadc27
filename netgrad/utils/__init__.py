"""``netgrad.utils``: PyTorch's ``torch.utils`` namespace; ``netgrad.utils.data`` holds the
datasets, samplers and ``DataLoader``.

>>> import netgrad
>>> netgrad.utils.data.DataLoader.__name__
'DataLoader'
"""

from . import data, dlpack

__all__ = ["data", "dlpack"]
