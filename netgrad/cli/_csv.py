"""Real-world CSV files for the command line: a byte-order mark, ``;`` or tab separators (with
decimal commas), ``.csv.gz``, ``-`` for standard input, missing values, text columns and
duplicate names. ``read_table`` gives the cells; ``Encoder`` turns feature columns into a float32
matrix (numbers as they are, text one-hot, missing values imputed or refused) and is saved with a
model, so that ``predict`` and ``evaluate`` encode new rows the same way.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._common import CLIError

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "#n/a"})
IMPUTE = ("mean", "median", "most_frequent")
MAX_CATEGORIES = 100          # a text column with more distinct values is refused (an id? free text?)
F32_MAX = float(np.finfo(np.float32).max)
_STDIN_CACHE: dict[str, str] = {}


@dataclass
class Table:
    """A CSV's cells by column; ``lines[i]`` is row i's line number in the file (for messages)."""

    source: str
    names: list[str]
    columns: list[list[str]]
    lines: list[int]
    has_header: bool
    decimal_comma: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.lines)

    def index(self, name: str) -> int:
        return self.names.index(name)


def read_text(path: str | Path, what: str = "data file") -> tuple[str, str]:
    """(text, name for messages) of a file, ``.gz`` file or ``-`` (standard input, read once)."""
    p = str(path)
    if p == "-":
        if "-" not in _STDIN_CACHE:
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
            _STDIN_CACHE["-"] = _decode(data, "<stdin>")
        return _STDIN_CACHE["-"], "<stdin>"
    file = Path(p)
    if not file.is_file():
        raise CLIError(f"{what} not found: {p}")
    try:
        data = file.read_bytes()
    except OSError as e:
        raise CLIError(f"cannot read {p}: {_short(e)}") from None
    return _decode(data, p), p


def _decode(data: bytes, name: str) -> str:
    if data[:2] == b"\x1f\x8b":  # gzip, whatever the name says
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise CLIError(f"cannot read {name}: {_short(e)}") from None
    try:
        return data.decode("utf-8-sig")  # drops a byte-order mark
    except UnicodeDecodeError as e:
        raise CLIError(f"cannot read {name}: not UTF-8 text (byte {e.start})") from None


def sniff_delimiter(lines: list[str]) -> str:
    """Tab, ``;`` or ``,``: the first that splits every sample line into the same number (> 1) of
    fields; ``;`` and tab before ``,`` because ``1,5;2,0`` is a semicolon file with decimal commas,
    unless they occur only inside quoted fields of a comma-separated file."""
    sample = [ln for ln in lines[:50] if ln.strip()]
    consistent = []
    for d in ("\t", ";", ","):
        try:
            rows = list(csv.reader(sample, delimiter=d))
        except csv.Error:
            continue
        widths = {len(r) for r in rows}
        if len(widths) == 1 and widths.pop() > 1:
            consistent.append((d, rows))
    if consistent:
        by_comma = dict(consistent).get(",")
        for d, _ in consistent:
            if d != "," and by_comma is not None and all(
                    f'"{f}"' in ln for r, ln in zip(by_comma, sample) for f in r if d in f):
                continue  # the tab/semicolon is only ever inside a quoted field
            return d
    counts = {d: sum(ln.count(d) for ln in sample) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: str | Path, what: str = "data file") -> Table:
    """The cells of a CSV with a header (detected: a first row with a cell that is not a number)."""
    text, name = read_text(path, what)
    lines = text.splitlines()
    delim = sniff_delimiter(lines)
    try:
        raw = [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text), delimiter=delim), 1)
               if r and any(c.strip() for c in r)]
    except csv.Error as e:
        raise CLIError(f"cannot read {name}: {_short(e)}") from None
    if not raw:
        raise CLIError(f"{name} is empty")
    first = [c.strip() for c in raw[0][1]]
    decimal_comma = delim != "," and _uses_decimal_comma(raw[1:50] if len(raw) > 1 else raw)
    has_header = not all(_is_number(c, decimal_comma) or c.lower() in MISSING for c in first)
    width = len(first)
    if has_header:
        names = [c or f"column {j + 1}" for j, c in enumerate(first)]
        seen: dict[str, int] = {}
        for n in names:
            seen[n] = seen.get(n, 0) + 1
        dup = [n for n, k in seen.items() if k > 1]
        if dup:
            raise CLIError(f"{name}: duplicate column name(s) {', '.join(map(repr, dup))}; "
                           "rename them so that each column has its own name")
        body = raw[1:]
    else:
        names = [str(j) for j in range(width)]
        body = raw
    if not body:
        raise CLIError(f"{name} has a header but no data rows")
    for line, r in body:
        if len(r) != width:
            raise CLIError(f"{name}, line {line}: {len(r)} fields, expected {width} "
                           f"(separator {_show(delim)})")
    columns = [[r[j].strip() for _, r in body] for j in range(width)]
    # a separator at the end of every line (spreadsheet exports) makes an empty, unnamed column
    keep = [j for j in range(width) if (has_header and first[j]) or any(columns[j])]
    if len(keep) < width:
        names = [names[j] for j in keep] if has_header else [str(k) for k in range(len(keep))]
        columns = [columns[j] for j in keep]
    return Table(name, names, columns, [ln for ln, _ in body], has_header, decimal_comma)


def _show(delim: str) -> str:
    return {"\t": "tab", ";": "';'", ",": "','"}[delim]


def _uses_decimal_comma(rows: list[tuple[int, list[str]]]) -> bool:
    cells = [c.strip() for _, r in rows for c in r]
    return any("," in c and _is_number(c, True) and not _is_number(c, False) for c in cells)


def _is_number(cell: str, decimal_comma: bool = False) -> bool:
    try:
        float(cell.replace(",", ".") if decimal_comma else cell)
        return True
    except ValueError:
        return False


def is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING


def numeric_column(table: Table, j: int, *, allow_missing: bool) -> np.ndarray | None:
    """Column j as float64 (NaN where missing), or None when it holds text. A value too large
    for float32, or infinite, is an error naming file, line and column."""
    col = table.columns[j]
    out = np.empty(len(col), dtype=np.float64)
    for i, cell in enumerate(col):
        if is_missing(cell):
            if not allow_missing:
                raise missing_error(table, i, j)
            out[i] = np.nan
            continue
        try:
            v = float(cell.replace(",", ".") if table.decimal_comma else cell)
        except ValueError:
            return None
        if not math.isfinite(v) or abs(v) > F32_MAX:
            raise CLIError(f"{where(table, i, j)}: {cell!r} is "
                           f"{'not a finite number' if not math.isfinite(v) else 'too large'} "
                           f"(values must be finite and within +-{F32_MAX:.3g})")
        out[i] = v
    return out


def where(table: Table, i: int, j: int) -> str:
    return f"{table.source}, line {table.lines[i]}, column {table.names[j]!r}"


def missing_error(table: Table, i: int, j: int) -> CLIError:
    n = sum(is_missing(c) for c in table.columns[j])
    more = f" ({n} missing in this column)" if n > 1 else ""
    return CLIError(f"{where(table, i, j)}: missing value{more}; fill it in, drop the row, "
                    f"or pass --impute {'|'.join(IMPUTE)}")


class Encoder:
    """Feature columns -> float32 matrix. ``spec``: one entry per column, ``{"name", "kind":
    "number"|"category", "fill": value or None, "categories": [...]}``; ``impute``: the strategy
    used for missing values (None: a missing value is an error)."""

    def __init__(self, spec: list[dict], impute: str | None = None):
        self.spec, self.impute = spec, impute

    @classmethod
    def fit(cls, table: Table, columns: list[int], rows: np.ndarray, impute: str | None) -> Encoder:
        spec = []
        for j in columns:
            values = numeric_column(table, j, allow_missing=True)
            cells = [table.columns[j][i] for i in rows]
            if values is None:
                cats = sorted({c for c in cells if not is_missing(c)})
                if len(cats) > MAX_CATEGORIES:
                    raise CLIError(f"{table.source}: column {table.names[j]!r} holds text with {len(cats)} "
                                   f"distinct values (at most {MAX_CATEGORIES} are one-hot encoded); "
                                   "drop it or map it to numbers")
                fill = _most_frequent(cells) if impute else None
                spec.append({"name": table.names[j], "kind": "category", "categories": cats, "fill": fill})
            else:
                v = values[rows]
                fill = None
                if impute:  # kept for every column: new rows may miss what training rows had
                    fill = _fill(v[~np.isnan(v)], impute, table.names[j])
                spec.append({"name": table.names[j], "kind": "number", "fill": fill})
        return cls(spec, impute)

    @property
    def n_features(self) -> int:
        return sum(len(s["categories"]) if s["kind"] == "category" else 1 for s in self.spec)

    @property
    def feature_names(self) -> list[str]:
        out: list[str] = []
        for s in self.spec:
            out += [f"{s['name']}={c}" for c in s["categories"]] if s["kind"] == "category" else [s["name"]]
        return out

    def transform(self, table: Table, by_name: bool) -> np.ndarray:
        """The matrix for a table: columns found by name (``by_name``) or by position."""
        if by_name:
            missing = [s["name"] for s in self.spec if s["name"] not in table.names]
            if missing:
                raise CLIError(f"{table.source} lacks the model's feature column(s): "
                               f"{', '.join(missing[:5])}")
            idx = [table.index(s["name"]) for s in self.spec]
        else:
            if len(table.names) != len(self.spec):
                raise CLIError(f"{table.source} has {len(table.names)} columns, the model expects "
                               f"{len(self.spec)}")
            idx = list(range(len(self.spec)))
        holes = [(i, j) for s, j in zip(self.spec, idx) if s.get("fill") is None
                 for i in [next((i for i, c in enumerate(table.columns[j]) if is_missing(c)), None)]
                 if i is not None]
        if holes:  # the first in reading order
            raise missing_error(table, *min(holes))
        parts = []
        for s, j in zip(self.spec, idx):
            if s["kind"] == "number":
                v = numeric_column(table, j, allow_missing=True)
                if v is None:
                    bad = next(i for i, c in enumerate(table.columns[j])
                               if not is_missing(c) and not _is_number(c, table.decimal_comma))
                    raise CLIError(f"{where(table, bad, j)}: {table.columns[j][bad]!r} is not a number")
                v[np.isnan(v)] = s.get("fill") or 0.0  # (no fill: no missing values, checked above)
                parts.append(v[:, None])
            else:
                cats = {c: k for k, c in enumerate(s["categories"])}
                block = np.zeros((table.n_rows, len(cats)))
                for i, c in enumerate(table.columns[j]):
                    if is_missing(c):
                        c = s["fill"]
                    k = cats.get(c)
                    if k is not None:  # a category not seen in training: all zeros
                        block[i, k] = 1.0
                parts.append(block)
        X = np.concatenate(parts, axis=1) if parts else np.zeros((table.n_rows, 0))
        return X.astype(np.float32)

    def to_json(self) -> dict:
        return {"impute": self.impute, "columns": self.spec}

    @classmethod
    def from_json(cls, d: dict | None) -> Encoder | None:
        if not d:
            return None
        return cls(list(d["columns"]), d.get("impute"))


def _fill(v: np.ndarray, how: str, name: str) -> float:
    if v.size == 0:
        raise CLIError(f"column {name!r} has no values to impute from")
    if how == "mean":
        return float(v.mean())
    if how == "median":
        return float(np.median(v))
    vals, counts = np.unique(v, return_counts=True)
    return float(vals[np.argmax(counts)])


def _most_frequent(cells: list[str]) -> str | None:
    seen = [c for c in cells if not is_missing(c)]
    if not seen:
        return None
    vals, counts = np.unique(np.asarray(seen), return_counts=True)
    return str(vals[np.argmax(counts)])


def target_values(table: Table, j: int) -> np.ndarray:
    """The target column: float64 numbers, or strings for class names; missing is an error."""
    for i, c in enumerate(table.columns[j]):
        if is_missing(c):
            raise CLIError(f"{where(table, i, j)}: the target is missing (rows without a target "
                           "cannot be used; drop them)")
    v = numeric_column(table, j, allow_missing=False)
    if v is None:
        return np.asarray(table.columns[j])
    if np.all(np.mod(v, 1) == 0) and np.all(np.abs(v) < 2.0 ** 53):
        return v.astype(np.int64)  # class labels print as 3, not 3.0
    return v


def _short(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__
