"""Data-parallel training on this machine, and a model of it on many: ``python -m benchmarks.distributed``.

1. Allreduce (float32, ``MPI_Allreduce`` through mpi4py's buffers) on 2 ranks over loopback:
   median time per size, from which the alpha-beta fit (latency alpha, seconds per byte beta).
2. The benchmark MLP (784-256-128-10) and CNN (PyTorch's MNIST example) on synthetic MNIST-shaped
   data: samples/s of 2 ranks x 1 thread (DDP, the global batch split) against 1 process x 2
   threads, and the share of a step spent waiting for the allreduce (DDP step time against the
   same step under ``no_sync()``).
3. The ring-allreduce model: T_ar(p, n) = 2 (p - 1) alpha + 2 (p - 1) / p * n / bandwidth, and the
   step time compute(B) + T_ar (netgrad's engine does not yet overlap the two), projected for 8, 64
   and 256 machines.

Prints JSON per measurement and a Markdown summary. Needs ``netgrad[distributed]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

SIZES = [8, 64, 512, 4096, 32768, 262144, 2097152, 8388608]  # bytes
GLOBAL = {"mlp": 128, "cnn": 64}
STEPS = {"mlp": 30, "cnn": 6}


def _model(kind: str):
    import netgrad as ng
    from netgrad import nn

    ng.manual_seed(0)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10))


def _batch(kind: str, n: int):
    import netgrad as ng

    rs = np.random.RandomState(0)
    shape = (n, 784) if kind == "mlp" else (n, 1, 28, 28)
    return ng.tensor(rs.rand(*shape).astype(np.float32)), ng.tensor(rs.randint(0, 10, n))


def _steps(model, opt, x, y, k: int) -> float:
    from netgrad import nn

    loss_fn = nn.CrossEntropyLoss()
    t = time.perf_counter()
    for _ in range(k):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return (time.perf_counter() - t) / k


def single(kind: str) -> dict:
    from netgrad import optim

    model = _model(kind)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = _batch(kind, GLOBAL[kind])
    _steps(model, opt, x, y, 2)
    step = _steps(model, opt, x, y, STEPS[kind])
    return {"kind": kind, "procs": 1, "step_s": step, "samples_s": GLOBAL[kind] / step,
            "params": sum(p.numel() for p in model.parameters())}


def ranks(kind: str | None) -> None:
    import netgrad.distributed as dist
    from netgrad import optim
    from netgrad.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("mpi")
    comm, MPI = dist._state.comm, dist._mpi.mpi()
    r, n = dist.get_rank(), dist.get_world_size()
    if kind is None:
        out = {}
        for size in SIZES:
            buf = np.ones(size // 4, np.float32)
            reps = max(5, min(500, int(2e7 / max(size, 1))))
            comm.Barrier()
            times = []
            for _ in range(reps):
                t = time.perf_counter()
                comm.Allreduce(MPI.IN_PLACE, buf)
                times.append(time.perf_counter() - t)
            out[size] = float(np.median(times))
        if r == 0:
            print(json.dumps({"allreduce_s": out}), flush=True)
        return
    model = DDP(_model(kind))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = _batch(kind, GLOBAL[kind] // n)
    _steps(model, opt, x, y, 2)
    comm.Barrier()
    step = _steps(model, opt, x, y, STEPS[kind])
    with model.no_sync():
        comm.Barrier()
        local = _steps(model, opt, x, y, STEPS[kind])
    step = comm.allreduce(step, op=MPI.MAX)
    local = comm.allreduce(local, op=MPI.MAX)
    if r == 0:
        print(json.dumps({"kind": kind, "procs": n, "step_s": step, "samples_s": GLOBAL[kind] / step,
                          "comm_share": max(0.0, 1 - local / step)}), flush=True)


def _run(cmd: list[str], threads: int) -> list[dict]:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def ring(p: int, nbytes: float, alpha: float, bandwidth: float) -> float:
    """Ring allreduce of nbytes on p machines: 2 (p-1) messages of nbytes / p each way."""
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * nbytes / bandwidth


def main() -> None:
    from netgrad.distributed.launch import mpiexec_command

    me = [sys.executable, "-m", "benchmarks.distributed"]
    ar = _run(mpiexec_command(2, me + ["--ranks", "allreduce"]), 1)[0]["allreduce_s"]
    # 2 ranks: t = alpha + n / bandwidth (each rank sends and receives n bytes in a ring of two)
    alpha = ar[str(SIZES[0])] if str(SIZES[0]) in ar else list(ar.values())[0]
    big = list(ar.values())[-1]
    bandwidth = SIZES[-1] / max(big - alpha, 1e-12)
    print(json.dumps({"loopback_alpha_us": alpha * 1e6, "loopback_GB_s": bandwidth / 1e9, "allreduce_s": ar}))
    rows = {}
    for kind in ("mlp", "cnn"):
        one = _run(me + ["--single", kind], 2)[0]
        solo = _run(me + ["--single", kind], 1)[0]
        two = _run(mpiexec_command(2, me + ["--ranks", kind]), 1)[0]
        print(json.dumps({"one_x2threads": one, "one_x1thread": solo, "two_ranks_x1thread": two}))
        rows[kind] = (one, two, solo)
    print("\n| model | params | 1 proc x 1 thread | 1 proc x 2 threads | 2 ranks x 1 thread | 2 ranks / 1x2 "
          "| allreduce share of a 2-rank step |\n|---|---|---|---|---|---|---|")
    for kind, (one, two, solo) in rows.items():
        ratio = two["samples_s"] / one["samples_s"]
        print(f"| {kind} | {one['params']:,} | {solo['samples_s']:.0f} | {one['samples_s']:.0f} | "
              f"{two['samples_s']:.0f} | {ratio:.2f} | {two['comm_share']:.0%} |")
    # projection: compute per sample from one thread (a rank), datacentre network figures
    print("\n| model | network | machines | allreduce (ms) | step (ms), B=local batch | efficiency "
          "| local batch for 90% |\n|---|---|---|---|---|---|---|")
    for kind, (one, two, _) in rows.items():
        nbytes = 4 * one["params"]
        per_sample = two["step_s"] * (1 - two["comm_share"]) / (GLOBAL[kind] // 2)
        b = GLOBAL[kind] // 2
        for net, a, bw in (("25 GbE TCP", 25e-6, 25e9 / 8 * 0.8), ("100 Gb/s RDMA", 3e-6, 100e9 / 8 * 0.9)):
            for p in (8, 64, 256):
                t_ar = ring(p, nbytes, a, bw)
                comp = per_sample * b
                eff = comp / (comp + t_ar)
                b90 = int(np.ceil(9 * t_ar / per_sample))
                print(f"| {kind} | {net} | {p} | {t_ar * 1e3:.2f} | {(comp + t_ar) * 1e3:.1f} (B={b}) | "
                      f"{eff:.0%} | {b90} |")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--ranks":
        ranks(None if sys.argv[2] == "allreduce" else sys.argv[2])
    elif len(sys.argv) > 2 and sys.argv[1] == "--single":
        print(json.dumps(single(sys.argv[2])), flush=True)
    else:
        main()
