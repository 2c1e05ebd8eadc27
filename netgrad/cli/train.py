"""``netgrad train``: train a multilayer perceptron, print test metrics, write a run folder.

    netgrad train --data digits --hidden 128,64 --activation relu --loss cross_entropy \\
        --optimizer sgd --lr 0.1 --momentum 0.9 --batch-size 64 --epochs 20 --seed 0 --out runs/digits
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from . import _data, _distributed
from ._common import (
    CLIError, UsageError, _short, activation, comma_ints, fraction, nonneg_float, nonneg_int,
    positive_float, positive_int, read_config, resolve_options, write_config,
)
from netgrad.train.callbacks import Callback

from ._csv import IMPUTE

HELP = "train a network on a data set and save it to a run folder"

DEFAULTS: dict[str, Any] = {
    "data": "digits", "target": None, "task": "auto", "hidden": [128, 64], "activation": "relu",
    "loss": None, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": False,
    "weight_decay": 0.0, "batch_size": 64, "epochs": 20, "grad_tol": None, "target_loss": None,
    "patience": None, "val_fraction": 0.0, "test_fraction": 0.2, "scale": "auto", "dropout": 0.0,
    "seed": 0, "limit": None, "mnist_root": None, "time_limit": None, "out": None, "quiet": False,
    "impute": None, "scale_target": "auto", "json": False, "nproc": 1, "hostfile": None,
}
# what `--resume RUN` may change; everything else is the run's own (its config.toml)
RESUMABLE = ("epochs", "time_limit", "patience", "grad_tol", "target_loss", "quiet", "json", "nproc",
             "hostfile")
TASKS = ("auto", "classification", "regression")
SCALES = ("auto", "standard", "minmax", "none")


def batch_size(value: Any) -> int | str:
    if isinstance(value, str) and value.strip().lower() in ("full", "all", "none"):
        return "full"
    return positive_int(value)


def add_arguments(p: argparse.ArgumentParser) -> None:
    S = argparse.SUPPRESS
    d = DEFAULTS
    g = p.add_argument_group("data")
    g.add_argument("--data", default=S, metavar="NAME|PATH.csv",
                   help=f"{', '.join(_data.BUILTIN)}, a CSV file (',', ';' or tab separated; .csv.gz; "
                        f"text columns one-hot encoded) or - for standard input (default: {d['data']})")
    g.add_argument("--impute", default=S, choices=IMPUTE,
                   help="fill missing feature values (fitted on the training rows); default: an error "
                        "naming the row and column")
    g.add_argument("--target", default=S, metavar="COL", help="the CSV's target column (default: the last)")
    g.add_argument("--task", default=S, choices=TASKS,
                   help="auto: classification for text labels or whole numbers with few distinct values, "
                        "else regression (with a warning when the guess is doubtful)")
    g.add_argument("--scale-target", default=S, choices=("auto", "standard", "none"),
                   help="regression targets standardised for training (auto: standard); predictions "
                        "and metrics are in the target's units")
    g.add_argument("--test-fraction", default=S, type=fraction, metavar="F",
                   help="held out for the test metrics (default 0.2; MNIST uses its test set)")
    g.add_argument("--val-fraction", default=S, type=fraction, metavar="F",
                   help="of the training data, for validation loss/metrics per epoch (default 0)")
    g.add_argument("--scale", default=S, choices=SCALES,
                   help="feature scaling fitted on the training data; auto (default): none for MNIST "
                        "(its loader normalises it), standard otherwise")
    g.add_argument("--limit", default=S, type=positive_int, metavar="N",
                   help="use only the first N samples (MNIST: N training, N/2 test)")
    g.add_argument("--mnist-root", default=S, metavar="DIR",
                   help="folder with MNIST's IDX files (default: ../shared/data/mnist)")
    g = p.add_argument_group("model")
    g.add_argument("--hidden", default=S, type=comma_ints, metavar="SIZES",
                   help="hidden layer sizes, e.g. 128,64; '' for none (default: 128,64)")
    g.add_argument("--activation", default=S, type=activation, metavar="NAME",
                   help="relu (default), linear, sigmoid, tanh, leaky_relu, elu, gelu, softplus, silu "
                        "(as 'netgrad explain'; identity and logistic are aliases)")
    g.add_argument("--loss", default=S, metavar="NAME",
                   help="cross_entropy (classification default), mse (regression default), nll, kl_div, "
                        "symmetric_cross_entropy, half_mse, sse, l1, huber")
    g.add_argument("--dropout", default=S, type=fraction, metavar="P", help="dropout after hidden layers")
    g = p.add_argument_group("training")
    g.add_argument("--optimizer", default=S, choices=("sgd", "adam"), help="default: sgd")
    g.add_argument("--lr", default=S, type=positive_float, help=f"learning rate (default {d['lr']})")
    g.add_argument("--momentum", default=S, type=nonneg_float, help=f"SGD momentum (default {d['momentum']})")
    g.add_argument("--nesterov", default=S, action="store_true", help="Nesterov momentum (SGD)")
    g.add_argument("--weight-decay", default=S, type=nonneg_float, metavar="L2", help="L2 penalty")
    g.add_argument("--batch-size", default=S, type=batch_size, metavar="N|full",
                   help="mini-batch size; 1 for one example at a time, full for batch GD (default 64)")
    g.add_argument("--epochs", default=S, type=positive_int, help=f"default {d['epochs']}")
    g.add_argument("--grad-tol", default=S, type=positive_float, metavar="TOL",
                   help="stop when the gradient norm falls below TOL")
    g.add_argument("--target-loss", default=S, type=nonneg_float, metavar="J",
                   help="stop when the training loss reaches J")
    g.add_argument("--patience", default=S, type=positive_int, metavar="N",
                   help="stop after N epochs without improvement (validation loss if --val-fraction)")
    g.add_argument("--time-limit", default=S, type=positive_float, metavar="SECONDS",
                   help="stop after this long")
    g.add_argument("--seed", default=S, type=nonneg_int,
                   help="seeds the split, initialisation and shuffling (default 0)")
    g = p.add_argument_group("output")
    g.add_argument("--out", default=S, metavar="DIR", help="run folder (default: runs/<data>)")
    g.add_argument("--config", default=S, metavar="FILE.toml",
                   help="options from a TOML file (keys: the long flag names); flags override it")
    g.add_argument("--resume", default=S, metavar="RUN_DIR",
                   help="continue an interrupted (or finished, with more --epochs) run from its checkpoint")
    g.add_argument("--quiet", "-q", default=S, action="store_true",
                   help="no progress bar; only the final test metrics")
    g.add_argument("--json", default=S, action="store_true",
                   help="print the final summary as JSON on standard output (no progress)")
    g = p.add_argument_group("parallel (netgrad[distributed]: mpi4py + MPI)")
    g.add_argument("--nproc", default=S, type=positive_int, metavar="N",
                   help="train data-parallel on N processes through mpiexec, each on 1/N of every "
                        "batch size's examples (--batch-size is per process); default 1")
    g.add_argument("--hostfile", default=S, metavar="FILE",
                   help="with --nproc: the machines to run on, one per line (MPICH: host:slots; Open MPI: "
                        "host slots=N), each with this Python environment and the data at the same path")


def run(args: argparse.Namespace) -> int:
    resume = getattr(args, "resume", None)
    if resume is None:
        return train(resolve_options(args._parser, args, DEFAULTS))
    given = {k: v for k, v in vars(args).items() if k in DEFAULTS or k == "config"}
    extra = sorted(k for k in given if k not in RESUMABLE)
    if extra:
        flags = ", ".join("--" + k.replace("_", "-") for k in extra)
        raise UsageError(f"--resume continues {resume} with its own options; {flags} cannot be changed "
                         f"(only {', '.join('--' + k.replace('_', '-') for k in RESUMABLE)})")
    from . import _run

    run_dir = Path(resume)
    if not (run_dir / _run.CHECKPOINT_FILE).is_file():
        what = "not a run folder" if not run_dir.is_dir() else f"has no {_run.CHECKPOINT_FILE}"
        raise CLIError(f"cannot resume {run_dir}: {what}")
    opts = {**DEFAULTS, **read_config(args._parser, run_dir / _run.CONFIG_FILE), **given,
            "out": str(run_dir)}
    return train(opts, resume=True)


def train(opts: dict[str, Any], out_stream=None, resume: bool = False) -> int:
    """Train with resolved options (see ``DEFAULTS``); prints a summary and writes the run folder.
    Returns 0, 1 when training diverged, 130 when interrupted (the run is saved and resumable)."""
    if int(opts.get("nproc") or 1) > 1 and not _distributed.in_worker():
        return _distributed.launch(opts, resume)  # mpiexec runs this function on every rank
    stream = out_stream or sys.stdout
    chatty = not (opts["quiet"] or opts["json"])
    say = (lambda *a: print(*a, file=stream, flush=True)) if chatty else (lambda *a: None)
    job = _prepare(opts, resume, say)
    watch = DivergenceWatch()
    t0 = time.perf_counter()
    history = _fit(opts, job, watch, verbose=1 if chatty else 0)
    seconds = time.perf_counter() - t0
    return _report(opts, job, history, seconds, watch.message, stream, say)


class _Job:
    """What a run trains on: its folder, the data split, the model with its encoders, the
    training arrays, the validation pair (or None) and the batch size."""

    def __init__(self, out: Path, ds: Any, trained: Any, X_tr: np.ndarray, y_tr: np.ndarray, val: Any,
                 batch_size: int):
        self.out, self.ds, self.trained = out, ds, trained
        self.X_tr, self.y_tr, self.val, self.batch_size = X_tr, y_tr, val, batch_size


def _prepare(opts: dict[str, Any], resume: bool, say: Any) -> _Job:
    """Load and split the data, build (or, resuming, rebuild) the model, write the config and
    the model's spec; say what will be trained."""
    import netgrad as ng

    from . import _run

    _data.check_data_option(opts["data"])
    out = Path(opts["out"] or Path("runs") / _data.data_label(opts["data"]))
    _run.prepare_run_dir(out)  # before any work: a bad --out is one line at once
    spec = _run.read_spec(out) if resume else None
    encoder = _run.TrainedModel(spec, None).encoder if resume else None
    ds = _data.load_split(opts["data"], target=opts["target"], mnist_root=opts["mnist_root"],
                          test_fraction=opts["test_fraction"], seed=opts["seed"], limit=opts["limit"],
                          encoder=encoder, impute=opts["impute"])
    trained = _build(opts, ds) if spec is None else _run.TrainedModel.build(spec)
    spec = trained.spec
    X_tr, y_tr = trained.scaler(ds.X_train), trained.encode(ds.y_train)
    val = None
    if opts["val_fraction"]:
        tr, va = _data.split_indices(ds.y_train, opts["val_fraction"], opts["seed"] + 1,
                                     stratify=trained.task == "classification")
        val = (ng.tensor(X_tr[va]), ng.tensor(y_tr[va]))
        X_tr, y_tr = X_tr[tr], y_tr[tr]
    bs = X_tr.shape[0] if opts["batch_size"] == "full" else min(int(opts["batch_size"]), X_tr.shape[0])
    say(f"netgrad: {ds.name}: {X_tr.shape[0]} training, {0 if val is None else len(val[1])} validation, "
        f"{ds.X_test.shape[0]} test samples, {spec['n_features']} features -> {spec['n_outputs']} outputs "
        f"({trained.task})")
    layers = "-".join(map(str, [spec["n_features"], *spec["hidden"], spec["n_outputs"]]))
    say(f"netgrad: model {layers} {spec['activation']}, loss {spec['loss']}, {opts['optimizer']} "
        f"lr {opts['lr']:g}, batch {bs}, {opts['epochs']} epochs" + (f" (resuming {out})" if resume else ""))
    write_config({**opts, "task": trained.task, "loss": spec["loss"], "scale": trained.scaler.kind},
                 out / _run.CONFIG_FILE)
    if not resume:  # a new run in an old folder starts afresh, not from the old checkpoint
        (out / _run.CHECKPOINT_FILE).unlink(missing_ok=True)
        _run.save_model(out, trained)  # the spec a resume starts from
    return _Job(out, ds, trained, X_tr, y_tr, val, bs)


def _fit(opts: dict[str, Any], job: _Job, watch: DivergenceWatch, verbose: int) -> Any:
    """``netgrad.train.fit`` with the run's options, checkpointing into the run folder; its
    errors as one-line CLI errors."""
    import netgrad as ng
    from netgrad.train import TrainingDivergedError, fit

    from . import _run

    model = job.trained.model
    try:
        with warnings.catch_warnings():  # overflow warnings: a divergence is reported below instead
            warnings.simplefilter("ignore", RuntimeWarning)
            return fit(_distributed.wrap(model), job.trained.loss_fn(), _optimizer(opts, model),
                       (ng.tensor(job.X_tr), ng.tensor(job.y_tr)), epochs=opts["epochs"],
                       batch_size=job.batch_size, val_data=job.val,
                       metrics=("accuracy",) if job.trained.task == "classification" else (),
                       verbose=verbose, grad_tol=opts["grad_tol"], target_loss=opts["target_loss"],
                       patience=opts["patience"], time_limit=opts["time_limit"],
                       generator=ng.Generator(opts["seed"]),
                       seed=opts["seed"] + 1,  # fit's own stream for dropout
                       checkpoint=job.out / _run.CHECKPOINT_FILE, callbacks=[watch])
    except TrainingDivergedError as e:
        raise CLIError(f"training diverged: the loss became {e.loss} in epoch {e.epoch} with --lr "
                       f"{opts['lr']:g}; try a smaller --lr") from None
    except OSError as e:
        raise CLIError(f"cannot write the checkpoint in {job.out}: {e.strerror or _short(e)}") from None


def _report(opts: dict[str, Any], job: _Job, history: Any, seconds: float, watched: str | None, stream: Any,
            say: Any) -> int:
    """Save the model and history; unless interrupted, test the model, write the metrics and
    the loss plot and print the summary. The exit status."""
    from . import _run

    out, ds, trained = job.out, job.ds, job.trained
    _run.save_model(out, trained)
    _run.save_json(out / _run.HISTORY_FILE, history.to_dict())
    if history.stop_reason == "interrupted":
        print(f"netgrad: interrupted after {history.epochs} epochs; saved {out}/ (continue with "
              f"'netgrad train --resume {out}')", file=sys.stderr)
        return 130
    with warnings.catch_warnings():  # a diverged model overflows here too: reported below instead
        warnings.simplefilter("ignore", RuntimeWarning)
        test = trained.evaluate(ds.X_test, ds.y_test)
    diverged = watched or _growth(history)
    summary = {"data": ds.name, "task": trained.task, "test": test, "epochs_run": history.epochs,
               "stop_reason": history.stop_reason, "best_epoch": history.best_epoch,
               "train_seconds": round(seconds, 3), "test_split": ds.info.get("test"), "run": str(out),
               "diverged": diverged is not None}
    _run.save_json(out / _run.METRICS_FILE, summary)
    plotted = _run.save_loss_plot(history, out / _run.PLOT_FILE, title=f"{ds.name}: {trained.spec['loss']}")
    reason = history.stop_reason
    stop = f", stopped: {reason}" if reason and reason != "max_epochs" else ""
    say(f"netgrad: trained {history.epochs} epochs in {seconds:.1f} s{stop}")
    if opts["json"]:
        print(json.dumps(_run.to_jsonable(summary)), file=stream)
    else:  # printed with --quiet too: the result is the point of the run
        print("netgrad: test " + ", ".join(f"{k} {_fmt(k, v)}" for k, v in test.items() if k != "n")
              + f" ({test['n']} samples)", file=stream)
    say(f"netgrad: wrote {out}/ ({', '.join(_written(plotted))})")
    if diverged:
        print(f"netgrad: error: training diverged: {diverged} with --lr {opts['lr']:g}; try a smaller "
              f"--lr (the run was written to {out})", file=sys.stderr)
        return 1
    return 0


class DivergenceWatch(Callback):
    """A ``fit`` callback: stops training (at the epoch's end) once the smoothed batch loss (an
    exponential average over about ten batches, so that one noisy small batch does not count) is
    a hundred times the first batch's; ``message`` says where."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.smooth = 0.0
        self.epoch = 0
        self.message: str | None = None

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.epoch = epoch

    def on_batch_end(self, batch: int, logs: Any = None) -> None:
        lv = float((logs or {}).get("loss", float("nan")))
        if self.first is None:
            self.first = self.smooth = lv
        self.smooth = 0.9 * self.smooth + 0.1 * lv
        if self.message is None and self.smooth > 100 * max(self.first, 1e-12):
            self.message = (f"the loss grew from {self.first:.4g} (first batch) to {lv:.4g} in epoch "
                            f"{self.epoch}")
            self.stop_training = True


def _growth(history) -> str | None:
    """A description when the training loss grew by two orders of magnitude over its best."""
    losses = [v for v in history.history.get("loss", []) if v is not None]
    if len(losses) < 2:
        return None
    best = min(losses)
    i = losses.index(best)
    if losses[-1] > 100 * max(best, 1e-12) and losses[-1] > losses[0]:
        return f"the loss grew from {best:.4g} (epoch {i + 1}) to {losses[-1]:.4g} (epoch {len(losses)})"
    return None


def _build(opts: dict[str, Any], ds: _data.Dataset):
    """The task, objective, classes and scaler from the options and data; the network, seeded."""
    import netgrad as ng
    from netgrad.estimators import network

    from . import _run

    task, doubt = _data.infer_task(np.concatenate([ds.y_train, ds.y_test]), opts["task"], ds.target)
    if doubt:
        print(f"netgrad: warning: {doubt}", file=sys.stderr)
    try:
        default_loss = "cross_entropy" if task == "classification" else "mse"
        obj = network.objective(opts["loss"] or default_loss, task)
        network.make_activation(opts["activation"])
    except ValueError as e:
        raise UsageError(str(e)) from None
    classes = None
    if task == "classification":
        classes = np.unique(np.concatenate([ds.y_train, ds.y_test]))
        if len(classes) < 2:
            raise CLIError(f"{ds.name}: the target has a single class ({classes[0]!r})")
        n_out = len(classes)
    else:
        n_out = 1 if ds.y_train.ndim == 1 else ds.y_train.shape[1]
    scale = opts["scale"]
    if scale == "auto":
        scale = "none" if str(opts["data"]).lower() == "mnist" else "standard"
    spec = {
        "format": _run.SPEC_FORMAT, "version": 1, "n_features": int(ds.X_train.shape[1]),
        "hidden": list(opts["hidden"]), "n_outputs": n_out, "activation": opts["activation"],
        "dropout": opts["dropout"], "task": task, "loss": obj.name, "classes": classes,
        "scaler": _run.Scaler.fit(scale, ds.X_train).to_json(), "feature_names": ds.feature_names,
        "target": ds.target,
        "encoder": ds.info["encoder"].to_json() if ds.info.get("encoder") is not None else None,
        "target_scaler": (_run.TargetScaler.fit(ds.y_train).to_json()
                          if task == "regression" and opts["scale_target"] != "none" else None),
        "data": (str(opts["data"]) if _data.is_builtin(opts["data"]) or str(opts["data"]) == "-"
                 else str(Path(opts["data"]).resolve())),
    }
    if task == "regression" and ds.y_train.dtype.kind not in "iuf":
        raise CLIError(f"{ds.name}: a regression target must be numbers (it holds text such as "
                       f"{ds.y_train[0]!r})")
    with ng.autograd.random.use_generator(ng.Generator(opts["seed"])):  # the initial weights, from
        return _run.TrainedModel.build(spec)  # the run's own stream (the global one is left alone)


def _optimizer(opts: dict[str, Any], model):
    import netgrad.optim as optim

    if opts["optimizer"] == "sgd":
        return optim.SGD(model.parameters(), lr=opts["lr"], momentum=opts["momentum"],
                         nesterov=bool(opts["nesterov"] and opts["momentum"] > 0),
                         weight_decay=opts["weight_decay"])
    return optim.Adam(model.parameters(), lr=opts["lr"], weight_decay=opts["weight_decay"])


def _fmt(name: str, v: float) -> str:
    return f"{v:.2%}" if name == "accuracy" else f"{v:.4g}"


def _written(plotted: bool) -> list[str]:
    from . import _run

    files = [_run.MODEL_FILE, _run.SPEC_FILE, _run.CHECKPOINT_FILE, _run.HISTORY_FILE, _run.CONFIG_FILE,
             _run.METRICS_FILE]
    return files + ([_run.PLOT_FILE] if plotted else [])
