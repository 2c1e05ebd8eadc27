"""``netgrad train/evaluate/predict`` on real-world CSV files: byte-order marks, ';' and tab
separators, decimal commas, .csv.gz, standard input, missing values, text columns, duplicate
headers, whole-number regression targets (scikit-learn's diabetes), target scaling, divergence."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import cli_env, run_cli
from netgrad.cli import _run

FAST = ["--epochs", "2", "--hidden", "8", "--quiet"]


def one_line_error(rc, err, code, *needles):
    assert rc == code, err
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("netgrad: warning")]
    assert len(lines) == 1 and lines[0].startswith("netgrad: error:"), err
    assert "Traceback" not in err and "RuntimeWarning" not in err
    for n in needles:
        assert n in lines[0], lines[0]


def netgrad_cmd(*argv, stdin=None):
    return subprocess.run([sys.executable, "-m", "netgrad", *map(str, argv)], input=stdin,
                          capture_output=True, env=cli_env(), timeout=120)


def blobs(n=120, seed=0):
    """Two features, three well separated classes."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 2)) * 0.3 + np.array([[0, 0], [3, 0], [0, 3]])[y]
    return X, y


def write(path: Path, header, rows, sep=",", bom=False) -> Path:
    text = sep.join(header) + "\n" + "".join(sep.join(map(str, r)) + "\n" for r in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


@pytest.fixture(scope="module")
def diabetes_csv(tmp_path_factory) -> Path:
    """scikit-learn's bundled diabetes set (no download): 10 features, a whole-number target."""
    from sklearn.datasets import load_diabetes

    d = load_diabetes(scaled=False)
    rows = [[*(f"{v:g}" for v in x), int(t)] for x, t in zip(d.data, d.target)]
    return write(tmp_path_factory.mktemp("csv") / "diabetes.csv", [*d.feature_names, "target"], rows)


def test_bom_semicolons_and_decimal_commas(capsys, tmp_path):
    X, y = blobs()
    rows = [[f"{a:.3f}".replace(".", ","), f"{b:.3f}".replace(".", ","), c] for (a, b), c in zip(X, y)]
    path = write(tmp_path / "eu.csv", ["width", "height", "kind"], rows, sep=";", bom=True)
    rc, _, err = run_cli(capsys, "train", "--data", path, "--epochs", "20", "--hidden", "8", "--lr", "0.1",
                         "--out", tmp_path / "r", "--quiet")
    assert rc == 0, err
    spec = json.loads((tmp_path / "r" / "model.json").read_text())
    assert spec["feature_names"] == ["width", "height"] and spec["target"] == "kind"  # no BOM in a name
    assert spec["classes"] == [0, 1, 2]
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["test"]["accuracy"] > 0.9
    rc, out, err = run_cli(capsys, "predict", tmp_path / "r", path)
    preds = [int(line.split(",")[0]) for line in out.splitlines()[1:]]
    assert rc == 0 and np.mean(np.array(preds) == y) > 0.9


def test_delimiter_sniffing():
    from netgrad.cli._csv import sniff_delimiter

    assert sniff_delimiter(["a;b", "1,5;2,0", "3,25;4"]) == ";"  # decimal commas
    assert sniff_delimiter(["a\tb", "1\t2"]) == "\t"
    assert sniff_delimiter(["a,b", "1,2"]) == ","
    assert sniff_delimiter(['"note; x",y', '"a;b",1', '"c;d",0']) == ","  # ';' only inside quotes


def test_trailing_separators_and_crlf(capsys, tmp_path):
    X, y = blobs(60)
    text = "a,b,y,\r\n" + "".join(f"{p:.4f},{q:.4f},{c},\r\n" for (p, q), c in zip(X, y))
    path = tmp_path / "excel.csv"
    path.write_text(text, newline="")
    rc, _, err = run_cli(capsys, "train", "--data", path, *FAST, "--out", tmp_path / "r")
    assert rc == 0, err
    spec = json.loads((tmp_path / "r" / "model.json").read_text())
    assert spec["feature_names"] == ["a", "b"] and spec["target"] == "y"


def test_tabs_and_gzip(capsys, tmp_path):
    X, y = blobs()
    rows = [[f"{a:.4f}", f"{b:.4f}", c] for (a, b), c in zip(X, y)]
    tsv = write(tmp_path / "t.tsv", ["a", "b", "y"], rows, sep="\t")
    gz = tmp_path / "blobs.csv.gz"
    gz.write_bytes(gzip.compress(write(tmp_path / "plain.csv", ["a", "b", "y"], rows).read_bytes()))
    for data in (tsv, gz):
        rc, out, err = run_cli(capsys, "train", "--data", data, *FAST, "--out", tmp_path / f"run-{data.name}")
        assert rc == 0, err
        assert json.loads((tmp_path / f"run-{data.name}" / "model.json").read_text())["n_features"] == 2
    assert json.loads((tmp_path / f"run-{gz.name}" / "metrics.json").read_text())["data"] == "blobs"
    rc, out, _ = run_cli(capsys, "evaluate", tmp_path / f"run-{gz.name}", "--json")
    assert rc == 0 and json.loads(out)["n"] == 24


def test_standard_input(tmp_path):
    X, y = blobs(60)
    text = "a,b,y\n" + "".join(f"{a:.4f},{b:.4f},{c}\n" for (a, b), c in zip(X, y))
    p = netgrad_cmd("train", "--data", "-", *FAST, "--out", tmp_path / "r", stdin=text.encode())
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode().startswith("netgrad: test ")  # -q keeps the final metrics
    p = netgrad_cmd("predict", tmp_path / "r", "-", stdin=text.encode())
    assert p.returncode == 0 and len(p.stdout.decode().splitlines()) == 61


def test_missing_values_named_or_imputed(capsys, tmp_path):
    X, y = blobs()
    rows = [[f"{a:.4f}", f"{b:.4f}", c] for (a, b), c in zip(X, y)]
    rows[6][1] = ""
    rows[9][0] = "NA"
    path = write(tmp_path / "holes.csv", ["a", "b", "y"], rows)
    rc, _, err = run_cli(capsys, "train", "--data", path, *FAST)
    one_line_error(rc, err, 1, "holes.csv, line 8, column 'b'", "missing value", "--impute")
    for how in ("mean", "median", "most_frequent"):
        rc, _, err = run_cli(capsys, "train", "--data", path, *FAST, "--impute", how, "--out", tmp_path / how)
        assert rc == 0, err
    enc = json.loads((tmp_path / "median" / "model.json").read_text())["encoder"]
    assert enc["impute"] == "median" and enc["columns"][1]["fill"] is not None
    rc, out, _ = run_cli(capsys, "predict", tmp_path / "median", path)  # imputed as in training
    assert rc == 0 and len(out.splitlines()) == len(rows) + 1
    rows[3][2] = ""
    rc, _, err = run_cli(capsys, "train", "--data", write(tmp_path / "t.csv", ["a", "b", "y"], rows), *FAST,
                         "--impute", "mean")
    one_line_error(rc, err, 1, "line 5, column 'y'", "target is missing")


def test_text_columns_one_hot_and_refused(capsys, tmp_path):
    X, y = blobs()
    colours = np.array(["red", "green", "blue"])
    rows = [[f"{a:.4f}", colours[c], c] for (a, _), c in zip(X, y)]
    path = write(tmp_path / "colours.csv", ["a", "colour", "y"], rows)
    rc, _, err = run_cli(capsys, "train", "--data", path, "--epochs", "30", "--hidden", "8", "--quiet",
                         "--out", tmp_path / "r")
    assert rc == 0, err
    spec = json.loads((tmp_path / "r" / "model.json").read_text())
    assert spec["n_features"] == 4
    assert spec["feature_names"] == ["a", "colour=blue", "colour=green", "colour=red"]
    new = write(tmp_path / "new.csv", ["colour", "a"], [["red", "0.1"], ["blue", "0.0"], ["green", "3.1"]])
    rc, out, _ = run_cli(capsys, "predict", tmp_path / "r", new, "--no-proba")
    assert rc == 0 and out.splitlines() == ["prediction", "0", "2", "1"]
    X, y = blobs(200)
    ids = [[f"{a:.4f}", f"id{i}", c] for i, ((a, _), c) in enumerate(zip(X, y))]
    path = write(tmp_path / "ids.csv", ["a", "name", "y"], ids)
    rc, _, err = run_cli(capsys, "train", "--data", path, *FAST)
    one_line_error(rc, err, 1, "column 'name'", "160 distinct values")


def test_duplicate_headers_refused(capsys, tmp_path):
    path = write(tmp_path / "dup.csv", ["a", "b", "a", "label"], [[1, 2, 3, 0], [4, 5, 6, 1]])
    rc, _, err = run_cli(capsys, "train", "--data", path, *FAST)
    one_line_error(rc, err, 1, "dup.csv", "duplicate column name", "'a'")


def test_huge_value_names_file_row_and_column(tmp_path):
    X, y = blobs(30)
    rows = [[f"{a:.4f}", f"{b:.4f}", c] for (a, b), c in zip(X, y)]
    rows[4][1] = "1e308"
    path = write(tmp_path / "big.csv", ["a", "b", "y"], rows)
    p = netgrad_cmd("train", "--data", path, *FAST)
    err = p.stderr.decode()
    one_line_error(p.returncode, err, 1, "big.csv, line 6, column 'b'", "'1e308' is too large")
    assert "overflow" not in err


def test_diabetes_is_regression_in_original_units(capsys, tmp_path, diabetes_csv):
    rc, out, err = run_cli(capsys, "train", "--data", diabetes_csv, "--epochs", "30", "--hidden", "32",
                           "--lr", "0.01", "--out", tmp_path / "d", "--quiet")
    assert rc == 0, err
    assert "warning: target 'target' holds whole numbers with 214 distinct values" in err
    assert "--task classification" in err
    spec = json.loads((tmp_path / "d" / "model.json").read_text())
    assert spec["task"] == "regression" and spec["n_outputs"] == 1
    y = np.loadtxt(diabetes_csv, delimiter=",", skiprows=1)[:, -1]
    ts = spec["target_scaler"]
    assert ts["mean"][0] == pytest.approx(y.mean(), rel=0.1)
    assert ts["std"][0] == pytest.approx(y.std(), rel=0.1)
    test = json.loads((tmp_path / "d" / "metrics.json").read_text())["test"]
    # metrics in the target's units: the mean squared error is of the order of var(y), the loss is not
    assert 0.2 < test["r2"] < 1 and test["mse"] > 500 and test["loss"] < 2
    assert test["mse"] == pytest.approx((1 - test["r2"]) * np.var(y), rel=0.35)
    rc, out, _ = run_cli(capsys, "predict", tmp_path / "d", diabetes_csv)
    preds = np.array([float(v) for v in out.splitlines()[1:]])
    assert rc == 0 and len(preds) == 442 and abs(preds.mean() - y.mean()) < 25
    assert np.corrcoef(preds, y)[0, 1] > 0.5
    rc, out, _ = run_cli(capsys, "evaluate", tmp_path / "d", "--json")
    assert json.loads(out)["mse"] == pytest.approx(test["mse"])
    # --task overrides the guess (and there is nothing to warn about)
    rc, _, err = run_cli(capsys, "train", "--data", diabetes_csv, "--task", "regression", *FAST,
                         "--out", tmp_path / "d2")
    assert rc == 0 and "warning" not in err


def test_unscaled_target_divergence_is_reported(capsys, tmp_path, diabetes_csv):
    rc, out, err = run_cli(capsys, "train", "--data", diabetes_csv, "--task", "regression",
                           "--scale-target", "none", "--epochs", "20", "--out", tmp_path / "bad", "--quiet")
    one_line_error(rc, err, 1, "training diverged", "try a smaller --lr")
    assert json.loads((tmp_path / "bad" / "metrics.json").read_text())["diverged"] is True
    assert json.loads((tmp_path / "bad" / "history.json").read_text())["epochs"] < 20  # stopped early


@pytest.mark.parametrize("k,task,warns", [(3, "classification", False), (20, "classification", True),
                                          (60, "regression", True)])
def test_whole_number_target_guess(k, task, warns):
    from netgrad.cli._data import infer_task

    y = np.arange(300) % k
    got, warning = infer_task(y, "auto", "score")
    assert got == task and (warning is not None) == warns
    if warns:
        assert f"{k} distinct values" in warning and "--task" in warning
    assert infer_task(y + 0.5, "auto") == ("regression", None)
    assert infer_task(np.array(["a", "b"]), "auto") == ("classification", None)
    assert infer_task(y, "regression") == ("regression", None)


def test_divergence_rules_and_log_plot(tmp_path, monkeypatch):
    from netgrad.cli.train import DivergenceWatch, _growth
    from netgrad.train import History

    def hist(losses):
        h = History()
        for v in losses:
            h.append({"loss": v})
        return h

    assert _growth(hist([1.0, 0.5, 0.2])) is None
    assert _growth(hist([1.0, 0.01, 0.5])) is None  # noisy, but below where it started
    assert "grew from 0.5 (epoch 2) to 80" in _growth(hist([1.0, 0.5, 80.0]))
    w = DivergenceWatch()
    for b, v in enumerate([0.7, 0.3, 1e-4, 10.9, 1e-3, 25.0]):  # batches of one: noisy
        w.on_batch_end(b, {"loss": v})
    assert w.message is None and not w.stop_training
    w.on_batch_end(6, {"loss": 1e6})
    assert w.stop_training and "grew from 0.7 (first batch) to 1e+06" in w.message

    seen = {}

    def fake_plot(history, path=None, title=None, logy=False):
        seen["logy"] = logy
        import matplotlib.pyplot as plt

        return plt.figure()

    import netgrad.viz

    monkeypatch.setattr(netgrad.viz, "plot_history", fake_plot)
    _run.save_loss_plot(hist([1e6, 1e3, 10.0]), tmp_path / "a.png")
    assert seen["logy"] is True
    _run.save_loss_plot(hist([2.0, 1.0, 0.5]), tmp_path / "b.png")
    assert seen["logy"] is False


def test_load_csv_reads_the_same_files(tmp_path):
    """netgrad.data.load_csv (the library's loader) handles the files the command line does."""
    import netgrad.data as D

    eu = write(tmp_path / "eu.csv", ["a", "b", "y"], [[1.5, 2, 0], [3, 4.25, 1]], sep=";", bom=True)
    X, y = D.load_csv(eu, target="y", return_X_y=True)
    assert X.tolist() == [[1.5, 2.0], [3.0, 4.25]] and y.tolist() == [0, 1]
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(b"\xef\xbb\xbfa\tb\ty\n1\t2\t0\n3\t4\t1\n"))
    X, y = D.load_csv(gz, target="y", return_X_y=True)
    assert X.shape == (2, 2) and y.tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        D.load_csv(write(tmp_path / "d.csv", ["a", "a", "y"], [[1, 2, 0]]))
    with pytest.raises(ValueError, match=r"big.csv, line 3, column 'b': '1e308' is too large for float32"):
        D.load_csv(write(tmp_path / "big.csv", ["a", "b", "y"], [[1, 2, 0], [3, "1e308", 1]]))
