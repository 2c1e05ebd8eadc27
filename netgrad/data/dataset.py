"""Datasets: the classes live in ``netgrad.utils.data.dataset`` (PyTorch's home for them); this
module keeps the ``netgrad.data.dataset`` names working."""

from ..utils.data.dataset import (  # noqa: F401
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
           "Subset", "random_split"]
