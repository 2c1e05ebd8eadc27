"""What each fast path earns: ``python -m benchmarks.fastpaths [--paths a,b] [--pairs 8]``.

For every name in ``netgrad.kernels.PATHS`` this runs the benchmark rows the path can touch
(MLP training step, inference at batch 1 and 1000, CNN training step, the ops of bench_ops) in
a few fresh processes; in each, timed samples with the path off (``kernels.on[name] = False``,
read at call time) and with every path on alternate (on/off, then off/on), so that both modes
see the same process, memory layout and load. It prints per path and row the gain: the time with
the path off over the time with it on, minus 1 (median and quartiles over all sample pairs). As
benchmarks/README.md recommends for changes worth a few percent on a shared machine, a child
runs with one BLAS thread and times CPU time (``time.process_time``), which other people's load
moves less than wall time. ``--wall`` measures as the benchmark rows run instead: two BLAS
threads and wall time (what a path does to the second thread only shows there; use a quiet
machine). The pseudo-path ``control`` switches nothing: its spread is the method's
noise on the machine at hand. A switch read once per process (``heap``, an allocator setting)
needs ``--whole``: alternating processes, one per mode, compared by their medians (noisier: on a
shared host, alternating full benchmark workers with ``NETGRAD_KERNELS_OFF=heap`` measure it
better). A path stays only where some row gains >= 3% (issue 20); README's
"Decision record" lists the results.

One child: ``python -m benchmarks.fastpaths --child pool --rows mlp,infer1`` prints one
JSON line: per row, the off/on ratios of its sample pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

import numpy as np

ROWS = ("mlp", "infer1", "infer1000", "cnn", "ops")
# the rows each path can touch (the others run none of its code); a path not named here gets all
PATH_ROWS = {
    "im2col": ("cnn",),
    "maxpool_tiles": ("cnn",),
    "control": ("mlp", "infer1", "infer1000", "cnn"),
}
CONTROL = "control"  # switches nothing: its "gain" is the noise of the method on this machine


def _pairs(fn: Callable[[], Any], path: str, unit_s: float, pairs: int,
           clock: Callable[[], float], whole: bool) -> list[float]:
    """Ratios time(``path`` off) / time(all on) of ``pairs`` adjacent samples of ~``unit_s`` of
    calls each, the two modes alternating (on/off, then off/on) inside this process: the switch
    is read at call time, so both modes see the same process, data and load. ``whole``: the
    parent set the switch for the whole process; then plain seconds per call."""
    from netgrad import kernels

    for _ in range(3):
        fn()
    t0 = clock()
    fn()
    n = max(1, int(unit_s / max(clock() - t0, 1e-6)))

    def sample(off: bool) -> float:
        if path != CONTROL and not whole:
            kernels.on[path] = not off
        try:
            fn()  # one untimed call in the new mode (caches, pool)
            t0 = clock()
            for _ in range(n):
                fn()
            return clock() - t0
        finally:
            if path != CONTROL and not whole:
                kernels.on[path] = True

    if whole:  # switched (or not) for the whole process by the parent: plain times per call
        return [sample(False) / n for _ in range(pairs)]
    out = []
    for i in range(pairs):
        if i % 2:
            off = sample(True)
            on = sample(False)
        else:
            on = sample(False)
            off = sample(True)
        out.append(off / on)
    return out


def child(path: str, rows: list[str], pairs: int, clock: Callable[[], float],
          whole: bool) -> dict[str, list[float]]:
    from . import mnist
    from .bench_cnn import build_cnn
    from .bench_mlp import BATCH, build_mlp
    from .bench_ops import _cases
    from .common import load_lib

    L = load_lib("netgrad")
    T, F = L.T, L.F
    res: dict[str, list[float]] = {}
    if "mlp" in rows:
        X, y = mnist.load("train")
        T.manual_seed(0)
        model = build_mlp(L)
        opt = L.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        batches = [(T.from_numpy(X[i:i + BATCH]), T.from_numpy(y[i:i + BATCH]))
                   for i in range(0, 40 * BATCH, BATCH)]
        k = [0]

        def step() -> None:
            xb, yb = batches[k[0] % len(batches)]
            k[0] += 1
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()

        res["mlp"] = _pairs(step, path, 0.1, pairs, clock, whole)
    if "infer1" in rows or "infer1000" in rows:
        X, _ = mnist.load("test")
        model = build_mlp(L)
        model.eval()
        with T.no_grad():
            for batch in (1, 1000):
                if f"infer{batch}" in rows:
                    xb = T.from_numpy(X[:batch])
                    res[f"infer{batch}"] = _pairs(lambda xb=xb: model(xb), path, 0.05, pairs, clock, whole)
    if "cnn" in rows:
        X, y = mnist.load("train", flat=False)
        T.manual_seed(0)
        model = build_cnn(L)
        model.train()
        opt = L.optim.Adadelta(model.parameters(), lr=1.0)
        xb, yb = T.from_numpy(X[:64]), T.from_numpy(y[:64])

        def cstep() -> None:
            opt.zero_grad()
            F.nll_loss(model(xb), yb).backward()
            opt.step()

        res["cnn"] = _pairs(cstep, path, 0.2, max(2, pairs // 2), clock, whole)
    if "ops" in rows:
        cases = list(_cases(L).values())

        def ops() -> None:
            for fn in cases:
                fn()

        res["ops"] = _pairs(ops, path, 0.05, pairs, clock, whole)
    return res


def _run_child(path: str, rows: tuple[str, ...], pairs: int, threads: int, wall: bool,
               off: str | None = None) -> dict[str, list[float]]:
    """One child process; ``off`` (a path name, or "" for all on) sets the switches for the whole
    process instead of alternating them inside it."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NETGRAD_NUM_THREADS"):
        env[var] = str(threads)
    env.pop("NETGRAD_REFERENCE", None)
    env["NETGRAD_KERNELS_OFF"] = "" if off in (None, CONTROL) else off  # control switches nothing
    cmd = [sys.executable, "-m", "benchmarks.fastpaths", "--child", path, "--rows", ",".join(rows),
           "--pairs", str(pairs)]
    if wall:
        cmd.append("--wall")
    if off is not None:
        cmd.append("--whole")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            info = dict(line.split(":", 1) for line in f if ":" in line and line.strip())
        info = {k.strip(): v.strip() for k, v in info.items()}
        return (f"{info.get('model name', '?')} (family {info.get('cpu family', '?')}, model "
                f"{info.get('model', '?')}), {os.cpu_count()} CPUs")
    except OSError:
        return platform.processor() or platform.machine()


def measure(path: str, rows: tuple[str, ...], procs: int, pairs: int, whole: bool,
            wall: bool) -> dict[str, list[float]]:
    """Per row, the ratios time(path off) / time(all on): from the sample pairs of ``procs``
    processes, or with ``whole``, one per pair of processes (path on, path off, in alternating
    order): for switches read when state is made (parameters, an optimiser's buffers)."""
    threads = 2 if wall else 1
    ratios: dict[str, list[float]] = {r: [] for r in rows}
    for i in range(procs):
        if whole:
            order = ("", path) if i % 2 == 0 else (path, "")
            got = {off: _run_child(path, rows, pairs, threads, wall, off) for off in order}
            for r in rows:
                ratios[r].append(statistics.median(got[path][r]) / statistics.median(got[""][r]))
            continue
        for r, got in _run_child(path, rows, pairs, threads, wall).items():
            ratios[r] += got
    return ratios


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", default="", help="comma-separated names (default: all of kernels.PATHS)")
    ap.add_argument("--rows", default="", help=f"comma-separated rows of {ROWS} (default: per path)")
    ap.add_argument("--procs", type=int, default=3, help="processes per path")
    ap.add_argument("--pairs", type=int, default=8, help="on/off sample pairs per process and row")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--whole", action="store_true",
                    help="switch each path for whole processes, alternating on/off processes")
    ap.add_argument("--wall", action="store_true",
                    help="two BLAS threads and wall time, as the benchmark rows (default: one, CPU time)")
    args = ap.parse_args(argv)
    if args.child is not None:
        clock = time.perf_counter if args.wall else time.process_time
        print(json.dumps(child(args.child, args.rows.split(","), args.pairs, clock, args.whole)))
        return 0
    from netgrad import kernels

    paths = [p for p in args.paths.split(",") if p] or [CONTROL, *kernels.PATHS]
    unknown = set(paths) - {CONTROL, *kernels.PATHS}
    if unknown:
        ap.error(f"unknown path(s) {sorted(unknown)}; known: {CONTROL}, {', '.join(kernels.PATHS)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"CPU: {cpu_model()}; NumPy {np.__version__}, Python {platform.python_version()}; "
          f"load average {load:.1f} at the start")
    print(f"gain = time(path off) / time(all on) - 1: median [quartiles] over {args.procs} processes x "
          f"{args.pairs} alternating sample pairs; "
          f"{'two threads, wall time' if args.wall else 'one thread, CPU time'}")
    print(f"{'path':<14} {'row':<10} {'gain':>8}   quartiles")
    for path in paths:
        rows = tuple(r for r in args.rows.split(",") if r) or PATH_ROWS.get(path, ROWS)
        for r, ratio in measure(path, rows, args.procs, args.pairs, args.whole, args.wall).items():
            q1, med, q3 = statistics.quantiles([x - 1 for x in ratio], n=4)
            print(f"{path:<14} {r:<10} {med:>+8.1%}   [{q1:+.1%}, {q3:+.1%}]", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
