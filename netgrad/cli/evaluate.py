"""``netgrad evaluate RUN_DIR [--data ...]``: a trained model's loss and metrics on a data set.

With the run's own data (the default), it evaluates on the same held-out test split that
``netgrad train`` reported; with other data, on all of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from . import _data
from ._common import CLIError, positive_int
from ._toml import TOMLError, load_toml

HELP = "evaluate a trained model (a run folder) on a data set"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="RUN_DIR", help="a folder written by 'netgrad train'")
    p.add_argument("--data", metavar="NAME|PATH.csv", help="default: the data the model was trained on")
    p.add_argument("--target", metavar="COL", help="the CSV's target column (default: the model's)")
    p.add_argument("--split", choices=("test", "train", "all"),
                   help="which part: the run's held-out test split (default for its own data), the rest, "
                        "or all (default for other data)")
    p.add_argument("--mnist-root", metavar="DIR", help="folder with MNIST's IDX files")
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the first N samples")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")


def run(args: argparse.Namespace) -> int:
    from . import _run

    trained = _run.load_model(args.model)
    config = _run_config(Path(args.model))
    data = args.data or trained.spec.get("data")
    if not data:
        raise CLIError("this model does not say what it was trained on; pass --data")
    same = _same_data(data, trained.spec.get("data"))
    split = args.split or ("test" if same else "all")
    target = args.target or trained.spec.get("target")
    mnist_root = args.mnist_root or config.get("mnist-root")
    if split != "all" and not (same or str(data).lower() == "mnist"):
        raise CLIError(f"--split {split} needs the run's own data ({trained.spec.get('data')}); "
                       "use --split all for other data")
    X, y = _select(data, split, target, mnist_root, config, args.limit, same, trained.encoder)
    trained.check_features(X, str(data))
    metrics = trained.evaluate(X, y)
    name = _data.data_label(data)
    if args.json:
        print(json.dumps({"data": name, "split": split, **_run.to_jsonable(metrics)}))
    else:
        shown = ", ".join(f"{k} {v:.2%}" if k == "accuracy" else f"{k} {v:.4g}"
                          for k, v in metrics.items() if k != "n")
        print(f"netgrad: {name} ({split}, {metrics['n']} samples): {shown}", file=sys.stdout)
    return 0


def _select(data, split, target, mnist_root, config, limit, same, encoder=None):
    """The rows to evaluate: the run's own split (same seed, fraction and sample limit), or all."""
    seed = int(config.get("seed", 0))
    if split == "all":
        if str(data).lower() == "mnist":
            parts = [_data.load_all(data, mnist_root=mnist_root, split=s)[:2] for s in ("train", "test")]
            X, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        else:
            X, y, _, _ = _data.load_all(data, target=target, seed=seed, encoder=encoder)
    else:
        ds = _data.load_split(data, target=target, mnist_root=mnist_root,
                              test_fraction=float(config.get("test-fraction", 0.2)), seed=seed,
                              limit=config.get("limit") if same else None, encoder=encoder)
        X, y = (ds.X_test, ds.y_test) if split == "test" else (ds.X_train, ds.y_train)
    return (X[:limit], y[:limit]) if limit else (X, y)


def _same_data(a, b) -> bool:
    if a is None or b is None:
        return False
    if _data.is_builtin(a) or _data.is_builtin(b):
        return str(a).lower() == str(b).lower()
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _run_config(run_dir: Path) -> dict:
    from . import _run

    path = run_dir / _run.CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        return load_toml(path)
    except (TOMLError, OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
