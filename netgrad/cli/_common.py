"""Shared by the subcommands: one-line errors, flags merged over a TOML config file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from ._toml import TOMLError, dumps_toml, load_toml


class CLIError(Exception):
    """A failure the user can fix; printed as one line. ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


class UsageError(CLIError):
    """A bad flag, option value or config entry: exit status 2, as argparse's own."""

    def __init__(self, message: str):
        super().__init__(message, code=2)


class ArgumentParser(argparse.ArgumentParser):
    """argparse with a one-line error (``PROG: error: MSG (see PROG --help)``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def comma_ints(value: Any) -> list[int]:
    """``"128,64"``, ``[128, 64]`` or ``128`` -> ``[128, 64]``; ``""`` / ``"none"`` -> ``[]``."""
    if isinstance(value, bool):
        raise argparse.ArgumentTypeError(f"expected layer sizes like 128,64, got {value!r}")
    if isinstance(value, int):
        items: list[Any] = [value]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        text = str(value).strip()
        items = [] if text.lower() in ("", "none", "()", "[]") else text.strip("()[]").split(",")
    try:
        sizes = [int(str(v).strip()) for v in items if str(v).strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 128,64, got {value!r}") from None
    if any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {value!r}")
    return sizes


# Hidden-layer activations, the same names for ``train`` and ``explain`` (aliases accepted by both)
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "silu")
ACTIVATION_ALIASES = {"identity": "linear", "logistic": "sigmoid", "leakyrelu": "leaky_relu", "swish": "silu"}


def activation(value: Any) -> str:
    """An activation name in its canonical spelling (``logistic`` -> ``sigmoid``)."""
    name = str(value).strip().lower().replace("-", "_")
    name = ACTIVATION_ALIASES.get(name, name)
    if name not in ACTIVATIONS:
        raise argparse.ArgumentTypeError(f"unknown activation {value!r}; choose from "
                                         f"{', '.join(ACTIVATIONS)}")
    return name


def nonneg_int(value: Any) -> int:
    n = _number(value, int)
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value!r}")
    return n


def positive_int(value: Any) -> int:
    n = _number(value, int)
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def positive_float(value: Any) -> float:
    x = _number(value, float)
    if not x > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}")
    return x


def nonneg_float(value: Any) -> float:
    x = _number(value, float)
    if not x >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value!r}")
    return x


def fraction(value: Any) -> float:
    x = _number(value, float)
    if not 0.0 <= x < 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {value!r}")
    return x


def _number(value: Any, kind: type) -> Any:
    if isinstance(value, bool):
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}")
    try:
        x = kind(value)
        if kind is int and isinstance(value, float) and x != value:
            raise ValueError
        return x
    except (TypeError, ValueError):
        what = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {what}, got {value!r}") from None


def resolve_options(parser: argparse.ArgumentParser, args: argparse.Namespace,
                    defaults: dict[str, Any]) -> dict[str, Any]:
    """Defaults, then the ``--config`` file's entries, then the flags given on the command line.

    Options are declared with ``default=argparse.SUPPRESS`` so that a flag's absence is visible.
    Config keys are the long flag names, with ``-`` or ``_``; they go through the flag's own type
    and choices, so a bad entry fails like a bad flag.
    """
    given = {k: v for k, v in vars(args).items() if k in defaults or k == "config"}
    config_path = given.get("config")
    from_config: dict[str, Any] = {}
    if config_path:
        from_config = read_config(parser, Path(config_path))
    return {**defaults, **from_config, **given}


def read_config(parser: argparse.ArgumentParser, path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CLIError(f"config file not found: {path}")
    try:
        raw = load_toml(path)
    except (TOMLError, UnicodeDecodeError, OSError, ValueError) as e:
        raise UsageError(f"cannot read config {path}: {_short(e)}") from None
    except RecursionError:
        raise UsageError(f"cannot read config {path}: nested too deeply") from None
    # Entries may sit at the top level or under a table named after a subcommand (this one's
    # entries are used, another's are skipped); any other table is a mistake.
    from . import COMMANDS

    sub = parser.prog.split()[-1]
    for key, value in raw.items():
        if isinstance(value, dict) and key not in COMMANDS:
            raise UsageError(f"unknown table [{key}] in config {path} (tables: {', '.join(COMMANDS)})")
    if isinstance(raw.get(sub), dict):
        nested = [k for k, v in raw[sub].items() if isinstance(v, dict)]
        if nested:
            raise UsageError(f"unknown table [{sub}.{nested[0]}] in config {path}")
        raw = {**{k: v for k, v in raw.items() if not isinstance(v, dict)}, **raw[sub]}
    actions = {a.dest: a for a in parser._actions if a.option_strings}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            continue  # another subcommand's table
        dest = key.replace("-", "_")
        action = actions.get(dest)
        if action is None or dest in ("config", "help"):
            raise UsageError(f"unknown option '{key}' in config {path}")
        out[dest] = _convert(action, value, key, path)
    return out


def _convert(action: argparse.Action, value: Any, key: str, path: Path) -> Any:
    flag = action.option_strings[-1]
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        if not isinstance(value, bool):
            raise UsageError(f"config {path}: '{key}' must be true or false, got {value!r}")
        return value if isinstance(action, argparse._StoreTrueAction) else not value
    if action.type is not None:
        try:
            value = action.type(value)
        except (argparse.ArgumentTypeError, TypeError, ValueError) as e:
            raise UsageError(f"config {path}: '{key}' ({flag}): {_short(e)}") from None
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise UsageError(f"config {path}: '{key}' must be one of {choices}, got {value!r}")
    return value


def write_config(options: dict[str, Any], path: Path) -> None:
    """The options a run used, as TOML that ``--config`` reads back."""
    keep = {k.replace("_", "-"): v for k, v in options.items()
            if v is not None and k not in ("config", "out", "quiet", "json", "resume", "command")}
    path.write_text(dumps_toml(keep))


def _short(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__
