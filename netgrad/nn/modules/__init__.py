"""``torch.nn.modules`` as programs name it (``torch.nn.modules.rnn.LSTM`` in a ``safe_globals``
list, ``torch.nn.modules.loss._Loss``...): each of PyTorch's submodules here holds netgrad.nn's
layers, so such names resolve to the same classes as ``netgrad.nn.LSTM``.

>>> import netgrad.nn.modules.rnn as rnn
>>> import netgrad as ng
>>> rnn.LSTM is ng.nn.LSTM, ng.nn.modules.linear.NonDynamicallyQuantizableLinear is ng.nn.Linear
(True, True)
"""

from __future__ import annotations

import sys
import types

from .. import __all__ as _nn_names
from .. import __dict__ as _nn

_SUBMODULES = ("activation", "adaptive", "batchnorm", "channelshuffle", "container", "conv", "distance",
               "dropout", "flatten", "fold", "instancenorm", "lazy", "linear", "loss", "module",
               "normalization", "padding", "pixelshuffle", "pooling", "rnn", "sparse", "transformer",
               "upsampling")
_CLASSES = {n: _nn[n] for n in _nn_names if isinstance(_nn.get(n), type)}
_CLASSES["NonDynamicallyQuantizableLinear"] = _nn["Linear"]

for _name in _SUBMODULES:
    _mod = types.ModuleType(f"{__name__}.{_name}")
    _mod.__dict__.update(_CLASSES)
    sys.modules[_mod.__name__] = _mod
    globals()[_name] = _mod

globals().update(_CLASSES)
