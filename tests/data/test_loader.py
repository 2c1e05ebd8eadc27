"""Dataset, TensorDataset, Subset, random_split and DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

import netgrad as ng
from netgrad.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


class Squares(Dataset):
    """A map-style dataset without tensors: exercises the collation path."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"x": np.array([i, i * i], dtype=np.float32), "y": i % 2, "name": f"n{i}"}


def test_tensor_dataset():
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    ds = TensorDataset(X, ng.tensor(y))
    assert len(ds) == 6
    x1, y1 = ds[1]
    assert x1.tolist() == [2.0, 3.0] and y1.item() == 1
    assert ds.tensors[0].numpy() is X  # no copy
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(np.zeros(3), np.zeros(4))
    with pytest.raises(TypeError, match=r"argument 1 has dtype <U1 \(shape \(2,\)\)"):
        TensorDataset(np.zeros(2), np.array(["a", "b"]))


def test_loader_batches_cover_everything_once():
    ds = TensorDataset(np.arange(103), np.arange(103) * 2)
    for shuffle in (False, True):
        loader = DataLoader(ds, batch_size=10, shuffle=shuffle, generator=ng.Generator(1))
        assert len(loader) == 11
        batches = list(loader)
        xs = np.concatenate([x.numpy() for x, _ in batches])
        assert sorted(xs.tolist()) == list(range(103))
        assert all((y.numpy() == 2 * x.numpy()).all() for x, y in batches)
        assert [len(x) for x, _ in batches][-1] == 3
        if not shuffle:
            assert xs.tolist() == list(range(103))
    loader = DataLoader(ds, batch_size=10, drop_last=True)
    assert len(loader) == 10 and [len(x) for x, _ in loader] == [10] * 10


def test_shuffle_fresh_each_epoch_and_seeded():
    ds = TensorDataset(np.arange(50))
    a = DataLoader(ds, batch_size=50, shuffle=True, generator=ng.Generator(7))
    b = DataLoader(ds, batch_size=50, shuffle=True, generator=ng.Generator(7))
    e1, e2 = next(iter(a))[0].tolist(), next(iter(a))[0].tolist()
    assert e1 != e2 and sorted(e1) == list(range(50))
    assert [next(iter(b))[0].tolist() for _ in range(2)] == [e1, e2]
    # without a generator the default one is used: ng.manual_seed makes it reproducible
    c = DataLoader(ds, batch_size=50, shuffle=True)
    ng.manual_seed(3)
    f1 = next(iter(c))[0].tolist()
    ng.manual_seed(3)
    assert next(iter(c))[0].tolist() == f1


def test_permutation_drawn_at_iter_time():
    g = ng.Generator(0)
    loader = DataLoader(TensorDataset(np.arange(20)), batch_size=5, shuffle=True, generator=g)
    it = iter(loader)
    state = g.get_state()
    list(it)
    assert g.get_state() == state


def test_fast_path_matches_collation():
    X, y = np.random.default_rng(0).normal(size=(37, 3)).astype(np.float32), np.arange(37)
    ds = TensorDataset(X, y)
    fast = DataLoader(ds, batch_size=8, shuffle=True, generator=ng.Generator(5))
    slow = DataLoader(ds, batch_size=8, shuffle=True, generator=ng.Generator(5), collate_fn=default_collate)
    for (xf, yf), (xs, ys) in zip(fast, slow):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
        assert xf.dtype == np.float32 and yf.dtype == np.int64


def test_subset_fast_path_and_random_split():
    ds = TensorDataset(np.arange(100), np.arange(100) + 1000)
    a, b, c = random_split(ds, [50, 30, 20], generator=ng.Generator(0))
    idx = np.concatenate([a.indices, b.indices, c.indices])
    assert sorted(idx.tolist()) == list(range(100))
    xs = np.concatenate([x.numpy() for x, _ in DataLoader(b, batch_size=7)])
    assert xs.tolist() == b.indices.tolist()
    ys = np.concatenate([y.numpy() for _, y in DataLoader(b, batch_size=7, shuffle=True)])
    assert sorted(ys.tolist()) == sorted((b.indices + 1000).tolist())
    assert [len(s) for s in random_split(ds, [0.5, 0.25, 0.25])] == [50, 25, 25]
    assert [len(s) for s in random_split(TensorDataset(np.arange(10)), [0.33, 0.33, 0.34])] == [4, 3, 3]
    with pytest.raises(ValueError, match="add up"):
        random_split(ds, [10, 20])
    with pytest.raises(ValueError, match=">= 0"):
        random_split(ds, [-10, 110])  # adds up, but a negative length would slice from the end
    nested = Subset(Subset(ds, np.arange(10, 20)), [3, 1])
    assert [x.item() for x, _ in DataLoader(nested, batch_size=1)] == [13, 11]


def test_collate_of_dicts_and_strings():
    loader = DataLoader(Squares(), batch_size=4, shuffle=True, generator=ng.Generator(0))
    batches = list(loader)
    assert len(batches) == 3
    b = batches[0]
    assert b["x"].shape == (4, 2) and b["y"].dtype == np.int64 and len(b["name"]) == 4
    assert (b["x"].numpy()[:, 1] == b["x"].numpy()[:, 0] ** 2).all()
    one = list(DataLoader(Squares(), batch_size=None))
    assert len(one) == 10 and one[3]["y"] == 1
    custom = DataLoader(TensorDataset(np.arange(6)), batch_size=3, collate_fn=lambda items: len(items))
    assert list(custom) == [3, 3]


def test_loader_argument_errors():
    ds = TensorDataset(np.arange(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="Generator"):
        DataLoader(ds, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="collate_fn"):
        list(DataLoader([object(), object()], batch_size=2))
