"""``netgrad predict RUN_DIR INPUT.csv [--output preds.csv]``: predictions for new rows.

The input has the model's feature columns (by name when it was trained on a CSV with a header;
other columns, such as the target, are ignored), or exactly as many unnamed columns as features.
The output has a ``prediction`` column and, for classifiers, one ``proba_<class>`` column per class.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

from ._common import CLIError

HELP = "predict with a trained model (a run folder) for the rows of a CSV file"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="RUN_DIR", help="a folder written by 'netgrad train'")
    p.add_argument("input", metavar="INPUT.csv", help="rows to predict for")
    p.add_argument("--output", "-o", metavar="FILE.csv", help="write here instead of standard output")
    p.add_argument("--no-proba", action="store_true", help="only the prediction column")


def run(args: argparse.Namespace) -> int:
    from . import _run

    trained = _run.load_model(args.model)
    X = read_features(Path(args.input), trained.spec.get("feature_names"), trained.n_features)
    trained.check_features(X, args.input)
    pred, proba = trained.predict(X)
    header = ["prediction"]
    columns = [pred.reshape(len(X), -1)[:, 0] if pred.ndim == 1 else pred]
    if proba is not None and not args.no_proba:
        header += [f"proba_{c}" for c in trained.classes]
        columns.append(proba)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for i in range(len(X)):
        row = [_cell(pred[i])]
        if len(header) > 1:
            row += [f"{p:.6g}" for p in proba[i]]
        w.writerow(row)
    if args.output:
        out = Path(args.output)
        if out.parent and not out.parent.exists():
            raise CLIError(f"output folder not found: {out.parent}")
        out.write_text(buf.getvalue())
        print(f"netgrad: wrote {len(X)} predictions to {out}", file=sys.stderr)
    else:
        sys.stdout.write(buf.getvalue())
    return 0


def read_features(path: Path, names: list[str] | None, n_features: int) -> np.ndarray:
    """The feature matrix of a CSV; columns picked by name when the model knows its features."""
    if not path.is_file():
        raise CLIError(f"input file not found: {path}")
    try:
        rows = [r for r in csv.reader(path.read_text(encoding="utf-8-sig").splitlines()) if r]
    except (UnicodeDecodeError, csv.Error) as e:
        raise CLIError(f"cannot read {path}: {e}") from None
    if not rows:
        raise CLIError(f"{path} is empty")
    header = None if _numeric(rows[0]) else [c.strip() for c in rows[0]]
    body = rows[1:] if header else rows
    if not body:
        raise CLIError(f"{path} has no data rows")
    width = len(header or body[0])
    for i, r in enumerate(body, 2 if header else 1):
        if len(r) != width:
            raise CLIError(f"{path}: line {i} has {len(r)} columns, expected {width}")
    cols = list(range(width))
    if header and names:
        missing = [n for n in names if n not in header]
        if missing:
            raise CLIError(f"{path} lacks the model's feature column(s): {', '.join(missing[:5])}")
        cols = [header.index(n) for n in names]
    elif width != n_features:
        raise CLIError(f"{path} has {width} columns, the model expects {n_features} features")
    try:
        return np.array([[float(r[j]) for j in cols] for r in body], dtype=np.float32)
    except ValueError as e:
        raise CLIError(f"{path}: a feature is not a number ({e})") from None


def _numeric(row: list[str]) -> bool:
    try:
        [float(c) for c in row]
        return True
    except ValueError:
        return False


def _cell(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v.item() if isinstance(v, np.generic) else v)
