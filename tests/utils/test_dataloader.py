"""DataLoader's epoch API beyond PyTorch's: iter_epoch(start) and set_epoch."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
from netgrad.utils.data import (
    BatchSampler, DataLoader, Dataset, IterableDataset, SequentialSampler, Subset, SubsetRandomSampler,
    TensorDataset,
)
from netgrad.utils.data.distributed import DistributedSampler


class Squares(Dataset):  # not tensors: read example by example and collated
    def __len__(self):
        return 11

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i % 3


class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(10))


def _plain(batch):
    if isinstance(batch, (list, tuple)):
        return [_plain(b) for b in batch]
    return batch.tolist() if hasattr(batch, "tolist") else batch


def _loaders():
    ds = TensorDataset(ng.arange(23), ng.arange(23) * 10)
    return {
        "sequential": DataLoader(ds, batch_size=5),
        "shuffled": DataLoader(ds, batch_size=5, shuffle=True, generator=ng.Generator(1)),
        "shuffled_default_generator": DataLoader(ds, batch_size=5, shuffle=True),
        "drop_last": DataLoader(ds, batch_size=5, shuffle=True, drop_last=True, generator=ng.Generator(2)),
        "subset": DataLoader(Subset(ds, list(range(3, 20))), batch_size=4, shuffle=True,
                             generator=ng.Generator(3)),
        "sampler": DataLoader(ds, batch_size=4,
                              sampler=SubsetRandomSampler(range(15), generator=ng.Generator(4))),
        "batch_sampler": DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 6, False)),
        "no_batching": DataLoader(ds, batch_size=None, shuffle=True, generator=ng.Generator(5)),
        "collated": DataLoader(Squares(), batch_size=3, shuffle=True, generator=ng.Generator(6)),
        "stream": DataLoader(Stream(), batch_size=3),
    }


@pytest.mark.parametrize("name", list(_loaders()))
def test_iter_epoch_from_start_k_is_the_epochs_tail(name):
    loader = _loaders()[name]
    # the generators the epoch's order comes from: the loader's (else the default) and a sampler's own
    gens = [loader.generator or ng.default_generator, getattr(loader.sampler, "generator", None)]
    before = [(g, g.get_state()) for g in gens if g is not None]

    def rewind():
        for g, state in before:
            g.set_state(state)

    full = [_plain(b) for b in loader]
    rewind()
    assert [_plain(b) for b in loader.iter_epoch()] == full  # iter(loader) is loader.iter_epoch()
    assert len(full) == (10 // 3 + 1 if name == "stream" else len(loader))
    for k in (1, 2, len(full), len(full) + 3):
        rewind()
        assert [_plain(b) for b in loader.iter_epoch(start=k)] == full[k:]


def test_iter_epoch_draws_the_order_when_called_the_same_amount_whatever_start():
    ds = TensorDataset(ng.arange(20))
    loader = DataLoader(ds, batch_size=3, shuffle=True, generator=ng.Generator(0))
    g = loader.generator
    before = g.get_state()
    it = loader.iter_epoch()
    drawn = g.get_state()
    assert drawn != before  # drawn at the call, before any batch is read
    next(it)
    assert g.get_state() == drawn
    g.set_state(before)
    list(loader.iter_epoch(start=5))
    assert g.get_state() == drawn


def test_iter_epoch_start_must_be_a_non_negative_integer():
    loader = DataLoader(TensorDataset(ng.arange(4)), batch_size=2)
    for bad in (-1, 1.5, True, "1"):
        with pytest.raises(ValueError, match="iter_epoch: start must be a non-negative integer"):
            loader.iter_epoch(start=bad)


def test_set_epoch_reaches_a_distributed_sampler_directly_or_in_a_batch_sampler():
    ds = TensorDataset(ng.arange(10))
    s1 = DistributedSampler(ds, num_replicas=2, rank=1, seed=3)
    loader = DataLoader(ds, batch_size=2, sampler=s1)
    orders = []
    for epoch in (0, 1, 0):
        loader.set_epoch(epoch)
        orders.append([b[0].tolist() for b in loader])
    assert s1.epoch == 0 and orders[0] == orders[2] != orders[1]
    s2 = DistributedSampler(ds, num_replicas=2, rank=0, seed=3)
    loader = DataLoader(ds, batch_sampler=BatchSampler(s2, 2, False))
    loader.set_epoch(4)
    assert s2.epoch == 4
    DataLoader(ds, batch_size=2, shuffle=True).set_epoch(7)  # samplers without set_epoch: nothing to do
