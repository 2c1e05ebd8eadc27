"""Helpers shared by the tests of the ``netgrad`` command (tests/cli/): call ``main`` in
process and capture its output, or run ``python -m netgrad`` with this checkout on the path."""

from __future__ import annotations

import os
from pathlib import Path

from netgrad.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *argv):
    """(exit status, stdout, stderr) of ``netgrad ARGV`` run in this process."""
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def cli_env():
    """The environment for a ``python -m netgrad`` subprocess: this checkout importable, one
    thread, unbuffered output (so a test can read progress as it comes)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
