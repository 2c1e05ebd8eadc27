"""The playground's HTTP server: the static page and a small JSON API (standard library only).

``GET /`` the page; ``GET /static/app.js`` and ``/static/style.css``; ``GET /api/options`` the
choices and limits; ``POST /api/session`` ``{"config": {...}, "notation": {...}}`` a new session;
``POST /api/action`` ``{"id": ..., "action": "forward" | "backward" | "update" | "step" |
"epochs" | "reset" | "state", "epochs": n, "notation": {...}}``. Every answer is JSON; a bad
request gets 4xx with ``{"error": "field: what is wrong"}``. Nothing reads or writes files but the
three static ones, and no request runs code: configurations are plain values checked field by field.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from .config import ACTIVATIONS, DATASETS, INITS, LIMITS, LOSSES, MODES, PRESETS, RequestError, parse_config
from .session import Session
from .view import parse_notation, state

__all__ = ["PlaygroundServer", "make_server"]

_STATIC = {"/": ("index.html", "text/html; charset=utf-8"),
           "/index.html": ("index.html", "text/html; charset=utf-8"),
           "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
           "/static/style.css": ("style.css", "text/css; charset=utf-8")}
ACTIONS = ("forward", "backward", "update", "step", "epochs", "reset", "state")


class PlaygroundServer(ThreadingHTTPServer):
    """A threading HTTP server holding the sessions (least recently used dropped past the limit)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.sessions_lock = threading.Lock()
        self.static = {name: resources.files(__package__).joinpath("static", name).read_bytes()
                       for name, _ in _STATIC.values()}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"

    def new_session(self, s: Session) -> str:
        sid = secrets.token_hex(8)
        with self.sessions_lock:
            self.sessions[sid] = s
            while len(self.sessions) > LIMITS["sessions"]:
                self.sessions.popitem(last=False)
        return sid

    def session(self, sid: Any) -> Session:
        if not isinstance(sid, str) or len(sid) > 64:
            raise RequestError("id: must be the session id that /api/session returned")
        with self.sessions_lock:
            s = self.sessions.get(sid)
            if s is None:
                raise RequestError("id: no such session (expired or never made); start a new one", 404)
            self.sessions.move_to_end(sid)
        return s


def make_server(host: str = "127.0.0.1", port: int = 8765) -> PlaygroundServer:
    """The server bound to (host, port); port 0 picks a free one (see ``server.url``)."""
    return PlaygroundServer((host, port))


def options() -> dict[str, Any]:
    return {"presets": PRESETS, "datasets": DATASETS, "activations": ACTIVATIONS, "losses": LOSSES,
            "modes": MODES, "inits": INITS, "limits": LIMITS, "actions": ACTIONS}


class _Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    timeout = 15  # a client that stops sending does not hold a thread for ever
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet; the page is local
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, allow_nan=False).encode())

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path in _STATIC:
            name, ctype = _STATIC[path]
            self._send(200, self.server.static[name], ctype)
        elif path == "/api/options":
            self._json(200, options())
        else:
            self._json(404, {"error": f"path: no such page {path[:60]!r}"})

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        try:
            body = self._body()
            path = self.path.split("?", 1)[0]
            if path == "/api/session":
                self._json(200, self._create(body))
            elif path == "/api/action":
                self._json(200, self._action(body))
            else:
                raise RequestError(f"path: no API {path[:60]!r}; use /api/session or /api/action", 404)
        except RequestError as e:
            self._json(e.status, {"error": str(e)})
        except Exception as e:  # noqa: BLE001 - the server keeps serving; the page shows the message
            self._json(500, {"error": f"{type(e).__name__}: {str(e)[:300]}"})

    def _body(self) -> dict[str, Any]:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self.close_connection = True
            raise RequestError("body: a Content-Length header is required", 411)
        n = int(length)
        if n > LIMITS["body_bytes"]:
            self.close_connection = True
            raise RequestError(f"body: at most {LIMITS['body_bytes']} bytes, got {n}", 413)
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise RequestError(f"body: not valid JSON ({e})") from None
        if not isinstance(body, dict):
            raise RequestError("body: must be a JSON object")
        return body

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        nt = parse_notation(body.get("notation"))
        cfg = parse_config(body.get("config", {}))
        s = Session(cfg)
        sid = self.server.new_session(s)
        with s.lock:
            return state(s, nt, sid)

    def _action(self, body: dict[str, Any]) -> dict[str, Any]:
        nt = parse_notation(body.get("notation"))
        sid = body.get("id")
        s = self.server.session(sid)
        action = body.get("action")
        if action not in ACTIONS:
            raise RequestError(f"action: must be one of {', '.join(ACTIONS)}; got {action!r:.40}")
        epochs = body.get("epochs", 1)
        top = LIMITS["epochs_per_call"]
        if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= top:
            raise RequestError(f"epochs: must be an integer from 1 to {LIMITS['epochs_per_call']}, "
                               f"got {epochs!r:.40}")
        if not s.lock.acquire(timeout=10):  # a held Play waits its turn, and gives up rather than pile up
            raise RequestError("id: this session is busy with an earlier request; try again", 429)
        try:
            if action == "reset":
                fresh = Session(s.cfg)
                s.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "lock"})
            elif action == "epochs":
                s.run_epochs(epochs)
            elif action != "state":
                getattr(s, action)()
            return state(s, nt, sid)
        finally:
            s.lock.release()
