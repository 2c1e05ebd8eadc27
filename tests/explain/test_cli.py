"""`netgrad explain` on the command line: flags, formats, a run folder, and one-line errors."""

from __future__ import annotations

import pytest

from netgrad.cli import main

W = "[[[0.1,0.4],[0.8,0.6]],[[0.3],[0.9]]]"


def test_notes_example_from_flags(capsys):
    rc = main(["explain", "--layers", "2,2,1", "--activation", "linear", "--weights", W,
               "--x", "0.35,0.9", "--y", "1", "--loss", "squared"])
    out = capsys.readouterr().out
    assert rc == 0
    for num in ("net^(1) = [0.755, 0.68]", "y_hat = 0.8385", "-0.243865", "-0.26163", "(agrees)"):
        assert num in out


@pytest.mark.parametrize("fmt,marker", [("markdown", "| neuron | net |"), ("latex", "\\begin{align*}")])
def test_formats(capsys, fmt, marker):
    rc = main(["explain", "--layers", "2,2,1", "--weights", W, "--x", "0.35,0.9", "--y", "1",
               "--format", fmt])
    out = capsys.readouterr().out
    assert rc == 0 and marker in out and "0.8385" in out


def test_batch_cross_entropy_random_weights(capsys):
    rc = main(["explain", "--layers", "2,3,3", "--activation", "sigmoid", "--output-activation", "linear",
               "--x", "[[0.35,0.9],[1,2]]",
               "--y", "0,2", "--loss", "cross_entropy", "--biases", "[[0,0,0],[0.1,0.2,0.3]]",
               "--seed", "3"])
    out = capsys.readouterr().out
    assert rc == 0 and "a batch of 2 examples" in out and "z - t" in out and "(agrees)" in out


@pytest.mark.parametrize("argv,msg", [
    (["--x", "1,2", "--y", "1"], "--layers"),
    (["--layers", "2,2,1", "--weights", "[[1,2]", "--x", "1,2", "--y", "1"], "JSON"),
    (["--layers", "2,2,1", "--weights", "[[[1,2,3]],[[1],[2]]]", "--x", "1,2", "--y", "1"],
     "inputs x outputs"),
    (["--layers", "2,2,1", "--x", "1,2,3", "--y", "1"], "error"),
    (["--layers", "2,2,1", "--x", "a,b", "--y", "1"], "--x"),
    (["/nonexistent/run", "--x", "1,2", "--y", "1"], "not found"),
])
def test_errors_one_line(capsys, argv, msg):
    rc = main(["explain", *argv])
    err = capsys.readouterr().err
    assert rc != 0
    assert msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_run_folder_from_netgrad_train(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--data", "xor", "--hidden", "3", "--activation", "tanh", "--epochs", "2",
                 "--seed", "0", "--out", str(run)]) == 0
    capsys.readouterr()
    rc = main(["explain", str(run), "--x", "0,1", "--y", "1"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "a 2-3-2 network (tanh, linear)" in out and "z - t" in out and "(agrees)" in out
    rc = main(["explain", str(run), "--x", "0,1,1", "--y", "1"])
    err = capsys.readouterr().err
    assert rc != 0 and "feature" in err
