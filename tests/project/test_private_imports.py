"""No private names across package boundaries: a module imports only public modules and names
from the other netgrad packages (``from ..distributed import _mpi`` or ``from netgrad.viz._mpl
import plt`` would fail here). Checked for the packages listed in ``CHECKED``; add a package once
it is clean."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import netgrad

ROOT = Path(netgrad.__file__).parent
CHECKED = ("train/*.py", "estimators/*.py", "cli/*.py", "utils/data/*.py", "data/loader.py")
FILES = sorted(p for pattern in CHECKED for p in ROOT.glob(pattern))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


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
        if target[:1] != ("netgrad",) or target[:2] == here[:2]:
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
