"""``DataLoader`` and collation: they live in ``netgrad.utils.data`` (PyTorch's home for them);
this module keeps the ``netgrad.data.loader`` names working."""

from ..utils.data import (  # noqa: F401
    BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    WeightedRandomSampler, default_collate, default_convert, get_worker_info,
)

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]
