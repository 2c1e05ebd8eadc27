"""The ``netgrad`` command at its edges, as a careless or hostile user meets them: config files,
flag values, output paths, explain's limits, Ctrl-C and --resume, --json and -q everywhere,
activation names, NaN rows and leftovers of killed saves. Each is one clear line and the right
exit status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from cli_helpers import cli_env, run_cli
from netgrad.cli import main

FAST = ["--data", "xor", "--epochs", "2", "--hidden", "8", "--quiet"]


def one_line_error(rc, err, code, *needles):
    assert rc == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0], err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "xor"
    assert main(["train", *FAST, "--out", str(out)]) == 0
    return out


# ------------------------------------------------------------------------------- config files
def test_unknown_table_and_key_are_errors(capsys, tmp_path):
    cases = {"[trian]\nepochs = 2\n": "unknown table [trian]",
             "[train]\nepochz = 2\n": "unknown option 'epochz'",
             "[train.extra]\nepochs = 2\n": "unknown table [train.extra]",
             "learning_rate = 0.1\n": "unknown option 'learning_rate'"}
    for i, (text, needle) in enumerate(cases.items()):
        cfg = tmp_path / f"{i}.toml"
        cfg.write_text(text)
        rc, _, err = run_cli(capsys, "train", "--config", cfg, *FAST, "--out", tmp_path / "r")
        one_line_error(rc, err, 2, needle, str(cfg))
    cfg = tmp_path / "other.toml"  # another subcommand's table is fine
    cfg.write_text('epochs = 2\n[evaluate]\nsplit = "all"\n')
    assert run_cli(capsys, "train", "--config", cfg, *FAST, "--out", tmp_path / "r")[0] == 0


def test_deeply_nested_toml_refused(tmp_path):
    cfg = tmp_path / "deep.toml"
    cfg.write_text("hidden = " + "[" * 5000 + "]" * 5000 + "\n")
    p = subprocess.run([sys.executable, "-m", "netgrad", "train", "--config", str(cfg)], env=cli_env(),
                       capture_output=True, text=True, timeout=60)
    one_line_error(p.returncode, p.stderr, 2, "nested more than 32 deep", "deep.toml")
    assert "RecursionError" not in p.stderr


# ------------------------------------------------------------------------------- flags and paths
@pytest.mark.parametrize("cmd", [["train"], ["explain", "--layers", "2,1", "--x", "1,2", "--y", "1"]])
def test_negative_seed_names_the_flag(capsys, cmd):
    rc, _, err = run_cli(capsys, *cmd, "--seed", "-1")
    one_line_error(rc, err, 2, "--seed", "expected an integer >= 0, got '-1'")


def test_bad_out_paths_are_one_line(capsys, tmp_path):
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    for out, needle in [(a_file, "a file of that name exists"), (a_file / "sub", "Not a directory")]:
        rc, _, err = run_cli(capsys, "train", *FAST, "--out", out)
        one_line_error(rc, err, 1, f"--out {out}", needle)
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        rc, _, err = run_cli(capsys, "train", *FAST, "--out", ro / "run")
        one_line_error(rc, err, 1, "cannot write the run folder", "Permission denied")


# ------------------------------------------------------------------------------- explain
def test_explain_edges(capsys):
    rc, _, err = run_cli(capsys, "explain", "--layers", "2,2,1", "--x", "1,2,3", "--y", "1")
    one_line_error(rc, err, 2, "--x has 3 values", "expects 2")
    rc, _, err = run_cli(capsys, "explain", "--layers", "2,100000000,1", "--x", "1,2", "--y", "1")
    one_line_error(rc, err, 2, "300000000 weights", "at most 100000")
    for x, y in [("nan,1", "1"), ("1,inf", "1"), ("1,2", "nan")]:
        rc, out, err = run_cli(capsys, "explain", "--layers", "2,2,1", "--x", x, "--y", y)
        one_line_error(rc, err, 2, "finite")
        assert out == ""


def test_explain_layers_limit_in_a_real_process():
    p = subprocess.run([sys.executable, "-m", "netgrad", "explain", "--layers", "2,100000000,1", "--x", "1,2",
                        "--y", "1"], env=cli_env(), capture_output=True, text=True, timeout=60)
    one_line_error(p.returncode, p.stderr, 2, "--layers 2,100000000,1")


def test_activation_names_agree_between_train_and_explain(capsys, tmp_path):
    from netgrad.cli import build_parser
    from netgrad.cli._common import ACTIVATION_ALIASES, ACTIVATIONS

    parser = build_parser()
    sub = {a.dest: a for a in parser._subparsers._group_actions[0].choices["train"]._actions}
    sub_ex = {a.dest: a for a in parser._subparsers._group_actions[0].choices["explain"]._actions}
    for name in [*ACTIVATIONS, *ACTIVATION_ALIASES, "Leaky-ReLU"]:
        assert sub["activation"].type(name) == sub_ex["activation"].type(name)
    for bad in ("swish2", "softmax", "step"):  # not hidden-layer activations for either
        for cmd in (["train", *FAST], ["explain", "--layers", "2,1", "--x", "1,2", "--y", "1"]):
            rc, _, err = run_cli(capsys, *cmd, "--activation", bad)
            one_line_error(rc, err, 2, f"unknown activation '{bad}'")
    for name in ("elu", "gelu", "softplus", "silu", "logistic", "identity"):
        rc, out, err = run_cli(capsys, "explain", "--layers", "2,2,1", "--x", "0.5,1", "--y", "1",
                               "--activation", name)
        assert rc == 0 and "Backward pass" in out, err
    rc, _, err = run_cli(capsys, "train", *FAST, "--activation", "elu", "--out", tmp_path / "elu")
    assert rc == 0, err
    rc, out, err = run_cli(capsys, "explain", tmp_path / "elu", "--x", "0.5,1", "--y", "1")
    assert rc == 0 and "Backward pass" in out, err


# ------------------------------------------------------------------------------- Ctrl-C, --resume
def test_ctrl_c_saves_exits_130_and_resumes(capsys, tmp_path):
    out = tmp_path / "run"
    p = subprocess.Popen([sys.executable, "-m", "netgrad", "train", "--data", "digits", "--hidden", "16",
                          "--epochs", "500", "--out", str(out)], env=cli_env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().startswith("netgrad: digits")  # data loaded
        assert p.stdout.readline().startswith("netgrad: model")   # training starts
        deadline = time.monotonic() + 60
        while not (out / "checkpoint.ngz").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # at least one epoch done
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    finally:
        p.kill()
    assert p.returncode == 130, err
    assert f"continue with 'netgrad train --resume {out}'" in err and "Traceback" not in err
    done = json.loads((out / "history.json").read_text())
    assert done["stop_reason"] == "interrupted" and 1 <= done["epochs"] < 500
    n = done["epochs"] + 2
    rc, stdout, err = run_cli(capsys, "train", "--resume", out, "--epochs", n, "-q")
    assert rc == 0, err
    assert stdout.startswith("netgrad: test ")
    after = json.loads((out / "history.json").read_text())
    assert after["epochs"] == n and after["stop_reason"] == "max_epochs"
    assert after["history"]["loss"][: done["epochs"]] == done["history"]["loss"]  # continued, not restarted
    # and exactly where an uninterrupted run of as many epochs ends (the interrupt fell mid-epoch)
    rc, _, err = run_cli(capsys, "train", "--data", "digits", "--hidden", "16", "--epochs", n, "-q",
                         "--out", tmp_path / "straight")
    assert rc == 0, err
    straight = json.loads((tmp_path / "straight" / "history.json").read_text())
    assert straight["history"]["loss"] == after["history"]["loss"]
    rc, _, err = run_cli(capsys, "train", "--resume", out, "--lr", "1")
    one_line_error(rc, err, 2, "--lr cannot be changed")
    rc, _, err = run_cli(capsys, "train", "--resume", tmp_path / "nowhere")
    one_line_error(rc, err, 1, "cannot resume")


def test_resume_matches_an_uninterrupted_run(capsys, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli(capsys, "train", "--data", "moons", "--hidden", "8", "--epochs", "4", "--quiet",
                   "--out", a)[0] == 0
    assert run_cli(capsys, "train", "--data", "moons", "--hidden", "8", "--epochs", "2", "--quiet",
                   "--out", b)[0] == 0
    assert run_cli(capsys, "train", "--resume", b, "--epochs", "4", "--quiet")[0] == 0
    ha = json.loads((a / "history.json").read_text())["history"]["loss"]
    hb = json.loads((b / "history.json").read_text())["history"]["loss"]
    assert ha == hb
    metrics = [json.loads((r / "metrics.json").read_text())["test"] for r in (a, b)]
    assert metrics[0] == metrics[1]


# ------------------------------------------------------------------------------- output modes
def test_json_on_every_command(capsys, tmp_path, xor_run):
    rc, out, _ = run_cli(capsys, "train", *FAST, "--json", "--out", tmp_path / "j")
    summary = json.loads(out)
    assert rc == 0 and summary["task"] == "classification" and 0 <= summary["test"]["accuracy"] <= 1
    rc, out, _ = run_cli(capsys, "evaluate", xor_run, "--json")
    assert rc == 0 and set(json.loads(out)) >= {"loss", "accuracy", "n"}
    rows = tmp_path / "rows.csv"
    rows.write_text("0,0\n1,0\n")
    rc, out, _ = run_cli(capsys, "predict", xor_run, rows, "--json")
    recs = json.loads(out)
    assert rc == 0 and len(recs) == 2 and set(recs[0]) == {"prediction", "proba_0", "proba_1"}
    assert recs[0]["proba_0"] + recs[0]["proba_1"] == pytest.approx(1)
    rc, out, _ = run_cli(capsys, "explain", "--layers", "2,2,1", "--x", "0.35,0.9", "--y", "1", "--json")
    trace = json.loads(out)
    assert rc == 0 and len(trace["layers"]) == 2 and np.isfinite(trace["loss"])
    rc, out, _ = run_cli(capsys, "explain", xor_run, "--x", "0,1", "--y", "1", "--json")
    assert rc == 0 and "layers" in json.loads(out)


def test_quiet_still_prints_the_final_metrics(capsys, tmp_path):
    rc, out, err = run_cli(capsys, "train", *FAST, "--out", tmp_path / "q")
    assert rc == 0 and err == ""
    assert len(out.splitlines()) == 1 and out.startswith("netgrad: test loss ") and "accuracy" in out


# ------------------------------------------------------------------------------- predict, leftovers
def test_predict_nan_row_names_file_and_line(capsys, tmp_path, xor_run):
    rows = tmp_path / "new.csv"
    rows.write_text("0,0\n1,nan\n0,1\n")
    rc, _, err = run_cli(capsys, "predict", xor_run, rows)
    one_line_error(rc, err, 1, f"{rows}, line 2", "missing value")
    rows.write_text("0,0\n1,1e39\n")
    rc, _, err = run_cli(capsys, "predict", xor_run, rows)
    one_line_error(rc, err, 1, f"{rows}, line 2", "too large")


def test_stale_tmp_files_cleaned_and_modes_consistent(capsys, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    stale = [out / ".tmp-model.ngz-abc123", out / ".tmp-checkpoint.ngz-xyz"]
    for p in stale:
        p.write_bytes(b"half a file")
    mine = out / ".tmp-notes-keep"  # not netgrad's: left alone
    mine.write_text("x")
    assert run_cli(capsys, "train", *FAST, "--out", out)[0] == 0
    assert not any(p.exists() for p in stale) and mine.exists()
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir() if not p.name.startswith(".")}
    assert len(set(modes.values())) == 1, modes
