"""``netgrad train --nproc N``: the same job on N processes through ``mpiexec`` (data-parallel,
``DistributedDataParallel``), with no MPI knowledge needed.

The command the user ran becomes a launcher: it writes the resolved options to a temporary file
and runs ``mpiexec -n N python -m netgrad.cli._distributed OPTIONS`` (``--hostfile FILE`` spreads
the processes over the machines listed there; each needs the same Python environment and data).
Every rank loads the same data and builds the same model; ``fit`` splits the training set between
them. Rank 0 prints and writes the run folder (checkpoints included); the other ranks work in a
scratch copy of it, discarded at the end. A rank that fails ends the job: an exception is printed
with the rank's name and MPI aborts the rest; a rank killed by a signal is named from the MPI
launcher's report.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ._common import CLIError, UsageError

_WORKER_ENV = "NETGRAD_DIST_WORKER"
_INSTALL = ("netgrad.distributed needs mpi4py and an MPI library: pip install 'netgrad[distributed]' "
            "(or: pip install mpi4py mpich)")


def in_worker() -> bool:
    return os.environ.get(_WORKER_ENV) == "1"


def wrap(model: Any) -> Any:
    """The model as ``fit`` should see it: DDP-wrapped inside a job of several ranks."""
    if not in_worker():
        return model
    import netgrad.distributed as dist
    from netgrad.nn.parallel import DistributedDataParallel

    if not dist.is_initialized() or dist.get_world_size() == 1:
        return model
    return DistributedDataParallel(model)


def launch(opts: dict[str, Any], resume: bool) -> int:
    """Run ``train(opts)`` on ``opts['nproc']`` processes; returns the job's exit status."""
    import netgrad.distributed as dist

    n = int(opts["nproc"])
    if str(opts["data"]) == "-":
        raise UsageError("--nproc reads the data in every process: give a file, not standard input (-)")
    if not dist.is_available():
        raise CLIError(f"--nproc {n}: {_INSTALL}")
    if resume:
        _check_world_size(Path(opts["out"]), n)
    with tempfile.TemporaryDirectory(prefix="netgrad-job-") as tmp:
        spec = Path(tmp) / "options.json"
        spec.write_text(json.dumps({"opts": opts, "resume": resume, "pids": tmp}, default=str))
        try:
            cmd = job_command(n, [sys.executable, "-m", "netgrad.cli._distributed", str(spec)],
                              hostfile=opts.get("hostfile"))
        except FileNotFoundError as e:
            raise CLIError(str(e)) from None
        env = dict(os.environ, **{_WORKER_ENV: "1"})
        if "OMP_NUM_THREADS" not in env:  # N processes on the cores: one BLAS thread each
            env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        code, seen = run_relayed(cmd, env)
        text = "".join(seen)
        if code not in (0, 1, 130) and "netgrad.distributed: rank" not in text:
            died = _dead_rank(text, Path(tmp))
            raise CLIError(f"the job on {n} processes failed (exit status {code})"
                           + (f": {died}" if died else "; see the MPI launcher's messages above"))
        return 130 if code == 130 else (0 if code == 0 else 1)


def _check_world_size(run_dir: Path, n: int) -> None:
    import netgrad as ng

    from . import _run

    try:
        ck = ng.load(run_dir / _run.CHECKPOINT_FILE)
        ws = int(ck["extra"]["fit"].get("world_size", 1))
    except (OSError, KeyError, TypeError, ValueError):
        return  # fit reports an unreadable checkpoint
    if ws != n:
        raise CLIError(f"cannot resume {run_dir} on {n} processes: it was trained on {ws} (--nproc {ws})")


def job_command(n: int, argv: list[str], hostfile: str | None = None) -> list[str]:
    """``mpiexec_command``, plus MPICH's ``-print-all-exitcodes``: when one rank dies, MPICH's
    launcher kills the others with the same signal and its report names the first it finds ended,
    which under load can be one it killed itself; every rank's exit code tells them apart."""
    from netgrad.distributed.launch import mpi_flavour, mpiexec_command

    cmd = mpiexec_command(n, argv, hostfile=hostfile)
    if mpi_flavour(cmd[0]) == "mpich":
        cmd.insert(1, "-print-all-exitcodes")
    return cmd


def run_relayed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """Run the launcher, passing its stdout and stderr on as they come (progress bars included) and
    keeping both: MPICH reports a rank killed by a signal on stdout, Open MPI on stderr."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: list[str] = []
    readers = [threading.Thread(target=_relay, args=(pipe, name, seen), daemon=True)
               for pipe, name in ((proc.stdout, "stdout"), (proc.stderr, "stderr"))]
    for r in readers:
        r.start()
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # mpiexec passes Ctrl-C on to the ranks, which stop cleanly
        code = proc.wait()
    for r in readers:
        r.join(timeout=5)
    return code, seen


_EXIT_CODES = re.compile(r"^\[mpiexec@[^\]\n]*\] Exit codes:([^\n]*)\n?", re.M)


def _relay(pipe: Any, name: str, seen: list[str]) -> None:
    """Pass one stream on, keeping it all in ``seen`` but hiding MPICH's exit-code line (asked
    for by ``job_command``, printed on success too): a line of the launcher's own is held back
    until it is whole, so that it can be recognised."""
    decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
    fd = pipe.fileno()
    held = ""
    while True:
        chunk = os.read(fd, 65536)
        text, held = held + decode(chunk, final=not chunk), ""
        start = text.rfind("[mpiexec@")
        if chunk and start >= 0 and "\n" not in text[start:]:
            text, held = text[:start], text[start:]
        if text:
            seen.append(text)
            out = getattr(sys, name)
            out.write(_EXIT_CODES.sub("", text))
            out.flush()
        if not chunk:
            break


def _dead_rank(text: str, pid_dir: Path) -> str | None:
    """Which rank the MPI launcher reported as ended by a signal (MPICH names the PID, Open MPI the
    rank); several, when MPICH's exit codes show that more than one rank ended abnormally."""
    m = re.search(r"process rank (\d+) with PID \d+ on node \S+ exited on\s+signal (\d+)", text)
    if m:
        return f"rank {m.group(1)} was killed by signal {m.group(2)}"
    lines = _EXIT_CODES.findall(text)  # the last one is this job's
    hosts = [(host, [int(c) for c in cs.split(",")])
             for host, cs in re.findall(r"\[([^\]]+)\] ([\d,]+)", lines[-1] if lines else "")]
    if sum(c != 0 for _, cs in hosts for c in cs) > 1:
        listing = "; ".join(f"{host} {', '.join(map(str, cs))}" for host, cs in hosts)
        return (f"more than one rank ended abnormally (exit codes by rank, per machine: {listing}); "
                "the launcher ends the rest once one fails, so which failed first is not known")
    pids = {}
    for f in pid_dir.glob("rank*.pid"):
        pids[f.read_text().strip()] = f.stem[4:]
    for m in re.finditer(r"PID (\d+) RUNNING AT (\S+)\s*=\s*EXIT CODE: (\d+)", text):
        if m.group(1) in pids:
            return (f"rank {pids[m.group(1)]} (PID {m.group(1)} on {m.group(2)}) ended with exit code "
                    f"{m.group(3)}")
    return None


def _worker(spec_path: str) -> int:
    import netgrad.distributed as dist

    from . import _data
    from .train import train

    spec = json.loads(Path(spec_path).read_text())
    opts, resume = spec["opts"], spec["resume"]
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    try:
        (Path(spec["pids"]) / f"rank{rank}.pid").write_text(str(os.getpid()))
    except OSError:  # another machine: no shared temporary folder
        pass
    scratch = None
    if rank > 0:  # the other ranks write into a scratch copy of the run folder, dropped at the end
        out = Path(opts["out"] or Path("runs") / _data.data_label(opts["data"]))
        scratch = Path(tempfile.mkdtemp(prefix=f"netgrad-rank{rank}-"))
        if resume and out.is_dir():
            shutil.copytree(out, scratch / "run")
        opts = {**opts, "out": str(scratch / "run"), "quiet": True, "json": False}
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115  (failures still reach __stderr__)
    try:
        code, message = _main(train, opts, resume)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    _finish(dist, code, message)
    return code


def _main(train: Any, opts: dict[str, Any], resume: bool) -> tuple[int, str]:
    """``train`` with ``netgrad.cli.main``'s error handling: the exit status and the error message
    (printed here by rank 0; the others' are silenced, as every rank normally has the same). Any
    other exception reaches netgrad.distributed's hook, which names the rank and aborts the job."""
    try:
        return int(train(opts, resume=resume) or 0), ""
    except CLIError as e:
        print(f"netgrad: error: {e}", file=sys.stderr)
        return e.code, str(e)
    except KeyboardInterrupt:
        return 130, "interrupted"


def _finish(dist: Any, code: int, message: str = "", wait: float = 30.0) -> None:
    """All ranks end together. A rank that failed (an error of its own, exit status not 0) and
    is not joined by the others within ``wait`` seconds aborts the job, naming itself, instead of
    leaving them waiting in a collective; a rank that succeeded waits for the others."""
    done = dist.barrier(async_op=True)
    t0 = time.monotonic()
    while not done.is_completed():
        if code != 0 and time.monotonic() - t0 > wait:
            why = f" ({message})" if message else ""
            _abort(dist, f"ended with exit status {code}{why} while other ranks were still working",
                   code or 1)
        time.sleep(0.01)


def _abort(dist: Any, message: str, code: int) -> None:
    """Print ``message`` naming this rank and end every rank of the job (MPI_Abort)."""
    rank, size = dist.get_rank(), dist.get_world_size()
    sys.stdout.flush()
    err = sys.__stderr__ or sys.stderr
    err.write(f"netgrad.distributed: rank {rank} of {size}: {message}\n")
    err.flush()
    if size > 1:
        from mpi4py import MPI

        MPI.COMM_WORLD.Abort(code)
    raise SystemExit(code)


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1]))
