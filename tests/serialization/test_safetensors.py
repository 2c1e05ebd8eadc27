"""ng.save / ng.load of *.safetensors: the safetensors format, readable by PyTorch and back."""

import numpy as np
import pytest
import safetensors.torch
import torch

import netgrad as ng
import netgrad.nn as nn


def _netgrad_model():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 6 * 6, 3))


def _torch_model():
    T = torch.nn
    return T.Sequential(T.Conv2d(1, 4, 3), T.BatchNorm2d(4), T.ReLU(), T.Flatten(), T.Linear(4 * 6 * 6, 3))


def test_netgrad_state_dict_loads_into_torch_and_back(tmp_path):
    ng.manual_seed(0)
    model = _netgrad_model()
    model.train()
    model(ng.randn(5, 1, 8, 8))  # running statistics and num_batches_tracked move off their defaults
    model.eval()
    path = tmp_path / "model.safetensors"
    ng.save(model.state_dict(), path)

    state = safetensors.torch.load_file(str(path))
    assert set(state) == set(model.state_dict())
    assert state["1.num_batches_tracked"].dtype == torch.int64
    assert state["1.num_batches_tracked"].shape == ()
    tm = _torch_model()
    tm.load_state_dict(state)
    tm.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        want = tm(torch.from_numpy(x)).numpy()
    with ng.no_grad():
        got = model(ng.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)

    # and back: torch writes, netgrad reads into a fresh model
    with torch.no_grad():
        for p in tm.parameters():
            p.mul_(2.0)
    back = tmp_path / "from_torch.safetensors"
    safetensors.torch.save_file(tm.state_dict(), str(back))
    loaded = ng.load(back)
    assert all(isinstance(v, ng.Tensor) for v in loaded.values())
    fresh = _netgrad_model()
    fresh.load_state_dict(loaded)
    fresh.eval()
    with torch.no_grad():
        want2 = tm(torch.from_numpy(x)).numpy()
    with ng.no_grad():
        np.testing.assert_allclose(fresh(ng.tensor(x)).numpy(), want2, rtol=1e-5, atol=1e-6)
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(loaded[k].numpy(), v.numpy())
        assert loaded[k].dtype == getattr(ng, str(v.dtype).removeprefix("torch."))


def test_round_trip_dtypes_and_shapes(tmp_path):
    arrays = {"f64": np.arange(6.0).reshape(2, 3), "f16": np.ones(3, np.float16),
              "i32": np.array([[1, -2]], np.int32), "u8": np.arange(4, dtype=np.uint8),
              "b": np.array([True, False]), "scalar": np.array(3.5, np.float32),
              "empty": np.zeros((0, 2), np.float32),
              "strided": np.arange(12.0, dtype=np.float32).reshape(3, 4)[:, ::2]}
    path = tmp_path / "t.SafeTensors"  # the suffix decides, in any case
    ng.save({k: ng.tensor(v) if k != "b" else v for k, v in arrays.items()}, path)
    out = ng.load(path)
    assert list(out) == sorted(arrays)
    for k, v in arrays.items():
        assert out[k].shape == v.shape and out[k].numpy().dtype == v.dtype
        np.testing.assert_array_equal(out[k].numpy(), v)
    assert not out["f64"].requires_grad
    out["f64"].add_(1)  # a loaded tensor owns writable memory


def test_save_refuses_what_the_format_cannot_hold(tmp_path):
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match="flat dict"):
        ng.save([ng.zeros(2)], path)
    with pytest.raises(TypeError, match="'epoch' is int"):
        ng.save({"w": ng.zeros(2), "epoch": 3}, path)
    with pytest.raises(TypeError, match="keys must be str"):
        ng.save({1: ng.zeros(2)}, path)
    with pytest.raises(TypeError, match="dtype"):
        ng.save({"c": np.zeros(2, np.complex128)}, path)
    assert not path.exists() and list(tmp_path.iterdir()) == []  # nothing half-written


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        ng.load(tmp_path / "missing.safetensors")
    bad = tmp_path / "bad.safetensors"
    for data in (b"", b"\x00" * 7, (10**12).to_bytes(8, "little") + b"{}",
                 (20).to_bytes(8, "little") + b'{"a": {"dtype": "F3'):
        bad.write_bytes(data)
        with pytest.raises(ng.serialization.LoadError, match="bad.safetensors"):
            ng.load(bad)
    # a header whose offsets point past the end of the file
    header = b'{"w":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}'
    bad.write_bytes(len(header).to_bytes(8, "little") + header + b"\x00" * 16)
    with pytest.raises(ValueError, match="bad.safetensors"):
        ng.load(bad)


def test_other_suffixes_keep_netgrads_format(tmp_path):
    path = tmp_path / "ckpt.ngz"
    ng.save({"w": ng.ones(2), "epoch": 3}, path)
    assert ng.load(path)["epoch"] == 3


def test_missing_package_names_the_extra(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("safetensors"):
            raise ImportError("No module named 'safetensors'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"netgrad\[safetensors\]"):
        ng.save({"w": ng.ones(2)}, tmp_path / "m.safetensors")
