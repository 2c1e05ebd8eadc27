"""IDX files, MNIST, digits, CSV and toy generators; preprocessing helpers."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

import netgrad as ng
from netgrad.data import (
    IDXError, MinMaxScaler, StandardScaler, TensorDataset, load_csv, load_digits, load_mnist, make_curve,
    make_moons, make_spirals, make_xor, normalize, one_hot, read_idx, standardize, train_test_split,
    write_idx,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mnist"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, dtype, gz):
    a = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if dtype != np.uint8 else \
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, a)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == gz
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative
    np.testing.assert_array_equal(a, b)


def test_idx_header_is_the_standard_one(tmp_path):
    write_idx(tmp_path / "l", np.array([5, 0, 4], dtype=np.uint8))
    assert (tmp_path / "l").read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4])


def test_idx_corrupt_and_truncated_files_name_the_file(tmp_path):
    good = tmp_path / "good-idx3-ubyte"
    write_idx(good, np.zeros((4, 5, 5), np.uint8))
    raw = good.read_bytes()
    cases = {
        "short-idx3-ubyte": raw[:-7],
        "long-idx3-ubyte": raw + b"\0",
        "magic-idx3-ubyte": b"\x12\x34" + raw[2:],
        "header-idx3-ubyte": raw[:9],
        "empty-idx3-ubyte": b"",
        "trunc-idx3-ubyte.gz": gzip.compress(raw)[:-10],
        "garbage-idx3-ubyte.gz": b"\x1f\x8b" + os.urandom(50),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(IDXError, match=name.replace(".", r"\.")):
            read_idx(tmp_path / name)
    assert issubclass(IDXError, ValueError)


def test_load_mnist_fixture():
    ds = load_mnist(FIXTURES, "train")
    assert isinstance(ds, TensorDataset) and len(ds) == 100
    X, y = ds.tensors
    assert X.shape == (100, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    assert y.numpy()[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    raw = read_idx(FIXTURES / "train-images-idx3-ubyte.gz")
    np.testing.assert_allclose(X.numpy()[:, 0], (raw / 255 - 0.1307) / 0.3081, rtol=1e-5, atol=1e-5)
    Xf, yt = load_mnist(FIXTURES, split="test", flatten=True, normalize=False, return_X_y=True)
    assert Xf.shape == (100, 784) and Xf.min() == 0.0 and Xf.max() == 1.0
    assert isinstance(Xf, np.ndarray) and yt[:4].tolist() == [7, 2, 1, 0]


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="split"):
        load_mnist(FIXTURES, split="val")
    # uncompressed files work as well; a mismatch between images and labels is reported
    write_idx(tmp_path / "t10k-images-idx3-ubyte", read_idx(FIXTURES / "t10k-images-idx3-ubyte.gz")[:10])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", read_idx(FIXTURES / "t10k-labels-idx1-ubyte.gz")[:9])
    with pytest.raises(IDXError, match="10 images but .*9 labels"):
        load_mnist(tmp_path, "test")
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(
        (FIXTURES / "train-images-idx3-ubyte.gz").read_bytes()[:5000])
    lbl = "train-labels-idx1-ubyte.gz"
    (tmp_path / lbl).write_bytes((FIXTURES / lbl).read_bytes())
    with pytest.raises(IDXError, match="train-images-idx3-ubyte.gz"):
        load_mnist(tmp_path, "train")


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/mnist is not available")
def test_load_mnist_shared():
    X, y = load_mnist(SHARED, "test", flatten=True, return_X_y=True)
    assert X.shape == (10000, 784) and y.shape == (10000,)
    assert np.bincount(y).tolist()[:3] == [980, 1135, 1032]
    assert abs(float(X.mean())) < 0.05 and abs(float(X.std()) - 1.0) < 0.05  # normalised
    Xtr, ytr = load_mnist(SHARED, "train", return_X_y=True)
    assert Xtr.shape == (20000, 1, 28, 28) and ytr[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = load_digits(return_X_y=True)
    assert X.shape == (1797, 64) and X.dtype == np.float32 and X.max() == 1.0 and y.dtype == np.int64
    assert len(load_digits()) == 1797


def test_load_csv(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,label\n1,2,0\n3,4.5,1\n\n5,6,2\n")
    X, y = load_csv(p, target="label", return_X_y=True)
    assert X.tolist() == [[1, 2], [3, 4.5], [5, 6]] and y.dtype == np.int64 and y.tolist() == [0, 1, 2]
    ds = load_csv(p, target=0)
    assert ds.tensors[1].dtype == np.int64 and ds.tensors[0].shape == (3, 2)
    q = tmp_path / "r.csv"
    q.write_text("0.5;1\n0.25;2\n")
    X, y = load_csv(q, target=0, delimiter=";", return_X_y=True)
    assert y.dtype == np.float32 and X.tolist() == [[1], [2]]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(ValueError, match="bad.csv, line 3"):
        load_csv(bad)
    with pytest.raises(ValueError, match="no column 'z'"):
        load_csv(p, target="z")
    (tmp_path / "nan.csv").write_text("x,1\n")
    with pytest.raises(ValueError, match="nan.csv holds a non-numeric input value"):
        load_csv(tmp_path / "nan.csv", header=False)
    (tmp_path / "inf_target.csv").write_text("a,y\n1,2\n3,inf\n")
    with pytest.raises(ValueError, match=r"line 3, column 'y': 'inf' is not a finite number"):
        load_csv(tmp_path / "inf_target.csv")


def test_load_csv_text_labels(tmp_path):
    # Class names in the target column, as in iris.csv: strings out, or codes plus .classes.
    p = tmp_path / "flowers.csv"
    p.write_text("petal,sepal,kind\n1.4,5.1,setosa\n4.7,7.0,versicolor\n1.3,4.9,setosa\n")
    X, y = load_csv(p, target="kind", return_X_y=True)
    assert X.dtype == np.float32 and X.shape == (3, 2) and y.tolist() == ["setosa", "versicolor", "setosa"]
    ds = load_csv(p, target="kind")
    assert ds.classes == ["setosa", "versicolor"] and ds.tensors[1].numpy().tolist() == [0, 1, 0]
    # no header, text target last: the first row is data, not a header
    q = tmp_path / "nohead.csv"
    q.write_text("1.0,2.0,cat\n3.0,4.0,dog\n")
    X, y = load_csv(q, return_X_y=True)
    assert X.shape == (2, 2) and y.tolist() == ["cat", "dog"]
    (tmp_path / "missing.csv").write_text("a,b\n1,2\nnan,3\n4,inf\n")
    with pytest.raises(ValueError, match=r"missing.csv, line 3, column 'a': 'nan' is not a finite number"):
        load_csv(tmp_path / "missing.csv")


def test_toy_generators():
    X, y = make_xor(return_X_y=True)
    assert X.shape == (4, 2) and y.shape == (4, 1)
    X, y = make_xor(200, noise=0.1, return_X_y=True)
    assert X.shape == (200, 2) and set(y.tolist()) == {0, 1}
    assert ((np.round(X[:, 0]) != np.round(X[:, 1])) == y).mean() > 0.95
    X, y = make_moons(101, return_X_y=True)
    assert X.shape == (101, 2) and np.bincount(y).tolist() == [50, 51]
    X2, _ = make_moons(101, return_X_y=True)
    np.testing.assert_array_equal(X, X2)  # seeded by default
    X, y = make_spirals(100, n_classes=3, return_X_y=True)
    assert X.shape == (100, 2) and np.bincount(y).tolist() == [34, 33, 33] and np.abs(X).max() < 2
    X, y = make_curve(50, return_X_y=True)
    assert X.shape == y.shape == (50, 1) and (np.diff(X[:, 0]) >= 0).all()
    assert isinstance(make_curve(10), TensorDataset)


def test_train_test_split():
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, seed=0)
    assert len(Xtr) == 7 and len(Xte) == 3
    assert (Xtr[:, 0] // 2 == ytr).all() and sorted(np.concatenate([ytr, yte]).tolist()) == list(range(10))
    t = ng.tensor(X)
    ttr, tte = train_test_split(t, test_size=2, shuffle=False)
    assert isinstance(ttr, ng.Tensor) and tte.tolist() == [[16, 17], [18, 19]]
    labels = np.array([0] * 80 + [1] * 20)
    _, _, ltr, lte = train_test_split(np.zeros(100), labels, test_size=0.25, stratify=labels, seed=1)
    assert np.bincount(lte).tolist() == [20, 5] and np.bincount(ltr).tolist() == [60, 15]
    with pytest.raises(ValueError, match="different lengths"):
        train_test_split(X, y[:5])


def test_scalers_and_helpers():
    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, size=(50, 3)).astype(np.float32)
    X[:, 2] = 7.0  # constant feature: no division by zero
    s = StandardScaler().fit(X)
    Z = s.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z[:, :2].mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(Z[:, :2].std(0), 1, atol=1e-5)
    assert (Z[:, 2] == 0).all()
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-5)
    Zt = StandardScaler().fit_transform(ng.tensor(X))
    assert isinstance(Zt, ng.Tensor)
    M = MinMaxScaler((-1, 1)).fit_transform(X)
    np.testing.assert_allclose(M[:, :2].min(0), -1, atol=1e-6)
    np.testing.assert_allclose(M[:, :2].max(0), 1, atol=1e-6)
    np.testing.assert_allclose(standardize(X)[:, 0], Z[:, 0], atol=1e-5)
    assert normalize(np.array([[0.0], [5.0], [10.0]])).ravel().tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(RuntimeError, match="fit"):
        StandardScaler().transform(X)
    with pytest.raises(ValueError, match=r"fitted on features of shape \(3,\), got X of shape \(2, 4\)"):
        s.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"MinMaxScaler.fit: X has no examples \(shape \(0, 3\)\)"):
        MinMaxScaler().fit(X[:0])
    X[4, 1] = np.nan  # the statistics would be NaN, and every scaled value with them
    with pytest.raises(ValueError, match=r"StandardScaler.fit: X \(shape \(50, 3\)\) holds 1 NaN"):
        StandardScaler().fit(X)


def test_one_hot():
    assert one_hot(ng.tensor([1, 0])).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert one_hot(np.array([2]), 4, dtype=ng.int64).dtype == np.int64
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        one_hot(np.array([3]), 3)
    with pytest.raises(TypeError, match="integers"):
        one_hot(np.array([0.5]))


def test_load_digits_without_sklearn(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="scikit-learn"):
        load_digits()


def test_mnist_download_checks_md5(tmp_path, monkeypatch):
    """download=True with a fake mirror (no network in tests): good files are kept, a file whose
    MD5 does not match the original's is rejected and removed."""
    import hashlib
    import io

    from netgrad.data import datasets

    served = {name: (FIXTURES / name).read_bytes() for name in
              ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
    md5 = {k: hashlib.md5(v).hexdigest() for k, v in served.items()}
    urls = []

    def fake_urlopen(url, timeout=None):
        urls.append(url)
        return io.BytesIO(served[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(datasets.urllib.request, "urlopen", fake_urlopen)
    monkeypatch.setattr(datasets, "_MNIST_MD5", md5)
    X, y = load_mnist(tmp_path / "m", "test", download=True, return_X_y=True)
    assert len(X) == 100 and urls[0].startswith("https://")
    assert sorted(os.listdir(tmp_path / "m")) == sorted(served)
    monkeypatch.setattr(datasets, "_MNIST_MD5", {k: "0" * 32 for k in md5})
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        load_mnist(tmp_path / "n", "test", download=True)
    assert os.listdir(tmp_path / "n") == []
