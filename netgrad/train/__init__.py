"""Layer 3: the training loop (``fit``; one epoch of it: ``run_epoch``; ``evaluate``,
``predict``), History, callbacks, metrics and checkpoints.

>>> import netgrad as ng
>>> from netgrad import nn, optim
>>> from netgrad.data import make_xor
>>> from netgrad.train import fit
>>> _ = ng.manual_seed(1)
>>> model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
>>> h = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=2.0, momentum=0.9), make_xor(),
...         epochs=3000, batch_size=None, target_loss=0.01, verbose=0)
>>> h.stop_reason
'target_loss'
"""

from . import metrics
from .callbacks import Callback, CallbackList, LambdaCallback
from .checkpoint import load_checkpoint, save_checkpoint
from .epoch import EpochStats, Step, TrainingDivergedError, run_epoch
from .fit import fit
from .history import STOP_REASONS, History
from .loop import evaluate, make_loader, predict

__all__ = ["fit", "run_epoch", "EpochStats", "Step", "evaluate", "predict", "History", "STOP_REASONS",
           "Callback", "LambdaCallback", "CallbackList", "TrainingDivergedError", "save_checkpoint",
           "load_checkpoint", "metrics", "make_loader"]
