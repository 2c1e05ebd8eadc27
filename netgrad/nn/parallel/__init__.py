"""``netgrad.nn.parallel``: PyTorch's ``torch.nn.parallel`` for CPUs: ``DistributedDataParallel``
over ``netgrad.distributed`` (MPI). Importing it does not need mpi4py; wrapping a model does."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
