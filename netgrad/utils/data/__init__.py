"""``netgrad.utils.data``: PyTorch's ``torch.utils.data`` (datasets, samplers, ``DataLoader``,
collation), layer 3. ``netgrad.data`` re-exports these names next to its ready-made datasets.

>>> import netgrad as ng
>>> from netgrad.utils.data import DataLoader, TensorDataset
>>> loader = DataLoader(TensorDataset(ng.arange(6.0).reshape(3, 2), ng.tensor([0, 1, 0])), batch_size=2)
>>> [(tuple(x.shape), y.tolist()) for x, y in loader]
[((2, 2), [0, 1]), ((1, 2), [0])]
"""

from ._collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split,
)
from .sampler import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset", "Subset",
    "random_split", "DataLoader", "get_worker_info", "default_collate", "default_convert", "Sampler",
    "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
]
