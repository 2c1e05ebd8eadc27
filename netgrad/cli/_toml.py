"""TOML for config files: ``tomllib`` (3.11+), else ``tomli``, else a small parser for the subset
a config needs (tables, ``key = value`` with strings, numbers, booleans and flat arrays).
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path
from typing import Any

try:  # pragma: no cover - which branch runs depends on the Python version
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover
    try:
        import tomli as _toml  # type: ignore[no-redef]
    except ModuleNotFoundError:
        _toml = None  # type: ignore[assignment]

TOMLError: type[Exception] = _toml.TOMLDecodeError if _toml is not None else ValueError


MAX_DEPTH = 32  # arrays/inline tables nested deeper are refused before parsing (no RecursionError)
MAX_BYTES = 1 << 20


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; ValueError for a file over 1 MiB or nested over ``MAX_DEPTH``."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES >> 20} MiB; a config file is a few lines")
    text = path.read_text(encoding="utf-8")
    check_depth(text)
    return _toml.loads(text) if _toml is not None else parse_simple_toml(text)


def check_depth(text: str) -> None:
    """Refuse brackets nested deeper than ``MAX_DEPTH`` (outside strings and comments)."""
    depth, quote, comment = 0, None, False
    for lineno, line in enumerate(text.splitlines(), 1):
        quote, comment = None, False
        for ch in line:
            if comment:
                break
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                comment = True
            elif ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise ValueError(f"line {lineno}: arrays or tables nested more than {MAX_DEPTH} deep")
            elif ch in "]}":
                depth = max(depth - 1, 0)
        # a table header [name] closes on its line; an array may span lines


def parse_simple_toml(text: str) -> dict[str, Any]:
    """The subset of TOML a config file needs; raises ValueError naming the line otherwise.

    >>> parse_simple_toml('lr = 0.1  # step\\nhidden = [128, 64]\\n[train]\\nquiet = true')
    {'lr': 0.1, 'hidden': [128, 64], 'train': {'quiet': True}}
    """
    root: dict[str, Any] = {}
    table = root
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        m = re.fullmatch(r"\[\s*([A-Za-z0-9_\-]+)\s*\]", line)
        if m:
            table = root.setdefault(m.group(1), {})
            continue
        key, sep, value = line.partition("=")
        key = key.strip().strip('"')
        if not sep or not re.fullmatch(r"[A-Za-z0-9_\-]+", key):
            raise ValueError(f"line {lineno}: expected 'key = value', got {raw.strip()!r}")
        try:
            table[key] = _value(value.strip())
        except (ValueError, SyntaxError):
            raise ValueError(f"line {lineno}: cannot read the value {value.strip()!r}") from None
    return root


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif ch == "#" and quote is None:
            return line[:i]
    return line


def _value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text in ("inf", "+inf", "-inf", "nan"):
        return float(text)
    if text.startswith("["):
        inner = text[1:-1] if text.endswith("]") else None
        if inner is None:
            raise ValueError(text)
        return [_value(p.strip()) for p in _split_items(inner) if p.strip()]
    quoted = text[:1] in ("\"", "'")
    value = ast.literal_eval(text if quoted else text.replace("_", ""))
    if not isinstance(value, (str, int, float)):
        raise ValueError(text)
    return value


def _split_items(inner: str) -> list[str]:
    items, depth, quote, cur = [], 0, None, ""
    for ch in inner:
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif quote is None and ch == "[":
            depth += 1
        elif quote is None and ch == "]":
            depth -= 1
        if ch == "," and depth == 0 and quote is None:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    return [*items, cur]


def dumps_toml(values: dict[str, Any]) -> str:
    """Flat ``key = value`` lines (strings, numbers, booleans, lists of them)."""
    return "".join(f"{k} = {_dump(v)}\n" for k, v in values.items())


def _dump(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_dump(x) for x in v) + "]"
    s = str(v)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
