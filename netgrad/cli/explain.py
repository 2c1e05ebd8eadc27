"""``netgrad explain``: one step of backpropagation with the numbers, in the notes' notation.

Either a run folder written by ``netgrad train`` (its model), or a small network given by flags:

    netgrad explain --layers 2,2,1 --activation linear --weights '[[[0.1,0.4],[0.8,0.6]],[[0.3],[0.9]]]'
        --x 0.35,0.9 --y 1 --loss squared

Weights are given per layer in the notes' orientation, inputs x outputs (net = a W + b).
Notation: ``--delta=-dJ/dnet`` or ``--delta minus`` (the delta-rule texts' sign),
``--first-layer 1`` (a^(1) = x),
``--augmented`` (Theta^(i) with the bias column), ``--names beta,theta`` (or a JSON dict
``{"W^(1)": "beta", "a^(1)": "h"}``). A last layer and a loss that do not fit (e.g. softmax and
cross_entropy on logits) are traced as meant or refused with the reason, never traced wrongly.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from ._common import ACTIVATIONS as TRAIN_ACTIVATIONS
from ._common import CLIError, UsageError, activation, comma_ints, nonneg_float, nonneg_int, positive_int

HELP = "show one step of backpropagation (forward, deltas, gradients, update) with the numbers"

LOSSES = ("squared", "mse", "half_mse", "cross_entropy", "bce", "log_likelihood", "bce_with_logits", "nll",
          "cross_entropy_probs")
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "step")
# --activation takes the names 'netgrad train' takes; the output layer may also be softmax or step
OUTPUT_ACTIVATIONS = (*TRAIN_ACTIVATIONS, "softmax", "step")
MAX_WEIGHTS = 100_000  # every number is printed: a bigger --layers network is refused before it is built


def output_activation(value: Any) -> str:
    name = str(value).strip().lower()
    return name if name in ("softmax", "step") else activation(value)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?", help="a run folder written by 'netgrad train' (or its model file); "
                   "omit it to give the network with --layers")
    p.add_argument("--layers", type=comma_ints, help="layer sizes, e.g. 2,2,1")
    p.add_argument("--activation", default="linear", type=activation, metavar="NAME",
                   help=f"hidden (and output) activation: {', '.join(TRAIN_ACTIVATIONS)}, as 'netgrad "
                        "train' (default linear)")
    p.add_argument("--output-activation", type=output_activation, metavar="NAME",
                   help="output activation, if different (also softmax or step)")
    p.add_argument("--weights", help="JSON list of the layers' weight matrices, inputs x outputs "
                   "(default: random, see --seed)")
    p.add_argument("--biases", help="JSON list of the layers' bias vectors (default: no biases)")
    p.add_argument("--x", required=True, help="one example (0.35,0.9) or a JSON batch ([[..],[..]])")
    p.add_argument("--y", required=True, help="its target(s): 1, 0.5,1 or a JSON list; class indices "
                   "for cross_entropy")
    p.add_argument("--loss", choices=LOSSES, help="objective (default: the run's own loss for a run "
                   "folder, squared J = sum (y - y_hat)^2 for --layers)")
    p.add_argument("--lr", type=nonneg_float, default=0.1, help="learning rate eta (default 0.1)")
    p.add_argument("--format", default="text", choices=("text", "markdown", "latex", "html"))
    p.add_argument("--delta", default="+dJ/dnet", choices=("+dJ/dnet", "-dJ/dnet", "plus", "minus"),
                   help="delta's sign: +dJ/dnet (plus, the default) or -dJ/dnet (minus: delta = (t - z) "
                        "f'(net)); "
                   "write --delta=-dJ/dnet or --delta minus")
    p.add_argument("--first-layer", type=int, default=0, choices=(0, 1),
                   help="the input layer's index: 0 (a^(0) = x, default) or 1 (a^(1) = x)")
    p.add_argument("--augmented", action="store_true",
                   help="show Theta^(i), N_(i+1) x (N_i + 1), the bias as column 0 (the weight on x_0 = 1)")
    p.add_argument("--names", help="weight names per layer (beta,theta) or a JSON dict of new names "
                   "({\"W^(1)\": \"beta\", \"a^(1)\": \"h\"})")
    p.add_argument("--digits", type=positive_int, default=6, help="significant digits (default 6)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="seed for random weights (default 0)")
    p.add_argument("--json", action="store_true", help="the trace's numbers as JSON")


def _parse_values(text: str, what: str) -> Any:
    s = text.strip()
    try:
        if s.startswith("["):
            return json.loads(s)
        return [float(v) for v in s.split(",") if v.strip()]
    except (ValueError, json.JSONDecodeError):
        raise UsageError(f"--{what}: expected numbers like 0.35,0.9 or a JSON list, got {text!r}") from None


def _json(text: str | None, what: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"--{what}: not valid JSON ({e.msg} at position {e.pos})") from None


def _model_from_flags(args: argparse.Namespace) -> Any:
    import netgrad as ng
    from netgrad.explain import network

    if not args.layers or len(args.layers) < 2:
        raise UsageError("give a run folder or --layers with at least two sizes (e.g. --layers 2,2,1)")
    weights = _json(args.weights, "weights")
    if weights is None:
        rng = np.random.default_rng(args.seed)
        weights = [rng.normal(0, 1 / np.sqrt(a), size=(a, b)).tolist()
                   for a, b in zip(args.layers[:-1], args.layers[1:])]
    try:
        with ng.no_grad():
            built = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "step")
            if args.activation in built and (args.output_activation or "linear") in built:
                return network(args.layers, weights=weights, biases=_json(args.biases, "biases"),
                               activation=args.activation, output_activation=args.output_activation)
            linears = list(network(args.layers, weights=weights, biases=_json(args.biases, "biases")))
    except ValueError as e:
        raise UsageError(str(e).replace("network: ", "")) from None
    mods: list = []
    for i, lin in enumerate(linears):  # activations network() does not build (elu, gelu, ...)
        name = args.output_activation if i == len(linears) - 1 and args.output_activation else args.activation
        mods += [lin] + ([] if name == "linear" else [_activation_module(name)])
    return ng.nn.Sequential(*mods)


def _activation_module(name: str) -> Any:
    import netgrad.nn as nn

    if name == "softmax":
        return nn.Softmax(dim=1)
    classes = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU",
               "gelu": "GELU", "softplus": "Softplus", "silu": "SiLU", "step": "Step"}
    return getattr(nn, classes[name])()


def _check_layers(args: argparse.Namespace, x: np.ndarray) -> None:
    """--layers within the size limit and --x as wide as its input layer, before anything is built."""
    if not args.layers or len(args.layers) < 2:
        raise UsageError("give a run folder or --layers with at least two sizes (e.g. --layers 2,2,1)")
    n_weights = sum(a * b for a, b in zip(args.layers[:-1], args.layers[1:]))
    if n_weights > MAX_WEIGHTS:
        sizes = ",".join(map(str, args.layers))
        raise UsageError(f"--layers {sizes} has {n_weights} weights; explain prints every number and "
                         f"takes at most {MAX_WEIGHTS}")
    width = x.shape[-1] if x.ndim else 1
    if width != args.layers[0]:
        raise UsageError(f"--x has {width} values per example, the input layer (--layers "
                         f"{args.layers[0]},...) expects {args.layers[0]}")


def _model_from_run(path: Path) -> Any:
    """The trained model of a run folder written by ``netgrad train`` (``model.json`` + weights)."""
    from ._run import load_model

    return load_model(path)


def run(args: argparse.Namespace) -> int:
    import netgrad as ng

    if args.model and args.layers:
        raise UsageError("give either a run folder or --layers, not both")
    x = np.asarray(_parse_values(args.x, "x"), dtype=np.float64)
    y = np.asarray(_parse_values(args.y, "y"))
    for what, v in (("x", x), ("y", y)):
        if v.dtype.kind in "fc" and not np.all(np.isfinite(v)):
            raise UsageError(f"--{what}: every value must be a finite number, got {getattr(args, what)!r}")
    if x.size == 0:
        raise UsageError("--x: no values given")
    loss: Any = args.loss
    if args.model:
        trained = _model_from_run(Path(args.model))
        model = trained.model
        X2 = x.reshape(1, -1) if x.ndim == 1 else x
        trained.check_features(X2, "--x")
        x = trained.scaler(X2)  # the network sees the inputs as in training
        if loss is None:
            loss = trained.loss_fn()
            y = trained.encode(y.reshape(-1) if trained.task != "regression" else y)
        if not args.json:
            name = getattr(loss, "__name__", type(loss).__name__) if not isinstance(loss, str) else loss
            print(f"Run {args.model}: inputs scaled as in training ({trained.scaler.kind}); loss {name}")
    else:
        _check_layers(args, x)
        model = _model_from_flags(args)
        loss = loss or "squared"
    if isinstance(loss, str):
        n = 1 if x.ndim == 1 else x.shape[0]
        if (loss in ("cross_entropy", "nll", "cross_entropy_probs") and y.ndim <= 1 and y.size == n
                and np.all(np.mod(y, 1) == 0)):
            y = y.astype(np.int64)
        else:
            y = y.astype(np.float64)
    names: Any = None
    if args.names:
        names = _json(args.names, "names") if args.names.strip().startswith("{") else [
            n.strip() for n in args.names.split(",") if n.strip()]
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, in one line
            trace = ng.explain(model, x, y, loss=loss, lr=args.lr, digits=args.digits, delta=args.delta,
                               first_layer=args.first_layer, augmented=args.augmented, names=names)
    except (ValueError, TypeError, ng.ShapeError) as e:
        raise CLIError(" ".join(str(e).split())) from None
    if not np.isfinite(trace.loss):  # finite inputs can still overflow float64 on the way
        raise UsageError(f"the forward pass overflows float64 on --x {args.x} (the loss is {trace.loss}); "
                         "give smaller values")
    render = {"text": trace.to_text, "markdown": trace.to_markdown, "latex": trace.to_latex,
              "html": trace.to_html}[args.format]
    if args.json:
        import dataclasses

        from ._run import to_jsonable

        print(json.dumps(to_jsonable(dataclasses.asdict(trace))))
        return 0
    print(render(), end="")
    return 0
