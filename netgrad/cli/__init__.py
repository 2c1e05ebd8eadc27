"""The ``netgrad`` command: ``netgrad train``, ``netgrad evaluate``, ``netgrad predict``.

Each subcommand is one module with ``HELP`` (a line), ``add_arguments(parser)`` and
``run(args) -> int``. To add one, add a line to ``COMMANDS``.

Errors a user can cause (bad flags, missing files, wrong shapes) print one line on stderr and
exit nonzero (2 for usage errors, 1 otherwise), never a traceback. Set ``NETGRAD_DEBUG=1`` to
see the traceback of an unexpected error.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from ._common import ArgumentParser, CLIError

# name -> module implementing it (HELP, add_arguments, run)
COMMANDS: dict[str, str] = {
    "train": "netgrad.cli.train",
    "evaluate": "netgrad.cli.evaluate",
    "predict": "netgrad.cli.predict",
    "explain": "netgrad.cli.explain",
    "playground": "netgrad.cli.playground",
}


def build_parser() -> ArgumentParser:
    from netgrad import __version__

    parser = ArgumentParser(prog="netgrad", description="Train, evaluate and use netgrad networks.")
    parser.add_argument("--version", action="version", version=f"netgrad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run, _parser=p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "_run", None) is None:
            names = ", ".join(COMMANDS)
            print(f"netgrad: error: a command is required ({names}; see 'netgrad --help')", file=sys.stderr)
            return 2
        return int(args._run(args) or 0)
    except CLIError as e:
        print(f"netgrad: error: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("netgrad: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `netgrad predict ... | head`: the reader left; not an error worth a line
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that the exit flush cannot fail again
        except OSError:
            pass
        return 141
    except SystemExit as e:  # argparse's --help / --version / usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Exception as e:  # noqa: BLE001 - the promise is "no traceback" for any failure
        if os.environ.get("NETGRAD_DEBUG"):
            raise
        print(f"netgrad: error: {type(e).__name__}: {_one_line(str(e))}", file=sys.stderr)
        return 1


def _one_line(msg: str) -> str:
    return " ".join(msg.split()) or "unexpected failure (set NETGRAD_DEBUG=1 for the traceback)"
