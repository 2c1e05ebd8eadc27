"""The ``netgrad`` command end to end, as a new user would run it: train, evaluate, predict,
config files, and the one-line errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import run_cli
from netgrad.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--epochs", "3", "--hidden", "32", "--quiet"]


def assert_one_line_error(rc, err, code, *needles):
    assert rc == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "error" in lines[0]
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "digits"
    argv = ["train", "--data", "digits", "--epochs", "8", "--seed", "0", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    return out


def _write_csv(path: Path, header, rows) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def class_csv(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    rows = [[f"{a:.5f}", f"{b:.5f}", str(t), f"{c:.5f}"] for (a, b, c), t in zip(X, y)]
    return _write_csv(tmp_path_factory.mktemp("csv") / "points.csv", ["a", "b", "label", "c"], rows)


# ------------------------------------------------------------------------- train and friends
def test_train_digits_writes_run_folder(digits_run):
    files = {p.name for p in digits_run.iterdir()}
    assert {"model.ngz", "model.json", "history.json", "config.toml", "metrics.json", "loss.png"} <= files
    metrics = json.loads((digits_run / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] >= 0.95 and metrics["test"]["n"] == 360
    assert metrics["epochs_run"] == 8 and metrics["stop_reason"] == "max_epochs"
    hist = json.loads((digits_run / "history.json").read_text())
    assert len(hist["history"]["loss"]) == 8 and "accuracy" in hist["history"]
    assert hist["history"]["loss"][-1] < hist["history"]["loss"][0]
    spec = json.loads((digits_run / "model.json").read_text())
    assert spec["hidden"] == [128, 64] and spec["n_features"] == 64 and spec["classes"] == list(range(10))
    assert (digits_run / "loss.png").read_bytes()[:4] == b"\x89PNG"


def test_train_prints_summary(capsys, tmp_path):
    rc, out, err = run_cli(capsys, "train", "--data", "moons", "--epochs", "5", "--hidden", "16",
                           "--optimizer", "adam", "--lr", "0.01", "--out", tmp_path / "m")
    assert rc == 0
    assert "moons: 320 training" in out and "test loss" in out and "accuracy" in out
    assert f"wrote {tmp_path / 'm'}" in out
    assert "Epoch 5/5" in err  # the progress bar


def test_evaluate_reproduces_test_metrics(capsys, digits_run):
    saved = json.loads((digits_run / "metrics.json").read_text())["test"]
    rc, out, _ = run_cli(capsys, "evaluate", digits_run, "--json")
    assert rc == 0
    got = json.loads(out)
    assert got["split"] == "test" and got["n"] == saved["n"]
    assert got["accuracy"] == pytest.approx(saved["accuracy"])
    assert got["loss"] == pytest.approx(saved["loss"], rel=1e-5)
    rc, out, _ = run_cli(capsys, "evaluate", digits_run, "--split", "train")
    assert rc == 0 and "digits (train, 1437 samples)" in out


def test_predict_round_trip(capsys, digits_run, tmp_path):
    from netgrad.data import load_digits

    X, y = load_digits(return_X_y=True)
    path = tmp_path / "rows.csv"
    np.savetxt(path, X[:20], delimiter=",", fmt="%.6g")
    rc, out, _ = run_cli(capsys, "predict", digits_run, path)
    assert rc == 0
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["prediction"] + [f"proba_{k}" for k in range(10)]
    pred = np.array([int(r[0]) for r in rows[1:]])
    assert len(pred) == 20 and np.mean(pred == y[:20]) >= 0.9
    np.testing.assert_allclose([sum(map(float, r[1:])) for r in rows[1:]], 1.0, atol=1e-4)
    rc, _, err = run_cli(capsys, "predict", digits_run, path, "--output", tmp_path / "p.csv", "--no-proba")
    assert rc == 0 and "wrote 20 predictions" in err
    assert (tmp_path / "p.csv").read_text().splitlines()[1:] == [str(p) for p in pred]


def test_csv_train_predict_by_column_name(capsys, class_csv, tmp_path):
    run = tmp_path / "pts"
    rc, out, _ = run_cli(capsys, "train", "--data", class_csv, "--target", "label", "--epochs", "30",
                         "--hidden", "16", "--out", run, "--quiet")
    assert rc == 0
    spec = json.loads((run / "model.json").read_text())
    assert spec["feature_names"] == ["a", "b", "c"] and spec["target"] == "label"
    assert spec["classes"] == [0, 1, 2] and spec["task"] == "classification"
    assert json.loads((run / "metrics.json").read_text())["test"]["accuracy"] > 0.8
    # columns in another order, plus the target: picked by name
    shuffled = _write_csv(tmp_path / "new.csv", ["c", "label", "b", "a"],
                          [["0", "1", "1", "1"], ["2", "0", "-1", "-1"]])
    rc, out, _ = run_cli(capsys, "predict", run, shuffled, "--no-proba")
    assert rc == 0 and out.splitlines() == ["prediction", "1", "1"]
    rc, out, _ = run_cli(capsys, "evaluate", run, "--data", shuffled)
    assert rc == 0 and "new (all, 2 samples)" in out


def test_csv_regression(capsys, tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 2, size=(300, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    rows = [[*map(str, x), f"{t:.6f}"] for x, t in zip(X, y)]
    path = _write_csv(tmp_path / "curve.csv", ["x1", "x2", "y"], rows)
    monkeypatch.chdir(tmp_path)
    rc, out, _ = run_cli(capsys, "train", "--data", "curve.csv", "--epochs", "40", "--hidden", "32",
                         "--optimizer", "adam", "--lr", "0.01", "--out", "r")
    assert rc == 0 and "(regression)" in out and "loss mse" in out
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the run remembers where its data is
    rc, out, _ = run_cli(capsys, "evaluate", tmp_path / "r", "--json")
    got = json.loads(out)
    assert got["r2"] > 0.8 and {"mse", "mae", "loss"} <= set(got)
    rc, out, _ = run_cli(capsys, "predict", tmp_path / "r", path)
    vals = [float(r) for r in out.splitlines()[1:]]
    assert out.splitlines()[0] == "prediction" and len(vals) == 300


@pytest.mark.parametrize("data", ["xor", "spirals"])
def test_toy_data_sets(capsys, tmp_path, data):
    rc, out, _ = run_cli(capsys, "train", "--data", data, *FAST, "--out", tmp_path / data)
    assert rc == 0 and (tmp_path / data / "model.json").is_file()


def test_stopping_rules_and_validation(capsys, tmp_path):
    out = tmp_path / "gt"
    rc, *_ = run_cli(capsys, "train", "--data", "moons", "--hidden", "8", "--batch-size", "full",
                     "--lr", "0.5", "--epochs", "500", "--grad-tol", "0.05", "--out", out, "--quiet")
    m = json.loads((out / "metrics.json").read_text())
    assert rc == 0 and m["stop_reason"] == "grad_tol" and m["epochs_run"] < 500
    out = tmp_path / "pat"
    rc, *_ = run_cli(capsys, "train", "--data", "digits", "--hidden", "16", "--epochs", "200",
                     "--patience", "2", "--val-fraction", "0.2", "--lr", "0.5", "--out", out, "--quiet")
    m = json.loads((out / "metrics.json").read_text())
    hist = json.loads((out / "history.json").read_text())["history"]
    assert rc == 0 and m["stop_reason"] == "patience" and "val_loss" in hist and "val_accuracy" in hist


def test_losses_activations_and_sgd_modes(capsys, tmp_path):
    cases = [["--loss", "mse", "--activation", "tanh"], ["--loss", "nll", "--batch-size", "1"],
             ["--loss", "kl_div", "--dropout", "0.1"] if _has_dropout() else ["--loss", "kl_div"],
             ["--loss", "symmetric_cross_entropy", "--scale", "minmax"]]
    for i, extra in enumerate(cases):
        rc, _, err = run_cli(capsys, "train", "--data", "xor", "--epochs", "2", "--hidden", "8", "--quiet",
                             "--out", tmp_path / str(i), *extra)
        assert rc == 0, (extra, err)
        assert json.loads((tmp_path / str(i) / "model.json").read_text())["loss"] == extra[1]


def _has_dropout() -> bool:
    import netgrad.nn as nn

    return hasattr(nn, "Dropout")


# ------------------------------------------------------------------------------- config
def test_config_file_and_flag_override(capsys, tmp_path):
    cfg = tmp_path / "exp.toml"
    cfg.write_text('# an experiment\ndata = "moons"\nhidden = [8, 4]\nbatch_size = 16\nquiet = true\n'
                   '[train]\nepochs = 3\nlr = 0.05\n')
    out = tmp_path / "run"
    rc, stdout, _ = run_cli(capsys, "train", "--config", cfg, "--epochs", "2", "--out", out)
    # quiet from the config: only the final metrics
    assert rc == 0 and stdout.startswith("netgrad: test ") and len(stdout.splitlines()) == 1
    used = (out / "config.toml").read_text()
    assert 'data = "moons"' in used and "hidden = [8, 4]" in used and "epochs = 2" in used
    assert "lr = 0.05" in used and "batch-size = 16" in used
    assert json.loads((out / "model.json").read_text())["hidden"] == [8, 4]
    # the written config trains the same run again
    rc, *_ = run_cli(capsys, "train", "--config", out / "config.toml", "--out", tmp_path / "again", "--quiet")
    assert rc == 0
    a = json.loads((out / "metrics.json").read_text())["test"]
    b = json.loads((tmp_path / "again" / "metrics.json").read_text())["test"]
    assert a == b


def test_config_strings_accepted_like_flags(capsys, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('data = "xor"\nhidden = "8,8"\nbatch-size = "full"\nepochs = "2"\n')
    rc, *_ = run_cli(capsys, "train", "--config", cfg, "--out", tmp_path / "r", "--quiet")
    assert rc == 0 and json.loads((tmp_path / "r" / "model.json").read_text())["hidden"] == [8, 8]


# ------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("argv,code,needle", [
    (["train", "--bogus"], 2, "unrecognized arguments: --bogus"),
    (["train", "--lr", "-1"], 2, "--lr"),
    (["train", "--lr", "fast"], 2, "--lr"),
    (["train", "--hidden", "64,x"], 2, "--hidden"),
    (["train", "--batch-size", "0"], 2, "--batch-size"),
    (["train", "--optimizer", "lbfgs"], 2, "--optimizer"),
    (["train", "--data", "cifar"], 2, "unknown data 'cifar'"),
    (["train", "--loss", "hinge", *FAST], 2, "unknown loss 'hinge'"),
    (["train", "--activation", "swish2", *FAST], 2, "unknown activation 'swish2'"),
    (["train", "--data", "missing.csv"], 1, "data file not found: missing.csv"),
    (["train", "--config", "nope.toml"], 1, "config file not found"),
    (["train", "--data", "mnist", "--mnist-root", "/nonexistent/mnist"], 1, "MNIST folder not found"),
    (["train", "--data", "moons", "--lr", "1e4", "--epochs", "3", "--quiet"], 1, "training diverged"),
    (["evaluate", "/nonexistent/run"], 1, "model folder not found"),
    (["predict", "/nonexistent/run", "x.csv"], 1, "model folder not found"),
    (["predict"], 2, "required"),
    (["frobnicate"], 2, "invalid choice"),
    ([], 2, "a command is required"),
])
def test_errors_are_one_line(capsys, argv, code, needle):
    rc, _, err = run_cli(capsys, *argv)
    assert_one_line_error(rc, err, code, needle)


def test_config_errors(capsys, tmp_path):
    bad_key = tmp_path / "k.toml"
    bad_key.write_text("learning_rate = 0.1\n")
    bad_value = tmp_path / "v.toml"
    bad_value.write_text('lr = "fast"\n')
    bad_bool = tmp_path / "b.toml"
    bad_bool.write_text('quiet = "yes"\n')
    broken = tmp_path / "x.toml"
    broken.write_text("lr = = 1\n")
    for path, needle in [(bad_key, "unknown option 'learning_rate'"), (bad_value, "'lr'"),
                         (bad_bool, "true or false"), (broken, "cannot read config")]:
        rc, _, err = run_cli(capsys, "train", "--config", path)
        assert_one_line_error(rc, err, 2, needle)


def test_data_and_shape_errors(capsys, tmp_path, digits_run, class_csv):
    wrong = tmp_path / "wrong.csv"
    np.savetxt(wrong, np.zeros((3, 5)), delimiter=",")
    rc, _, err = run_cli(capsys, "predict", digits_run, wrong)
    assert_one_line_error(rc, err, 1, "5 columns", "expects 64")
    text = tmp_path / "text.csv"
    text.write_text("1,2\n3,oops\n")
    rc, _, err = run_cli(capsys, "predict", digits_run, text)
    assert_one_line_error(rc, err, 1)
    rc, _, err = run_cli(capsys, "predict", digits_run, tmp_path / "absent.csv")
    assert_one_line_error(rc, err, 1, "input file not found")
    rc, _, err = run_cli(capsys, "train", "--data", class_csv, "--target", "nope", *FAST)
    assert_one_line_error(rc, err, 1, "no target column 'nope'", "columns: a, b, label, c")
    ragged = _write_csv(tmp_path / "ragged.csv", ["a", "b"], [["1", "2"], ["3"]])
    rc, _, err = run_cli(capsys, "train", "--data", ragged, *FAST)
    assert_one_line_error(rc, err, 1, "ragged.csv")
    rc, _, err = run_cli(capsys, "evaluate", digits_run, "--data", class_csv)
    assert_one_line_error(rc, err, 1, "expects 64")
    rc, _, err = run_cli(capsys, "evaluate", digits_run, "--data", "moons", "--split", "test")
    assert_one_line_error(rc, err, 1, "--split test")
    not_run = tmp_path / "empty_dir"
    not_run.mkdir()
    rc, _, err = run_cli(capsys, "evaluate", not_run)
    assert_one_line_error(rc, err, 1, "not a netgrad run folder")
    rc, _, err = run_cli(capsys, "train", "--data", class_csv, "--task", "regression", "--loss", "nll",
                         *FAST)
    assert_one_line_error(rc, err, 2, "loss 'nll' is for classification")


def test_help_lists_commands_and_registration_table(capsys):
    rc, out, _ = run_cli(capsys, "--help")
    assert rc == 0
    for name in COMMANDS:
        assert name in out
    rc, out, _ = run_cli(capsys, "train", "--help")
    assert rc == 0 and "--grad-tol" in out and "--config" in out


def test_real_processes_python_m_and_script(tmp_path):
    """``python -m netgrad`` and the installed ``netgrad`` script, in real processes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "netgrad", "train", "--data", "nowhere.csv"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.strip() == "netgrad: error: data file not found: nowhere.csv"
    r = subprocess.run([sys.executable, "-m", "netgrad", "train", "--epochs", "zero"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    script = Path(sys.executable).parent / "netgrad"
    if not script.exists():
        pytest.skip("the netgrad script is not installed in this environment")
    r = subprocess.run([str(script), "--version"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.startswith("netgrad ")


def test_fallback_toml_parser_agrees_with_tomllib():
    """Without tomllib (Python 3.10) or tomli, a small parser reads the config subset."""
    tomllib = pytest.importorskip("tomllib")
    from netgrad.cli._toml import dumps_toml, parse_simple_toml

    text = ('# comment\ndata = "runs/a#b.csv"  # trailing\nhidden = [128, 64]\nlr = 1e-3\nepochs = 1_000\n'
            "quiet = true\nnames = ['x', \"y\"]\n[train]\nmomentum = 0.9\nnesterov = false\n")
    assert parse_simple_toml(text) == tomllib.loads(text)
    values = {"a": 1, "b-c": [1.5, 2], "s": 'say "hi"', "t": False, "inf": float("inf")}
    assert parse_simple_toml(dumps_toml(values)) == tomllib.loads(dumps_toml(values)) == values
    for bad in ("lr = = 1", "just words", "x = [1, 2", "x = {a = 1}"):
        with pytest.raises(ValueError, match="line 1"):
            parse_simple_toml(bad)


def test_train_and_predict_on_a_csv_with_class_names(tmp_path, capsys):
    # iris.csv style: the target column holds class names; predictions come back as names.
    rng = np.random.default_rng(0)
    rows = ["a,b,kind"]
    for k, name in enumerate(["setosa", "versicolor", "virginica"]):
        for x in rng.normal(3.0 * k, 0.3, size=(20, 2)):
            rows.append(f"{x[0]:.3f},{x[1]:.3f},{name}")
    data = tmp_path / "flowers.csv"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    rc, _, err = run_cli(capsys, "train", "--data", str(data), "--target", "kind", "--hidden", "8",
                         "--epochs", "40", "--lr", "0.1", "--seed", "0", "--out", str(out), "--quiet")
    assert rc == 0, err
    rc, printed, err = run_cli(capsys, "predict", str(out), str(data))
    assert rc == 0, err
    lines = printed.strip().splitlines()
    assert lines[0].startswith("prediction,proba_setosa,proba_versicolor,proba_virginica")
    predicted = [line.split(",")[0] for line in lines[1:]]
    truth = [r.split(",")[2] for r in rows[1:]]
    assert np.mean(np.array(predicted) == np.array(truth)) >= 0.95
