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
