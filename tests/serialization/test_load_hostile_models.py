"""Hostile whole-model entries (ng.save(model)): a file naming netgrad.nn layers with sizes its own
arrays do not hold is refused before the constructors allocate; bad sizes give LoadError."""

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn
from netgrad.serialization import LoadError


def _module_file(path, spec, state=None):
    """A file whose metadata describes a model ``spec`` (with the state entries given, none by default)."""
    import json

    def enc(v):
        if isinstance(v, bool):
            return {"t": "bool", "v": v}
        if isinstance(v, int):
            return {"t": "int", "v": v}
        if isinstance(v, str):
            return {"t": "str", "v": v}
        if isinstance(v, list):
            return {"t": "list", "v": [enc(x) for x in v]}
        return {"t": "dict", "v": [[enc(k), enc(x)] for k, x in v.items()]}

    root = {"t": "module", "v": [enc(spec), enc(state or {})]}
    meta = np.frombuffer(json.dumps({"format": 1, "root": root}).encode(), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, __netgrad__=meta)


def _layer(cls, *args, **kwargs):
    return {"cls": cls, "args": list(args), "kwargs": kwargs, "training": False}


@pytest.mark.parametrize("spec", [
    _layer("Conv2d", 1024, 1024, [1024, 1024]),  # one 4 TiB weight from a 700-byte file
    _layer("Sequential", *[_layer("Linear", 1024, 1024) for _ in range(200)]),  # 800 MB of small layers
    _layer("Transformer", d_model=1024, num_encoder_layers=1024, num_decoder_layers=1024,
           dim_feedforward=1024),
    _layer("LSTM", 1024, 1024, num_layers=1024),
])
def test_a_model_entry_cannot_make_constructors_allocate_more_than_the_file_stores(tmp_path, spec):
    _module_file(tmp_path / "m", spec)
    with pytest.raises(LoadError, match="cannot be rebuilt"):
        ng.load(tmp_path / "m")
    assert nn.Linear(1024, 1024).weight.shape == (1024, 1024)  # the allowance ends with the load


@pytest.mark.parametrize("args", [(0, 3), (-5, 3), ("a", "b")])
def test_a_model_entry_with_bad_sizes_gives_load_error(tmp_path, args):
    _module_file(tmp_path / "m", _layer("Linear", *args))
    with pytest.raises(LoadError, match="cannot be rebuilt"):
        ng.load(tmp_path / "m")


def test_metadata_with_too_many_entries_is_refused_before_parsing(tmp_path):
    import json

    n = ng.serialization.MAX_TOKENS  # "[]," per entry: a few MB that json.loads would make ~1 GB of
    doc = '{"format": 1, "root": {"t": "list", "v": [' + ",".join(["[]"] * n) + "]}}"
    with open(tmp_path / "m", "wb") as f:
        np.savez(f, __netgrad__=np.frombuffer(doc.encode(), dtype=np.uint8))
    with pytest.raises(LoadError, match="more than .* entries"):
        ng.load(tmp_path / "m")
    ok = json.dumps({"format": 1, "root": {"t": "list", "v": [{"t": "none"}] * 1000}})
    with open(tmp_path / "ok", "wb") as f:
        np.savez(f, __netgrad__=np.frombuffer(ok.encode(), dtype=np.uint8))
    assert ng.load(tmp_path / "ok") == [None] * 1000


def test_save_refuses_what_load_would(tmp_path, monkeypatch):
    monkeypatch.setattr(ng.serialization, "MAX_TOKENS", 1000)
    with pytest.raises(ValueError, match="one array or tensor"):
        ng.save([0.5] * 2000, tmp_path / "m")
    assert not (tmp_path / "m").exists()
    ng.save({"w": ng.ones(3), "xs": list(range(100))}, tmp_path / "m")
    assert ng.load(tmp_path / "m")["xs"] == list(range(100))


@pytest.mark.parametrize("arr", [np.arange(3), np.array([True, False])])
def test_an_integer_tensor_marked_requires_grad_is_refused(tmp_path, arr):
    import json

    doc = json.dumps({"format": 1, "root": {"t": "tensor", "k": "a0", "rg": True}})
    with open(tmp_path / "m", "wb") as f:
        np.savez(f, __netgrad__=np.frombuffer(doc.encode(), dtype=np.uint8), a0=arr)
    with pytest.raises(LoadError, match="requires_grad"):
        ng.load(tmp_path / "m")
    ng.save({"i": ng.arange(3), "w": ng.ones(2, requires_grad=True)}, tmp_path / "ok")
    back = ng.load(tmp_path / "ok")
    assert back["w"].requires_grad and not back["i"].requires_grad


def test_many_layers_with_buffers_are_refused_before_they_fill_memory(tmp_path):
    """75,000 BatchNorm1d(1024, affine=False) layers named in a 25 MB file: their running
    statistics count against the rebuild's allowance too (they once reached 1.1 GB)."""
    import unittest.mock as mock

    import netgrad.serialization as S

    net = ng.nn.Sequential(ng.nn.BatchNorm1d(8, affine=False))
    spec = S.describe(net)
    spec["args"] = [dict(spec["args"][0], args=[1024]) for _ in range(2000)]
    path = tmp_path / "bn"
    with mock.patch.object(S, "describe", lambda m: spec), mock.patch.object(S, "rebuild", lambda *a: net):
        ng.save(net, path)
    with pytest.raises(LoadError, match="more values than the file stores"):
        ng.load(path)
