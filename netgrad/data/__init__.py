"""Layer 3: datasets, batching, splitting and scaling, MNIST/digits/CSV loaders, toy problems.

>>> from netgrad.data import DataLoader, make_moons
>>> loader = DataLoader(make_moons(100), batch_size=32)
>>> [tuple(x.shape) for x, y in loader]
[(32, 2), (32, 2), (32, 2), (4, 2)]
"""

from .dataset import (
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split,
)
from .datasets import (
    MNIST_MEAN, MNIST_STD, load_csv, load_digits, load_mnist, make_curve, make_moons, make_spirals, make_xor,
)
from .idx import IDXError, read_idx, write_idx
from .loader import (
    BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    WeightedRandomSampler, default_collate, default_convert, get_worker_info,
)
from .preprocessing import (
    MinMaxScaler, StandardScaler, normalise, normalize, one_hot, standardise, standardize, train_test_split,
)

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset", "Subset",
    "random_split", "DataLoader", "default_collate", "default_convert", "get_worker_info", "Sampler",
    "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
    "train_test_split", "StandardScaler", "MinMaxScaler", "standardize", "standardise", "normalize",
    "normalise", "one_hot", "read_idx", "write_idx", "IDXError", "load_mnist", "load_digits", "load_csv",
    "make_xor", "make_moons", "make_spirals", "make_curve", "MNIST_MEAN", "MNIST_STD",
]
