"""ng.save / ng.load: round trips, no pickle, atomic writes, clear errors on bad files."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

import netgrad as ng


def test_round_trip_nested(tmp_path):
    obj = {
        "w": ng.tensor(np.arange(6.0).reshape(2, 3), dtype=ng.float64),
        "w32": ng.tensor([1.5, 2.5]),
        "idx": ng.tensor([1, 2, 3]),
        "mask": ng.tensor([True, False]),
        "arr": np.arange(4, dtype=np.int32),
        "scalar": np.float32(2.5),
        "nested": [{"a": 1, "b": 2.5, "c": None, "d": True, "e": "text"}, (0.9, 0.999), []],
        0: "int key",
        "inf": float("inf"),
        "big": 2 ** 100,
        "param": ng.tensor([1.0], requires_grad=True),
    }
    path = tmp_path / "obj.ngz"
    ng.save(obj, path)
    back = ng.load(path)
    assert list(back) == list(obj)
    for k in ("w", "w32", "idx", "mask"):
        assert isinstance(back[k], ng.Tensor) and back[k].dtype == obj[k].dtype
        np.testing.assert_array_equal(back[k].numpy(), obj[k].numpy())
    assert back["arr"].dtype == np.int32 and isinstance(back["arr"], np.ndarray)
    assert back["scalar"] == np.float32(2.5) and back["scalar"].dtype == np.float32
    assert back["nested"] == obj["nested"] and isinstance(back["nested"][1], tuple)
    assert back[0] == "int key" and back["inf"] == float("inf") and back["big"] == 2 ** 100
    assert back["param"].requires_grad and not back["w"].requires_grad


def test_file_is_plain_npz_without_pickle(tmp_path):
    path = tmp_path / "x.ngz"
    ng.save({"a": ng.ones(2)}, path)
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(z["__netgrad__"].tobytes())
        assert meta["format"] == 1
        np.testing.assert_array_equal(z["a0"], np.ones(2, dtype=np.float32))


def test_unsupported_objects_name_the_place(tmp_path):
    with pytest.raises(TypeError, match=r"set.*\['a'\]\[1\]"):
        ng.save({"a": [1, {1, 2}]}, tmp_path / "x")
    with pytest.raises(TypeError, match="object"):
        ng.save(np.array([None]), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    path = tmp_path / "ckpt.ngz"
    ng.save({"v": 1}, path)
    with pytest.raises(TypeError):
        ng.save({"v": object()}, path)
    assert ng.load(path) == {"v": 1}
    assert os.listdir(tmp_path) == ["ckpt.ngz"]  # no temporary file left behind


def test_corrupt_and_foreign_files(tmp_path):
    path = tmp_path / "ckpt.ngz"
    ng.save({"w": ng.randn(100, 100)}, path)
    data = path.read_bytes()
    bad = tmp_path / "trunc.ngz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="trunc.ngz"):
        ng.load(bad)
    junk = tmp_path / "junk.ngz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="junk.ngz"):
        ng.load(junk)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.ones(2))
    with pytest.raises(ValueError, match="not written by netgrad"):
        ng.load(foreign)
    with pytest.raises(FileNotFoundError, match="missing"):
        ng.load(tmp_path / "missing.ngz")
    with zipfile.ZipFile(tmp_path / "pickled.npz", "w") as z:
        z.writestr("__netgrad__.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, "
                                      b"'shape': (1,), }" + b" " * 50 + b"\n")
    with pytest.raises(ValueError, match="pickled.npz"):
        ng.load(tmp_path / "pickled.npz")
