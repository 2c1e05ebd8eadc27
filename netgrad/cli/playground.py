"""``netgrad playground``: a local web page to step through forward and backward propagation."""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser

from ._common import CLIError

HELP = "Open the playground: a local page that steps through backpropagation with the numbers."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8765,
                   help="port to listen on (default 8765; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")


def run(args: argparse.Namespace) -> int:
    from netgrad.playground import make_server

    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port must be from 0 to 65535, got {args.port}", 2)
    try:
        server = make_server(args.host, args.port)
    except OSError as e:
        raise CLIError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    url = server.url
    print(f"netgrad playground: {url}  (Ctrl-C stops it)", file=sys.stderr, flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"netgrad playground: listening on {args.host}: other machines can reach it", file=sys.stderr)
    if not args.no_browser:
        threading.Timer(0.3, webbrowser.open, (url + "?preset=worked-221",)).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
