"""docs/tutorial.ipynb runs top to bottom in a Jupyter kernel on this interpreter (nbclient), every
figure displays once, the rich displays are there, and the MNIST section falls back to scikit-learn's
digits, saying so, where ../shared is absent."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "tutorial.ipynb"


def _kernel_here(tmp_path: Path, monkeypatch) -> None:
    """A 'python3' kernelspec that runs this interpreter, found before any other one installed."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def _run(nb, cwd: Path) -> None:
    where = {"metadata": {"path": str(cwd)}}
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources=where)
    client.execute()


def _text(out) -> str:
    if out["output_type"] == "stream":
        return out.get("text", "")
    return out.get("data", {}).get("text/plain", "")


def test_tutorial_runs_and_displays_once(tmp_path, monkeypatch):
    _kernel_here(tmp_path, monkeypatch)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit it without outputs"
    _run(nb, NOTEBOOK.parent)  # raises CellExecutionError on any cell's error

    code = [c for c in nb.cells if c.cell_type == "code"]
    images = 0
    for c in code:
        outs = c.outputs
        assert not any(o["output_type"] == "error" for o in outs)
        pngs = [o for o in outs if "image/png" in o.get("data", {})]
        assert len(pngs) <= 1, f"a figure displayed twice in:\n{c.source}"
        images += len(pngs)
        for o in outs:  # a figure shown as text only, or a warning in the output, is a defect
            assert not _text(o).startswith("<Figure size") or pngs, c.source
            if o["output_type"] == "stream" and o["name"] == "stderr":
                assert "Warning" not in o["text"], o["text"]
    assert images >= 8

    def cell(snippet: str):
        found = [c for c in code if snippet in c.source]
        assert len(found) == 1, snippet
        return found[0]

    def html_of(c) -> str:
        return "".join(o["data"]["text/html"] for o in c.outputs if "text/html" in o.get("data", {}))

    assert "<table" in html_of(cell("augmented=True")) and "&theta;" in html_of(cell("augmented=True"))
    assert "differs" in html_of(cell('"delta^(1)": lambda q: q["t"] * (1 - q["z"])'))
    assert "<svg" in html_of(cell("rec.graph(Js"))
    assert "stopped: target_loss" in html_of(cell("h_xor = fit("))
    assert "Total params" in html_of(cell("ng.summary(cnn"))

    gd = "".join(_text(o) for o in cell("for mode, bs, lr in").outputs)
    assert gd.count("stop: grad_tol") == 3, gd
    assert gd.count("Stopped after") == 1  # the one fit with verbose=1: its summary line
    bars = [o["text"] for o in cell("for mode, bs, lr in").outputs
            if o["output_type"] == "stream" and o["name"] == "stderr" and "Epoch" in o["text"]]
    assert bars and "100%" in bars[-1].split("\r")[-1] and bars[0].count("Epoch 1/") <= 1  # one bar

    mnist = "".join(_text(o) for o in cell("h_cnn = fit(").outputs)
    acc = float(mnist.rsplit("validation accuracy", 1)[1].split()[0])
    assert acc > 0.6, mnist  # MNIST, or the digits fallback where ../shared is absent (CI)
    assert "Finished " in mnist


def test_mnist_section_falls_back_to_digits_without_shared(tmp_path, monkeypatch):
    """Where ../shared/data/mnist is absent the CNN trains on scikit-learn's digits, labelled so."""
    _kernel_here(tmp_path, monkeypatch)
    monkeypatch.delenv("NETGRAD_MNIST", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    start = next(i for i, c in enumerate(code) if "load_mnist" in c.source)
    nb.cells = [code[0]] + code[start:]
    where = tmp_path / "a" / "b"  # ../shared and ../../shared do not exist from here
    where.mkdir(parents=True)
    _run(nb, where)
    out = "".join(_text(o) for c in nb.cells for o in c.outputs)
    assert "FALLBACK: scikit-learn digits (8x8)" in out and "(1797, 1, 8, 8)" in out
    acc = float(out.rsplit("validation accuracy", 1)[1].split()[0])
    assert 0.6 < acc <= 1.0 and "after 3 epoch(s)" in out, out
