"""The benchmark harness's statistics, table and JSON on fake numbers (nothing is timed here)."""

import json

from benchmarks import report


def _res(**metrics):
    return {"status": "ok", "metrics": {k: {"samples": v, "unit": u} for k, (v, u) in metrics.items()}}


def _fake():
    return {
        "mlp": {
            "netgrad": report.merge([_res(epoch_s=([1.0, 1.2], "s"), test_acc=([0.95], "")),
                                     _res(epoch_s=([1.1], "s"), test_acc=([0.96], ""))]),
            "torch": report.merge([_res(epoch_s=([1.5, 1.6, 1.4], "s"), test_acc=([0.95], ""))]),
            "sklearn": report.merge([_res(epoch_s=([2.0], "s"), test_acc=([0.94], ""))]),
        },
        "cnn": {
            "netgrad": report.merge([{"status": "n/a", "reason": "not available: netgrad.nn has no Conv2d"}]),
            "torch": report.merge([_res(step_ms=([10.0, 12.0, 11.0], "ms"))]),
        },
        "infer": {"netgrad": report.merge([_res(batch1_us=([30.0], "us"))]),
                  "torch": report.merge([_res(batch1_us=([20.0], "us"))])},
    }


def test_stats_median_and_spread():
    s = report.stats([3.0, 1.0, 2.0, 10.0])
    assert s["n"] == 4 and s["median"] == 2.5 and s["min"] == 1.0 and s["max"] == 10.0
    assert s["q1"] <= s["median"] <= s["q3"]
    assert report.stats([]) == {"n": 0}


def test_merge_pools_rounds():
    merged = _fake()["mlp"]["netgrad"]
    assert merged["rounds"] == 2
    assert merged["metrics"]["epoch_s"]["samples"] == [1.0, 1.2, 1.1]
    assert merged["metrics"]["epoch_s"]["stats"]["median"] == 1.1


def test_rows_ratios_targets_and_na():
    rows = {(r["bench"], r["metric"]): r for r in report.rows(_fake())}
    mlp = rows[("mlp", "epoch_s")]
    assert abs(mlp["ratio_torch"] - 1.1 / 1.5) < 1e-12 and abs(mlp["ratio_sklearn"] - 0.55) < 1e-12
    assert mlp["met"] is True  # 0.73x <= 0.85x and faster than scikit-learn
    assert abs(mlp["ratio_torch_min"] - 1.0 / 1.4) < 1e-12
    assert rows[("mlp", "test_acc")]["ratio_torch"] is None  # accuracy is not a time
    assert rows[("mlp", "test_acc")]["netgrad"] == "95.50%"
    cnn = rows[("cnn", "step_ms")]
    assert cnn["netgrad"] == "n/a (not available)" and cnn["ratio_torch"] is None and cnn["met"] is None
    assert cnn["torch"] == "11.0 [10.0, 12.0]"
    assert rows[("infer", "batch1_us")]["met"] is False  # 1.5x > 0.7x


def test_table_and_json(tmp_path):
    rows = report.rows(_fake())
    doc = {"machine": {"cpu": "Fake CPU", "cores": 2, "threads": 2, "versions": {"python": "3"}},
           "results": _fake(), "rows": rows}
    md = report.markdown(doc)
    lines = md.splitlines()
    assert lines[0].startswith("| Benchmark | netgrad | PyTorch | scikit-learn")
    assert all(line.count("|") == 9 for line in lines[: len(rows) + 2])
    assert "0.73x (0.71x)" in md and "**no**" in md and "n/a (not available)" in md and "Fake CPU" in md
    path = tmp_path / "r" / "latest.json"
    report.write_json(doc, path)
    back = json.loads(path.read_text())
    assert back["rows"][0]["metric"] == "epoch_s" and back["machine"]["cores"] == 2


def test_readme_markers(tmp_path):
    from benchmarks.run import END, START, update_readme

    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{START}\nold table\n{END}\nafter\n")
    assert update_readme(readme, "| new |")
    text = readme.read_text()
    assert "old table" not in text and "| new |" in text and text.endswith(f"{END}\nafter\n")
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n")
    assert not update_readme(plain, "| new |") and plain.read_text() == "no markers\n"
