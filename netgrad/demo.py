"""``make demo``: train the default network on the embedded digits set and write ``runs/demo``.

The same as ``netgrad train --data digits --seed 0 --out runs/demo``: scikit-learn's bundled 8x8
digits (1,797 images), 20% held out for testing, a 64-128-64-10 ReLU network trained by SGD with
momentum on the cross-entropy. Run with ``python -m netgrad.demo [OUT_DIR]``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_OUT = "runs/demo"
TARGET_ACCURACY = 0.95


def main(argv: Sequence[str] | None = None) -> int:
    from netgrad.cli import main as cli

    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0] if args else DEFAULT_OUT)
    rc = cli(["train", "--data", "digits", "--seed", "0", "--out", str(out), *args[1:]])
    if rc != 0:
        return rc
    test = json.loads((out / "metrics.json").read_text())["test"]
    verdict = "ok" if test["accuracy"] >= TARGET_ACCURACY else f"below the {TARGET_ACCURACY:.0%} target"
    print(f"\ndemo: test accuracy {test['accuracy']:.2%} on {test['n']} held-out digits ({verdict})")
    print(f"demo: the run folder is {out}/ (model, history, config, loss curve). Next:")
    for cmd, what in ((f"netgrad evaluate {out}", "the test metrics again, from the saved model"),
                      (f"netgrad predict {out} ROWS.csv", "predictions for new rows (64 pixels in 0..1)"),
                      ("netgrad train --help", "other data (mnist, moons, a CSV), layers, losses")):
        print(f"  {cmd:<36} # {what}")
    return 0 if test["accuracy"] >= TARGET_ACCURACY else 1


if __name__ == "__main__":
    raise SystemExit(main())
