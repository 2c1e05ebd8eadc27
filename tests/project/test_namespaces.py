"""After `import netgrad`, every subpackage is an attribute (as torch.nn, torch.optim.lr_scheduler,
torch.utils.data are), the costly ones loaded only on first use. Run in a fresh interpreter, since
this test process has imported most of netgrad already."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_subpackages_are_attributes_loaded_lazily():
    out = _run("""
        import sys
        import netgrad
        lazy = ["optim", "utils", "data", "train", "viz", "testing", "estimators", "cli", "onnx",
                "distributed", "playground"]
        print(sorted(n for n in lazy if "netgrad." + n in sys.modules), "matplotlib" in sys.modules)
        import types
        for path in ["nn", "nn.functional", "nn.init", "nn.utils", "autograd", "functional", "optim",
                     "optim.lr_scheduler", "utils", "utils.data", "data", "train", "viz", "testing",
                     "estimators", "cli", "onnx", "distributed", "playground"]:
            obj = netgrad
            for part in path.split("."):
                obj = getattr(obj, part)
            assert isinstance(obj, types.ModuleType) and obj.__name__ == "netgrad." + path, path
        assert netgrad.utils.data.DataLoader is netgrad.data.DataLoader
        assert netgrad.optim.lr_scheduler.StepLR.__module__ == "netgrad.optim.lr_scheduler"
        assert set(lazy) <= set(dir(netgrad))
        print("ok")
    """)
    assert out.split("\n")[:2] == ["[] False", "ok"]


def test_import_forms():
    out = _run("""
        import netgrad.utils.data as data
        from netgrad.utils.data import DataLoader, TensorDataset
        from netgrad.optim.lr_scheduler import OneCycleLR
        import netgrad as torch
        loader = torch.utils.data.DataLoader(TensorDataset(torch.arange(4)), batch_size=2)
        print(data.DataLoader is DataLoader, [b[0].tolist() for b in loader], OneCycleLR.__name__)
    """)
    assert out.strip() == "True [[0, 1], [2, 3]] OneCycleLR"


def test_unknown_attribute_is_an_attribute_error():
    import netgrad

    with pytest.raises(AttributeError, match="has no attribute 'not_a_subpackage'"):
        netgrad.not_a_subpackage  # noqa: B018
    assert not hasattr(netgrad, "linalg_that_does_not_exist")


def test_every_subpackage_is_reachable():
    """Each folder of netgrad/ with an __init__.py is an attribute of netgrad (explain: the function,
    carrying the package's helpers)."""
    out = _run("""
        import os, types, netgrad
        root = os.path.dirname(netgrad.__file__)
        pkgs = sorted(n for n in os.listdir(root) if os.path.isfile(os.path.join(root, n, "__init__.py")))
        assert {"viz", "explain", "onnx", "distributed", "train", "nn"} <= set(pkgs), pkgs
        for name in pkgs:
            obj = getattr(netgrad, name)
            if name == "explain":
                assert callable(obj) and obj.check.__module__ == "netgrad.explain.checking"
                assert obj.network is not None and obj.Notation.__name__ == "Notation"
            else:
                assert isinstance(obj, types.ModuleType) and obj.__name__ == "netgrad." + name, name
        assert callable(netgrad.viz.record) and netgrad.viz.graph.__module__ == "netgrad.viz.graph"
        print("ok", len(pkgs))
    """)
    assert out.startswith("ok ")
