"""No private names across package boundaries: a module imports only public modules and names
from the other netgrad packages (``from ..distributed import _mpi`` or ``from netgrad.viz._mpl
import plt`` would fail here). Checked for every module of netgrad; the top-level modules
(``netgrad/*.py``: serialization, amp, device, ...) are one package, netgrad's own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import netgrad

ROOT = Path(netgrad.__file__).parent
FILES = sorted(ROOT.rglob("*.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _package(parts: tuple) -> tuple:
    """The netgrad package a dotted name lies in: ``("netgrad", "nn")`` for anything under nn/,
    ``("netgrad",)`` for a top-level module such as ``netgrad.serialization``."""
    top = ROOT.joinpath(*parts[1:2])
    return parts[:2] if len(parts) > 1 and top.is_dir() else parts[:1]


def _crossing_private_imports(source: str, module: str) -> list[str]:
    """The imports in ``source`` (the text of the module named ``module``) of a private name or
    module from another netgrad package."""
    here = tuple(module.split("."))
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level] if node.level else ()
            target = base + tuple((node.module or "").split(".") if node.module else ())
            names = [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            target, names = (), []
            for a in node.names:
                if a.name.startswith("netgrad."):
                    target = tuple(a.name.split("."))
        else:
            continue
        if target[:1] != ("netgrad",) or _package(target) == _package(here):
            continue  # outside netgrad, or inside this module's own package
        if any(_private(part) for part in target[1:]) or any(_private(n) for n in names):
            found.append(f"line {node.lineno}: {'.'.join(target)} {names}")
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_imports_across_packages(path):
    module = ".".join(("netgrad",) + path.relative_to(ROOT).with_suffix("").parts)
    assert _crossing_private_imports(path.read_text(), module) == []


def test_the_check_sees_private_imports_only_across_packages():
    probe = ("from ..distributed import _mpi\nimport netgrad.viz._mpl\nfrom .loop import _helper\n"
             "from ..autograd.random import use_generator\nfrom netgrad.train._progress import Reporter\n")
    found = _crossing_private_imports(probe, "netgrad.train.fit")
    assert [f.split(":")[0] for f in found] == ["line 1", "line 2"]
    top = _crossing_private_imports("from ._atomic import atomic_write\nfrom .nn._x import y\n",
                                    "netgrad.serialization")
    assert [f.split(":")[0] for f in top] == ["line 2"]
