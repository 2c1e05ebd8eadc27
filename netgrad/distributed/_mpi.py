"""mpi4py, imported on first use with a clear message when it is missing, and the fault policy:
an exception that escapes on one rank prints which rank failed and aborts the whole MPI job, so
that the other ranks, possibly waiting in a collective, stop too instead of hanging."""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Any

INSTALL = ("netgrad.distributed needs mpi4py and an MPI library: pip install 'netgrad[distributed]' "
           "(or: pip install mpi4py mpich)")

_MPI: Any = None


def mpi() -> Any:
    """The ``mpi4py.MPI`` module (MPI is initialised by this import)."""
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise ImportError(f"{INSTALL} ({e})") from None
        _MPI = MPI
    return _MPI


def available() -> bool:
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


_installed = False


def install_abort_hooks(rank: int, size: int) -> None:
    """On an uncaught exception (main thread or any thread): print it, naming the rank, and call
    MPI_Abort, which makes the launcher stop every rank of the job."""
    global _installed
    if _installed or size <= 1:
        return
    _installed = True

    def hook(kind: Any, value: Any, tb: Any) -> None:
        if issubclass(kind, SystemExit) and value.code in (0, None):
            return
        try:
            lines = "".join(traceback.format_exception(kind, value, tb)).rstrip("\n").split("\n")
            sys.stdout.flush()
            err = sys.__stderr__ or sys.stderr  # the process's own, even where sys.stderr was silenced
            err.write("".join(f"[rank {rank}] {ln}\n" for ln in lines))
            err.write(f"netgrad.distributed: rank {rank} of {size} failed with {kind.__name__}: "
                      f"{value}; aborting all ranks\n")
            err.flush()
        finally:
            mpi().COMM_WORLD.Abort(1)

    def thread_hook(args: Any) -> None:
        if args.exc_type is not SystemExit:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook

