"""One benchmark for one library in this process: ``python -m benchmarks.worker --lib netgrad
--bench mlp [--quick]``. Prints one JSON object on the last line of stdout (the orchestrator,
``benchmarks.run``, sets the thread environment variables before this process starts).

Status is "ok", "n/a" (a netgrad piece the benchmark needs is not importable yet) or "error".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback

BENCHES = ("mlp", "cnn", "infer", "ops")
LIBS = {"mlp": ("netgrad", "torch", "sklearn"), "cnn": ("netgrad", "torch"),
        "infer": ("netgrad", "torch"), "ops": ("netgrad", "torch")}

# Settings per mode: quick for iterating, full for the recorded table.
SETTINGS = {
    "quick": {"mlp": {"epochs": 2}, "cnn": {"steps": 10, "warmup": 3},
              "infer": {"repeat": 7}, "ops": {"repeat": 7}},
    "full": {"mlp": {"epochs": 5}, "cnn": {"steps": 40, "warmup": 5},
             "infer": {"repeat": 25}, "ops": {"repeat": 15}},
}


def versions(lib: str) -> dict:
    out = {"python": platform.python_version()}
    import numpy as np

    out["numpy"] = np.__version__
    if lib == "torch":
        import torch

        out["torch"] = torch.__version__
        out["torch_threads"] = torch.get_num_threads()
    elif lib == "sklearn":
        import sklearn

        out["sklearn"] = sklearn.__version__
    elif lib == "netgrad":
        import netgrad

        out["netgrad"] = getattr(netgrad, "__version__", "?")
    try:
        from threadpoolctl import threadpool_info

        out["threadpools"] = [{k: p.get(k) for k in ("internal_api", "num_threads", "version")}
                              for p in threadpool_info()]
    except ImportError:
        pass
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lib", required=True, choices=("netgrad", "torch", "sklearn"))
    ap.add_argument("--bench", required=True, choices=BENCHES)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    settings = SETTINGS["quick" if args.quick else "full"][args.bench]
    res: dict = {"lib": args.lib, "bench": args.bench, "settings": settings,
                 "threads_env": {k: os.environ.get(k) for k in
                                 ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}
    from . import bench_cnn, bench_infer, bench_mlp, bench_ops
    from .common import NotAvailable

    mod = {"mlp": bench_mlp, "cnn": bench_cnn, "infer": bench_infer, "ops": bench_ops}[args.bench]
    t0 = time.perf_counter()
    try:
        res.update(mod.run(args.lib, **settings))
        res["status"] = "ok"
    except NotAvailable as e:
        res["status"], res["reason"] = "n/a", f"not available: {e}"
    except Exception as e:  # report, do not crash the suite
        traceback.print_exc(file=sys.stderr)
        res["status"], res["reason"] = "error", f"{type(e).__name__}: {e}"[:300]
    res["wall_s"] = time.perf_counter() - t0
    try:
        res["versions"] = versions(args.lib)
    except Exception as e:  # pragma: no cover
        res["versions"] = {"error": str(e)}
    sys.stdout.write("\n" + json.dumps(res) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
