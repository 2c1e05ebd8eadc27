"""Layer 3: optimisers (PyTorch's constructors and update rules) and learning-rate schedules.

>>> import netgrad as ng
>>> from netgrad import optim
>>> w = ng.tensor([3.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.25)
>>> for _ in range(20):
...     opt.zero_grad(); ((w - 1) ** 2).sum().backward(); opt.step()
>>> round(w.item(), 4)
1.0
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "LBFGS", "lr_scheduler"]
