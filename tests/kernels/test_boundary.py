"""netgrad.kernels is the bottom layer: NumPy and the standard library only, and its switch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from netgrad import kernels

_KERNELS_DIR = Path(kernels.__file__).parent


def test_kernels_import_nothing_else_of_netgrad():
    code = f"""
import importlib, sys, types
pkg = types.ModuleType("netgrad"); pkg.__path__ = [{str(_KERNELS_DIR.parent)!r}]
sys.modules["netgrad"] = pkg
for name in {sorted(p.stem for p in _KERNELS_DIR.glob("*.py"))!r}:
    importlib.import_module("netgrad.kernels" + ("" if name == "__init__" else "." + name))
print(sorted(m for m in sys.modules if m.startswith("netgrad.") and not m.startswith("netgrad.kernels")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_reference_turns_paths_off_inside_the_block_only():
    before = dict(kernels.on)
    with kernels.reference():
        assert kernels.reference_mode() and not any(kernels.on.values())
    assert kernels.on == before
    with kernels.reference("im2col"):
        assert not kernels.on["im2col"]
        assert all(v == before[k] for k, v in kernels.on.items() if k != "im2col")
    with pytest.raises(ValueError, match="unknown fast path 'nope'"):
        with kernels.reference("nope"):
            pass


@pytest.mark.parametrize("env, off", [({"NETGRAD_REFERENCE": "1"}, "all"),
                                      ({"NETGRAD_KERNELS_OFF": " im2col"}, "im2col")])
def test_the_environment_sets_the_switch_at_import(env, off, monkeypatch):
    monkeypatch.delenv("NETGRAD_REFERENCE", raising=False)  # this run's own mode
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code = "from netgrad import kernels; print(','.join(sorted(k for k, v in kernels.on.items() if not v)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    want = ",".join(sorted(kernels.PATHS)) if off == "all" else off
    assert out.stdout.strip() == want


def test_an_unknown_path_in_the_environment_is_an_error_naming_it(monkeypatch):
    monkeypatch.delenv("NETGRAD_REFERENCE", raising=False)
    monkeypatch.setenv("NETGRAD_KERNELS_OFF", "im2col,warp_drive")
    out = subprocess.run([sys.executable, "-c", "import netgrad"], capture_output=True, text=True)
    assert out.returncode != 0 and "NETGRAD_KERNELS_OFF" in out.stderr and "warp_drive" in out.stderr
