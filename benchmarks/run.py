"""Run the benchmark suite: each (benchmark, library) in its own process with the same threads,
then print a Markdown table and write the JSON record.

    python -m benchmarks.run                 # full run -> benchmarks/results/latest.{json,md}
    python -m benchmarks.run --quick         # short run for iterating -> results/quick.{json,md}
    python -m benchmarks.run --bench mlp,infer --lib netgrad,torch --rounds 2

With ``--rounds N`` the libraries take turns N times (A B A B ...) and the samples are pooled, so a
burst of load from other processes on the machine hits both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from . import report
from .worker import BENCHES, LIBS

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS")


def child_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env["NETGRAD_BENCH_THREADS"] = str(threads)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _stat() -> tuple[int, int] | None:
    """(idle + iowait, total) CPU ticks of the whole machine so far, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
        return vals[3] + (vals[4] if len(vals) > 4 else 0), sum(vals)
    except (OSError, ValueError, IndexError):
        return None


def cpu_busy(interval: float = 0.5) -> float | None:
    """Fraction of the machine's CPU time spent busy over ``interval`` seconds."""
    a = _stat()
    time.sleep(interval)
    b = _stat()
    if a is None or b is None:
        return None
    return 1.0 - (b[0] - a[0]) / max(b[1] - a[1], 1)


def wait_idle(max_wait: float, threshold: float) -> float | None:
    """Wait (at most ``max_wait`` s) until other processes use under ``threshold`` of the CPUs:
    the machine is shared, and a benchmark next to a test run measures the test run."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy is not None and busy > threshold and time.monotonic() < deadline:
        time.sleep(2.0)
        busy = cpu_busy()
    return busy


def run_measured(lib: str, bench: str, quick: bool, threads: int, timeout: float,
                 retries: int, max_wait: float, threshold: float) -> dict:
    """``run_worker``, re-run (after waiting for idle CPUs) when other processes kept more than
    ``threshold`` of the machine busy while it ran; the last attempt is kept either way."""
    for attempt in range(retries + 1):
        busy = wait_idle(max_wait, threshold) if max_wait > 0 else None
        res = run_worker(lib, bench, quick, threads, timeout)
        res["cpu_busy_before"], res["attempt"] = busy, attempt + 1
        others = res.get("others_busy")
        if res.get("status") != "ok" or others is None or others <= threshold:
            break
    return res


def run_worker(lib: str, bench: str, quick: bool, threads: int, timeout: float) -> dict:
    """One worker; ``others_busy`` in the result is the share of the machine's CPU time that
    other processes used while it ran (total busy time minus the worker's own)."""
    cmd = [sys.executable, "-m", "benchmarks.worker", "--lib", lib, "--bench", bench]
    if quick:
        cmd.append("--quick")
    st0, ru0, t0 = _stat(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=child_env(threads), capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"lib": lib, "bench": bench, "status": "error", "reason": f"timed out after {timeout:.0f} s"}
    st1, ru1, wall = _stat(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic() - t0
    others = None
    if st0 and st1 and wall > 0:
        hz = os.sysconf("SC_CLK_TCK")
        total_s = (st1[1] - st0[1]) / hz
        busy_s = total_s - (st1[0] - st0[0]) / hz
        own_s = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        others = min(max((busy_s - own_s) / max(total_s, 1e-9), 0.0), 1.0)
    res = _parse(p, lib, bench)
    res["others_busy"] = others
    return res


def _parse(p: subprocess.CompletedProcess, lib: str, bench: str) -> dict:
    for line in reversed(p.stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                res = json.loads(line)
            except json.JSONDecodeError:
                break
            if res.get("status") == "error":
                res["stderr_tail"] = p.stderr[-2000:]
            return res
    return {"lib": lib, "bench": bench, "status": "error",
            "reason": f"worker exited {p.returncode} without a result", "stderr_tail": p.stderr[-2000:]}


def machine_info(threads: int, mode: str, results: dict) -> dict:
    import numpy as np

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = "?"
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{cfg.get('name', '?')} {cfg.get('version', '')}".strip()
    except Exception:
        pass
    versions: dict = {}
    for by_lib in results.values():
        for res in by_lib.values():
            for k, v in res.get("versions", {}).items():
                if k != "threadpools":
                    versions.setdefault(k, v)
    try:
        git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip() or "?"
    except OSError:
        git = "?"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return {"cpu": cpu, "cores": cores, "threads": threads, "numpy_blas": blas, "versions": versions,
            "git": git, "mode": mode, "loadavg": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}


START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def update_readme(path: Path, md: str) -> bool:
    """Replace the text between the benchmark markers in ``path`` with ``md``."""
    text = path.read_text()
    i, j = text.find(START), text.find(END)
    if i < 0 or j < i:
        print(f"{path.name}: no {START} ... {END} markers; not updated", file=sys.stderr)
        return False
    path.write_text(text[:i + len(START)] + "\n" + md + "\n" + text[j:])
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 epochs, fewer steps and repeats")
    ap.add_argument("--bench", default=",".join(BENCHES), help="comma list of " + ", ".join(BENCHES))
    ap.add_argument("--lib", default="netgrad,torch,sklearn", help="comma list of libraries")
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default: quick 1, full 3)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per worker")
    ap.add_argument("--wait-idle", type=float, default=None, metavar="S",
                    help="before each worker wait up to S s for the CPUs to be mostly idle "
                         "(default 120, quick 20; 0 disables)")
    ap.add_argument("--idle-threshold", type=float, default=0.25, help="busy fraction counted as idle")
    ap.add_argument("--retries", type=int, default=None,
                    help="re-runs of a worker that other processes disturbed (default 2, quick 0)")
    ap.add_argument("--readme", action="store_true",
                    help="also put the table into README.md between its benchmark markers")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (a .md is written beside it)")
    args = ap.parse_args(argv)
    mode = "quick" if args.quick else "full"
    rounds = args.rounds or (1 if args.quick else 3)
    max_wait = args.wait_idle if args.wait_idle is not None else (20.0 if args.quick else 120.0)
    if args.retries is None:
        args.retries = 0 if args.quick else 2
    benches = [b for b in args.bench.split(",") if b]
    libs = [x for x in args.lib.split(",") if x]
    out = args.out or ROOT / "benchmarks" / "results" / ("quick.json" if args.quick else "latest.json")

    raw: dict[str, dict[str, list]] = {}
    for r in range(rounds):
        for bench in benches:
            order = [lib for lib in LIBS[bench] if lib in libs]
            if r % 2:
                order.reverse()
            for lib in order:
                t0 = time.perf_counter()
                res = run_measured(lib, bench, args.quick, args.threads, args.timeout, args.retries,
                                   max_wait, args.idle_threshold)
                status = res.get("status")
                note = f" ({res.get('reason')})" if status != "ok" else ""
                busy, others = res.get("cpu_busy_before"), res.get("others_busy")
                busy_txt = f", CPUs {100 * busy:.0f}% busy before" if busy is not None else ""
                if others is not None:
                    busy_txt += f", others used {100 * others:.0f}% during (attempt {res['attempt']})"
                print(f"[round {r + 1}/{rounds}] {bench:5s} {lib:8s} {status}{note} "
                      f"{time.perf_counter() - t0:.1f} s{busy_txt}", file=sys.stderr, flush=True)
                raw.setdefault(bench, {}).setdefault(lib, []).append(res)
    results = {b: {lib: report.merge(runs) for lib, runs in by_lib.items()} for b, by_lib in raw.items()}
    doc = {"machine": machine_info(args.threads, f"{mode}, {rounds} round(s)", results),
           "results": results}
    doc["rows"] = report.rows(results)
    md = report.markdown(doc)
    print(md)
    report.write_json(doc, out)
    out.with_suffix(".md").write_text(md + "\n")
    if args.readme:
        update_readme(ROOT / "README.md", md)
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
