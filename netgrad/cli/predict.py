"""``netgrad predict RUN_DIR INPUT.csv [--output preds.csv]``: predictions for new rows.

The input (a CSV as ``train`` reads them: ``;`` or tab separated, ``.gz``, ``-`` for standard
input) has the model's feature columns (by name when it was trained on a CSV with a header;
other columns, such as the target, are ignored), or exactly as many unnamed columns as features.
The output has a ``prediction`` column and, for classifiers, one ``proba_<class>`` column per class.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import numpy as np

from . import _csv
from ._common import CLIError

HELP = "predict with a trained model (a run folder) for the rows of a CSV file"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="RUN_DIR", help="a folder written by 'netgrad train'")
    p.add_argument("input", metavar="INPUT.csv", help="rows to predict for")
    p.add_argument("--output", "-o", metavar="FILE.csv", help="write here instead of standard output")
    p.add_argument("--no-proba", action="store_true", help="only the prediction column")
    p.add_argument("--json", action="store_true", help="a JSON list of records instead of CSV")


def run(args: argparse.Namespace) -> int:
    from . import _run

    trained = _run.load_model(args.model)
    X = read_features(args.input, trained)
    trained.check_features(X, args.input)
    pred, proba = trained.predict(X)
    header = ["prediction"]
    if proba is not None and not args.no_proba:
        header += [f"proba_{c}" for c in trained.classes]
    rows = []
    for i in range(len(X)):
        row = [_cell(pred[i])]
        if len(header) > 1:
            row += [f"{p:.6g}" for p in proba[i]]
        rows.append(row)
    if args.json:
        records = [{"prediction": _json_value(pred[i]),
                    **({f"proba_{c}": float(p) for c, p in zip(trained.classes, proba[i])}
                       if len(header) > 1 else {})} for i in range(len(X))]
        text = json.dumps(_run.to_jsonable(records)) + "\n"
    else:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        text = buf.getvalue()
    if args.output:
        out = Path(args.output)
        try:
            out.write_text(text)
        except OSError as e:
            raise CLIError(f"--output {out}: cannot write ({e.strerror or e})") from None
        print(f"netgrad: wrote {len(X)} predictions to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def read_features(path: str | Path, trained) -> np.ndarray:
    """The feature matrix of a CSV, encoded as in training: columns by name when the model knows
    its features and the file has a header, else by position. A missing value or text in a
    number column is an error naming the file, line and column."""
    from . import _data

    table = _csv.read_table(path, "input file")
    enc = trained.encoder
    if enc is None:  # a built-in data set: plain numbers
        names = trained.spec.get("feature_names") or [str(j) for j in range(trained.n_features)]
        enc = _csv.Encoder([{"name": n, "kind": "number", "fill": None} for n in names])
        if not (table.has_header and all(n in table.names for n in names)):
            if len(table.names) != trained.n_features:
                raise CLIError(f"{table.source} has {len(table.names)} columns, the model expects "
                               f"{trained.n_features} features")
            return enc.transform(table, by_name=False)
        return enc.transform(table, by_name=True)
    t = table.index(trained.spec["target"]) if trained.spec.get("target") in table.names else None
    return _data.encode(enc, table, t)


def _json_value(v):
    return v.item() if isinstance(v, np.generic) else v


def _cell(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v.item() if isinstance(v, np.generic) else v)
