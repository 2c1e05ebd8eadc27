"""Statistics over samples, the Markdown table and the JSON record (no timing here: the smoke
test feeds it fake numbers).

``results`` maps bench -> lib -> one worker's JSON (``status``, ``metrics`` name -> {samples,
unit}, ``reason``); pooled over rounds by ``merge``.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

LIB_COLUMNS = (("netgrad", "netgrad"), ("torch", "PyTorch"), ("sklearn", "scikit-learn"))

# (bench, metric, label); ratios are time ratios netgrad / PyTorch.
ROWS = (
    ("mlp", "epoch_s", "MLP train: s / epoch (20k images)"),
    ("mlp", "samples_per_s", "MLP train: samples / s"),
    ("mlp", "test_acc", "MLP test accuracy (10k)"),
    ("cnn", "step_ms", "CNN train: ms / step (batch 64)"),
    ("cnn", "epoch_s", "CNN train: s / epoch (extrapolated: median step x 313)"),
    ("infer", "batch1_us", "MLP inference, batch 1: us / call"),
    ("infer", "batch1000_us", "MLP inference, batch 1000: us / call"),
    ("ops", "add16_fwd_us", "add, 16 elements, forward: us"),
    ("ops", "mul16_fwd_us", "mul, 16 elements, forward: us"),
    ("ops", "add16_fwd_record_us", "add, 16 elements, forward recording the graph: us"),
    ("ops", "add16_fwd_bwd_us", "add, 16 elements, forward+backward: us"),
    ("ops", "mul16_fwd_bwd_us", "mul, 16 elements, forward+backward: us"),
    ("ops", "matmul32_fwd_us", "matmul 32x32, forward: us"),
    ("ops", "matmul32_fwd_bwd_us", "matmul 32x32, forward+backward: us"),
)
TIME_UNITS = {"s", "ms", "us"}
# Targets (issue 20): netgrad time / PyTorch time at most this (same run). Where scikit-learn was
# measured, the MLP must also beat it.
TARGETS = {("mlp", "epoch_s"): 0.85, ("cnn", "step_ms"): 1.3,
           ("infer", "batch1_us"): 0.7, ("infer", "batch1000_us"): 1.1}
MUST_BEAT_SKLEARN = {("mlp", "epoch_s")}


def stats(samples: list[float]) -> dict:
    """Median, min, max and the quartiles (inclusive method) of the samples."""
    xs = sorted(float(x) for x in samples)
    if not xs:
        return {"n": 0}
    q1, q3 = (statistics.quantiles(xs, n=4, method="inclusive")[::2] if len(xs) > 1 else (xs[0], xs[0]))
    return {"n": len(xs), "median": statistics.median(xs), "min": xs[0], "max": xs[-1], "q1": q1, "q3": q3}


def merge(runs: list[dict]) -> dict:
    """Pool the samples of several rounds of one (bench, lib) into one result."""
    ok = [r for r in runs if r.get("status") == "ok"]
    if not ok:
        return dict(runs[-1]) if runs else {"status": "missing"}
    out = dict(ok[-1])
    metrics: dict[str, dict] = {}
    for r in ok:
        for name, m in r.get("metrics", {}).items():
            dst = metrics.setdefault(name, {k: v for k, v in m.items() if k != "samples"} | {"samples": []})
            dst["samples"].extend(m["samples"])
    for m in metrics.values():
        m["stats"] = stats(m["samples"])
    out["metrics"], out["rounds"] = metrics, len(ok)
    out["cpu_busy_before"] = [r.get("cpu_busy_before") for r in runs]
    out["others_busy"] = [r.get("others_busy") for r in runs]
    return out


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def cell(res: dict | None, metric: str) -> str:
    if res is None:
        return ""
    st = res.get("status")
    if st == "n/a":
        return "n/a (not available)"
    if st != "ok":
        return "error" if st == "error" else "n/a"
    m = res["metrics"].get(metric)
    if m is None or not m["stats"].get("n"):
        return "n/a"
    s = m["stats"]
    if metric == "test_acc":
        return f"{100 * s['median']:.2f}%"
    if s["n"] == 1 or s["min"] == s["max"]:
        return _fmt(s["median"])
    return f"{_fmt(s['median'])} [{_fmt(s['min'])}, {_fmt(s['max'])}]"


def stat_of(res: dict | None, metric: str, key: str) -> float | None:
    if not res or res.get("status") != "ok" or metric not in res["metrics"]:
        return None
    return res["metrics"][metric]["stats"].get(key)


def median_of(res: dict | None, metric: str) -> float | None:
    return stat_of(res, metric, "median")


def rows(results: dict) -> list[dict]:
    """One dict per table row: the cells plus the ratios and target verdicts (for the JSON)."""
    out = []
    for bench, metric, label in ROWS:
        by_lib = results.get(bench)
        if by_lib is None:
            continue
        row: dict[str, Any] = {"bench": bench, "metric": metric, "label": label}
        for lib, _ in LIB_COLUMNS:
            row[lib] = cell(by_lib.get(lib), metric) if lib in by_lib else ""
        ng, th, sk = (median_of(by_lib.get(lib), metric) for lib in ("netgrad", "torch", "sklearn"))
        unit = _unit(by_lib, metric)
        row["ratio_torch"] = ng / th if (ng and th and unit in TIME_UNITS) else None
        row["ratio_sklearn"] = ng / sk if (ng and sk and unit in TIME_UNITS) else None
        # Ratio of the best samples: noise on a shared machine only ever adds time, so this one
        # shrugs off slow phases that hit one library's process and not the other's.
        ngm, thm, skm = (stat_of(by_lib.get(lib), metric, "min") for lib in ("netgrad", "torch", "sklearn"))
        row["ratio_torch_min"] = ngm / thm if (ngm and thm and unit in TIME_UNITS) else None
        row["ratio_sklearn_min"] = ngm / skm if (ngm and skm and unit in TIME_UNITS) else None
        target = TARGETS.get((bench, metric))
        row["target"] = target
        if target is not None and row["ratio_torch"] is not None:
            met = row["ratio_torch"] <= target
            if (bench, metric) in MUST_BEAT_SKLEARN and "sklearn" in by_lib:
                met = met and row["ratio_sklearn"] is not None and row["ratio_sklearn"] < 1.0
            row["met"] = met
        else:
            row["met"] = None
        out.append(row)
    return out


def _unit(by_lib: dict, metric: str) -> str | None:
    for r in by_lib.values():
        m = r.get("metrics", {}).get(metric) if r.get("status") == "ok" else None
        if m:
            return m.get("unit")
    return None


def table(table_rows: list[dict]) -> str:
    head = ("| Benchmark | netgrad | PyTorch | scikit-learn | netgrad / PyTorch | netgrad / sklearn "
            "| Target | Met |")
    lines = [head, "|" + "---|" * 8]
    for r in table_rows:
        rt, rs = _ratio(r["ratio_torch"], r.get("ratio_torch_min")), _ratio(r["ratio_sklearn"],
                                                                             r.get("ratio_sklearn_min"))
        tgt = "—"
        if r["target"] is not None:
            tgt = f"<= {r['target']:.2f}x"
            if (r["bench"], r["metric"]) in MUST_BEAT_SKLEARN and r.get("sklearn"):
                tgt += " and < sklearn"
        met = {True: "yes", False: "**no**", None: "—" if r["target"] is None else "n/a"}[r["met"]]
        lines.append(f"| {r['label']} | {r['netgrad'] or '—'} | {r['torch'] or '—'} | {r['sklearn'] or '—'} "
                     f"| {rt} | {rs} | {tgt} | {met} |")
    return "\n".join(lines)


def _ratio(med: float | None, best: float | None) -> str:
    if med is None:
        return "—"
    return f"{med:.2f}x" + (f" ({best:.2f}x)" if best is not None else "")


def machine_line(machine: dict) -> str:
    v = machine.get("versions", {})
    return (f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores "
            f"(threads per library: {machine.get('threads', '?')}); Python {v.get('python', '?')}, "
            f"NumPy {v.get('numpy', '?')} ({machine.get('numpy_blas', '?')}), torch {v.get('torch', '?')}, "
            f"scikit-learn {v.get('sklearn', '?')}; netgrad at {machine.get('git', '?')}; "
            f"mode {machine.get('mode', '?')}, load average {machine.get('loadavg', '?')}.")


def markdown(doc: dict) -> str:
    """The table, the cell legend and the machine it ran on."""
    return "\n".join([
        table(doc["rows"]), "",
        "Cells: median [min, max] over the samples (epochs, steps or blocks of calls; see "
        "benchmarks/README.md). Ratios: netgrad's time over the other's, of the medians (in "
        "parentheses: of the minima, the best case of each side); *Met* compares the median ratio.",
        "", machine_line(doc["machine"]) + contention_line(doc.get("results", {})),
    ])


def contention_line(results: dict) -> str:
    """How much of the CPUs other processes used while the kept workers ran (shared machine)."""
    shares = [x for by_lib in results.values() for r in by_lib.values()
              for x in r.get("others_busy", []) or [] if x is not None]
    if not shares:
        return ""
    return (f" Other processes used {100 * statistics.median(shares):.0f}% (median; max "
            f"{100 * max(shares):.0f}%) of the CPUs while the workers ran.")


def write_json(doc: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")
