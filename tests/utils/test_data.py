"""netgrad.utils.data against torch.utils.data: the same batches (values, dtypes and container types)
for sequential loaders over every kind of dataset, the same lengths, the same collation structures,
the same exceptions for bad argument combinations; reproducible shuffling from netgrad's generators."""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as td

import netgrad as ng
import netgrad.utils.data as nd

Point = collections.namedtuple("Point", "x y")


def plain(obj):
    """A batch as comparable Python data: tensors -> ("T", dtype name, nested list)."""
    if isinstance(obj, (ng.Tensor, torch.Tensor)):
        a = obj.numpy() if isinstance(obj, ng.Tensor) else obj.detach().numpy()
        return ("T", str(np.dtype(a.dtype)), a.tolist())
    if isinstance(obj, np.ndarray):
        return ("A", str(obj.dtype), obj.tolist())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, *[plain(v) for v in obj])
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    if isinstance(obj, tuple):
        return ("tuple", *[plain(v) for v in obj])
    return obj


def twin(lib, kind: str):
    """The same dataset built with netgrad's and torch's classes (lib is nd or td)."""
    tensor = ng.tensor if lib is nd else torch.tensor
    X = np.arange(30, dtype=np.float32).reshape(10, 3)
    y = np.arange(10) % 3
    if kind == "tensor":
        return lib.TensorDataset(tensor(X), tensor(y))
    if kind == "subset":
        return lib.Subset(lib.TensorDataset(tensor(X), tensor(y)), [7, 2, 9, 0, 4])
    if kind == "concat":
        return lib.ConcatDataset([lib.TensorDataset(tensor(X[:4]), tensor(y[:4])),
                                  lib.TensorDataset(tensor(X[4:]), tensor(y[4:]))])
    if kind == "stack-tuple":
        return lib.StackDataset(lib.TensorDataset(tensor(X)), Records(lib))
    if kind == "stack-dict":
        return lib.StackDataset(inputs=lib.TensorDataset(tensor(X)), meta=Records(lib))
    return Records(lib, kind)


def Records(lib, kind: str = "dict"):
    class _Records(lib.Dataset):
        """A map-style dataset of Python and NumPy values (the collation path)."""

        def __len__(self):
            return 10

        def __getitem__(self, i):
            if kind == "tuple":
                return (np.array([i, i * i], dtype=np.float64), i % 2, f"n{i}")
            if kind == "namedtuple":
                return Point(float(i) / 2, np.int32(i))
            if kind == "number":
                return i * 1.5
            if kind == "nested":
                return {"a": [i, (i + 1.0, np.float32(i))], "b": {"c": np.full((2, 2), i, dtype=np.int16)}}
            return {"x": np.array([i, i * i], dtype=np.float32), "y": i % 2, "name": f"n{i}", "flag": i > 4}

    return _Records()


KINDS = ["tensor", "subset", "concat", "stack-tuple", "stack-dict", "dict", "tuple", "namedtuple", "number",
         "nested"]
CONFIGS = [dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=1), dict(batch_size=None),
           dict(batch_size=3, num_workers=2), dict(batch_size=16)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
def test_sequential_batches_match_torch(kind, cfg):
    ours, theirs = nd.DataLoader(twin(nd, kind), **cfg), td.DataLoader(twin(td, kind), **cfg)
    assert len(ours) == len(theirs)
    assert plain(list(ours)) == plain(list(theirs))


def test_samplers_and_batch_samplers_as_arguments():
    order = [3, 1, 4, 1, 5, 9, 2, 6]
    batches = [[0, 1], [5, 2, 8], [7]]
    for kw in [dict(sampler=order, batch_size=3), dict(sampler=order, batch_size=3, drop_last=True),
               dict(batch_sampler=batches), dict(sampler=order, batch_size=None),
               dict(sampler=nd.SequentialSampler(range(10)), batch_size=4)]:
        tkw = dict(kw, sampler=td.SequentialSampler(range(10))) if isinstance(kw.get("sampler"),
                                                                             nd.SequentialSampler) else kw
        for kind in ("tensor", "dict"):
            ours, theirs = nd.DataLoader(twin(nd, kind), **kw), td.DataLoader(twin(td, kind), **tkw)
            assert len(ours) == len(theirs)
            assert plain(list(ours)) == plain(list(theirs))


class Stream(nd.IterableDataset):
    def __init__(self, n, lib=nd):
        self.n = n

    def __iter__(self):
        return iter({"v": np.float32(i), "i": i} for i in range(self.n))

    def __len__(self):
        return self.n


class TStream(td.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter({"v": np.float32(i), "i": i} for i in range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("cfg", [dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                 dict(batch_size=None), dict(batch_size=5)], ids=str)
def test_iterable_datasets_match_torch(cfg):
    for ours_ds, theirs_ds in [(Stream(10), TStream(10)),
                               (nd.ChainDataset([Stream(3), Stream(6)]),
                                td.ChainDataset([TStream(3), TStream(6)])),
                               (Stream(2) + Stream(3), TStream(2) + TStream(3))]:
        ours, theirs = nd.DataLoader(ours_ds, **cfg), td.DataLoader(theirs_ds, **cfg)
        assert len(ours) == len(theirs)
        assert plain(list(ours)) == plain(list(theirs))


@pytest.mark.parametrize("batch", [
    [ng.tensor([1.0, 2.0]), ng.tensor([3.0, 4.0])],
    [np.zeros((2, 3)), np.ones((2, 3))],
    [1, 2, 3], [1.5, 2.5], [True, False], [np.float32(1), np.float32(2)], [np.int16(3), np.int16(4)],
    ["a", "b"],
    [{"x": 1, "y": "s"}, {"x": 2, "y": "t"}],
    [(1, 2.0), (3, 4.0)],
    [[1, 2], [3, 4]],
    [Point(1, np.arange(2)), Point(2, np.arange(2))],
])
def test_default_collate_matches_torch(batch):
    tbatch = [torch.tensor(b.numpy()) if isinstance(b, ng.Tensor) else b for b in batch]
    assert plain(nd.default_collate(batch)) == plain(td.default_collate(tbatch))


@pytest.mark.parametrize("sample", [np.arange(3), np.float64(2.5), {"a": np.ones(2), "b": "s"},
                                    (np.arange(2), 1),
                                    [np.arange(2), "x"], Point(np.arange(2), 3), "text", 7])
def test_default_convert_matches_torch(sample):
    assert plain(nd.default_convert(sample)) == plain(td.default_convert(sample))


@pytest.mark.parametrize("batch", [[object(), object()], [np.array(["a"]), np.array(["b"])], [[1, 2], [3]],
                                   [np.zeros(2), np.zeros(3)]])
def test_default_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as want:
        td.default_collate(batch)
    with pytest.raises(type(want.value)):
        nd.default_collate(batch)


BAD_LOADERS = [
    dict(batch_sampler=[[0, 1]], batch_size=2), dict(batch_sampler=[[0, 1]], shuffle=True),
    dict(batch_sampler=[[0, 1]], sampler=[0, 1]), dict(batch_sampler=[[0, 1]], drop_last=True),
    dict(sampler=[0, 1], shuffle=True), dict(batch_size=None, drop_last=True), dict(batch_size=0),
    dict(batch_size=-2), dict(num_workers=-1), dict(timeout=-1.0), dict(prefetch_factor=2),
    dict(num_workers=2, prefetch_factor=-1), dict(persistent_workers=True),
    dict(multiprocessing_context="spawn"), dict(num_workers=1, multiprocessing_context="teleport"),
]


@pytest.mark.parametrize("kw", BAD_LOADERS, ids=str)
def test_bad_argument_combinations_raise_like_torch(kw):
    with pytest.raises(Exception) as want:
        td.DataLoader(twin(td, "tensor"), **kw)
    with pytest.raises(type(want.value), match=str(want.value).split(",")[0][:40].replace("(", r"\(")
                       .replace(")", r"\)").replace(".", r"\.").replace("*", r"\*")):
        nd.DataLoader(twin(nd, "tensor"), **kw)


@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(sampler=[0, 1]), dict(batch_sampler=[[0]])], ids=str)
def test_iterable_dataset_refuses_order_arguments_like_torch(kw):
    with pytest.raises(ValueError, match="IterableDataset"):
        td.DataLoader(TStream(3), **kw)
    with pytest.raises(ValueError, match="IterableDataset"):
        nd.DataLoader(Stream(3), **kw)


def test_loader_attributes_frozen_and_accepted_worker_options():
    ours = nd.DataLoader(twin(nd, "tensor"), batch_size=3)
    theirs = td.DataLoader(twin(td, "tensor"), batch_size=3)
    for attr in ("batch_size", "sampler", "dataset", "drop_last", "batch_sampler", "persistent_workers"):
        for loader in (theirs, ours):
            with pytest.raises(ValueError, match=f"{attr} attribute should not be set"):
                setattr(loader, attr, None)
    calls = []
    loader = nd.DataLoader(twin(nd, "tensor"), batch_size=4, num_workers=3, prefetch_factor=4,
                           persistent_workers=True, pin_memory=True, timeout=5,
                           multiprocessing_context="spawn", worker_init_fn=calls.append, pin_memory_device="",
                           in_order=False)
    assert plain(list(loader)) == plain(list(td.DataLoader(twin(td, "tensor"), batch_size=4)))
    assert calls == [] and nd.get_worker_info() is None and loader.prefetch_factor == 4
    assert nd.DataLoader(twin(nd, "tensor"), num_workers=2).prefetch_factor == 2  # torch's default


def test_samplers_match_torch():
    data = list(range(10))
    pairs = [(nd.SequentialSampler(data), td.SequentialSampler(data)),
             (nd.BatchSampler(nd.SequentialSampler(data), 3, False),
              td.BatchSampler(td.SequentialSampler(data), 3, False)),
             (nd.BatchSampler(range(7), 3, True), td.BatchSampler(range(7), 3, True)),
             (nd.BatchSampler([4, 2, 9], 2, False), td.BatchSampler([4, 2, 9], 2, False))]
    for ours, theirs in pairs:
        assert len(ours) == len(theirs) and list(ours) == list(theirs)
    for kw in [dict(), dict(replacement=True), dict(num_samples=25), dict(replacement=True, num_samples=4)]:
        assert len(nd.RandomSampler(data, **kw)) == len(td.RandomSampler(data, **kw))
    assert len(nd.WeightedRandomSampler([1, 2, 3], 5)) == len(td.WeightedRandomSampler([1, 2, 3], 5))
    assert len(nd.SubsetRandomSampler([5, 7])) == len(td.SubsetRandomSampler([5, 7]))


@pytest.mark.parametrize("build", [
    lambda m: m.RandomSampler(range(3), replacement=1),
    lambda m: m.RandomSampler(range(3), num_samples=0),
    lambda m: m.RandomSampler(range(3), num_samples=2.5),
    lambda m: m.WeightedRandomSampler([1.0, 2.0], num_samples=0),
    lambda m: m.WeightedRandomSampler([1.0, 2.0], num_samples=2, replacement="yes"),
    lambda m: m.WeightedRandomSampler([[1.0, 2.0]], num_samples=2),
    lambda m: m.BatchSampler(range(3), 0, False),
    lambda m: m.BatchSampler(range(3), True, False),
    lambda m: m.BatchSampler(range(3), 2, "no"),
    lambda m: m.StackDataset(),
    lambda m: m.StackDataset(range(3), x=range(3)),
    lambda m: m.StackDataset(range(3), range(4)),
    lambda m: m.random_split(range(10), [3, 3]),
    lambda m: m.random_split(range(10), [0.5, 0.6, -0.1]),
])
def test_constructor_errors_match_torch(build):
    with pytest.raises(Exception) as want:
        build(td)
    with pytest.raises(type(want.value)):
        build(nd)


def test_random_samplers_are_reproducible_and_honour_generators():
    data = range(20)
    for make in (lambda g: nd.RandomSampler(data, generator=g),
                 lambda g: nd.RandomSampler(data, replacement=True, num_samples=50, generator=g),
                 lambda g: nd.RandomSampler(data, num_samples=45, generator=g),
                 lambda g: nd.SubsetRandomSampler([3, 8, 11, 19], generator=g),
                 lambda g: nd.WeightedRandomSampler([0, 1, 2, 0, 5], 30, generator=g),
                 lambda g: nd.WeightedRandomSampler([0, 1, 2, 0, 5], 3, replacement=False, generator=g)):
        a, b = make(ng.Generator(5)), make(ng.Generator(5))
        first = list(a)
        assert first == list(b) and len(first) == len(a)
        assert list(a) != first or len(set(first)) <= 3  # a fresh draw each epoch
        ng.manual_seed(11)
        c = list(make(None))
        ng.manual_seed(11)
        assert list(make(None)) == c
    perm = list(nd.RandomSampler(data, generator=ng.Generator(0)))
    assert sorted(perm) == list(data)
    counts = collections.Counter(nd.RandomSampler(data, num_samples=45, generator=ng.Generator(0)))
    assert sorted(counts.values())[-1] == 3 and sum(counts.values()) == 45  # two full passes and 5 more
    picked = set(nd.WeightedRandomSampler([0, 1, 2, 0, 5], 200, generator=ng.Generator(1)))
    assert picked == {1, 2, 4}
    once = nd.WeightedRandomSampler([0, 1, 2, 0, 5], 3, replacement=False, generator=ng.Generator(2))
    assert sorted(once) == [1, 2, 4]
    assert sorted(nd.SubsetRandomSampler([3, 8, 11, 19], generator=ng.Generator(0))) == [3, 8, 11, 19]


def test_shuffled_loader_is_a_permutation_reproducible_by_seed_and_generator():
    for kind in ("tensor", "dict"):
        ds = twin(nd, kind)
        ng.manual_seed(3)
        a = plain(list(nd.DataLoader(ds, batch_size=4, shuffle=True)))
        ng.manual_seed(3)
        b = plain(list(nd.DataLoader(ds, batch_size=4, shuffle=True)))
        g1 = plain(list(nd.DataLoader(ds, batch_size=4, shuffle=True, generator=ng.Generator(9))))
        g2 = plain(list(nd.DataLoader(ds, batch_size=4, shuffle=True, generator=ng.Generator(9))))
        assert a == b and g1 == g2 and a != plain(list(nd.DataLoader(ds, batch_size=4)))
    loader = nd.DataLoader(twin(nd, "tensor"), batch_size=3, shuffle=True)
    x = np.concatenate([bx.numpy() for bx, _ in loader])
    assert sorted(x[:, 0].tolist()) == list(range(0, 30, 3))


def test_random_split_lengths_match_torch():
    for n, lengths in [(10, [3, 7]), (10, [0.3, 0.7]), (10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]), (5, [1]),
                       (11, [0.1, 0.2, 0.3, 0.4]), (3, [0.0, 1.0])]:
        with pytest.warns(UserWarning) if 0.0 in lengths else _no_warning():
            ours = nd.random_split(range(n), lengths, generator=ng.Generator(0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = td.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
        assert [len(s) for s in ours] == [len(s) for s in theirs]
        assert sorted(int(part[i]) for part in ours for i in range(len(part))) == list(range(n))
    a = [list(s.indices) for s in nd.random_split(range(10), [4, 6], generator=ng.Generator(4))]
    assert a == [list(s.indices) for s in nd.random_split(range(10), [4, 6], generator=ng.Generator(4))]


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_dataset_combinators_index_like_torch():
    ours, theirs = twin(nd, "concat"), twin(td, "concat")
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    for i in (0, 3, 4, 9, -1, -10):
        assert plain(ours[i]) == plain(theirs[i])
    for ds in (ours, theirs):
        with pytest.raises(ValueError, match="absolute value of index"):
            ds[-11]
    assert len(twin(nd, "tensor") + twin(nd, "dict")) == 20
    assert plain(twin(nd, "stack-dict")[2]) == plain(twin(td, "stack-dict")[2])
    sub = nd.Subset(twin(nd, "tensor"), [4, 1])
    assert plain(sub[[1, 0]]) == plain(td.Subset(twin(td, "tensor"), [4, 1])[[1, 0]])
    with pytest.raises(TypeError):
        nd.ConcatDataset([Stream(3)])
    with pytest.raises(TypeError):
        len(nd.ChainDataset([twin(nd, "tensor")]))


def test_fast_path_keeps_subclass_getitem_and_getitems():
    class Doubled(nd.TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return x * 2, y

    batch = next(iter(nd.DataLoader(Doubled(np.arange(6.0).reshape(3, 2), np.arange(3)), batch_size=3)))
    assert batch[0].tolist() == [[0.0, 2.0], [4.0, 6.0], [8.0, 10.0]]

    class Batched(nd.Dataset):
        seen: list = []

        def __len__(self):
            return 5

        def __getitem__(self, i):
            raise AssertionError("the loader should call __getitems__")

        def __getitems__(self, ids):
            self.seen.append(list(ids))
            return [float(i) for i in ids]

    out = [b.tolist() for b in nd.DataLoader(Batched(), batch_size=2)]
    assert out == [[0.0, 1.0], [2.0, 3.0], [4.0]] and Batched.seen == [[0, 1], [2, 3], [4]]


def test_names_exported_like_torch():
    for name in ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
                 "ChainDataset", "Subset", "random_split", "DataLoader", "default_collate", "default_convert",
                 "get_worker_info", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                 "WeightedRandomSampler", "BatchSampler"]:
        assert hasattr(td, name) and getattr(nd, name) is getattr(ng.data, name)
    import inspect
    ours = list(inspect.signature(nd.DataLoader).parameters)
    assert ours == list(inspect.signature(td.DataLoader).parameters)
