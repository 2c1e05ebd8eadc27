"""The notation a trace is printed in: delta's sign, the first layer's index, W and b or the
augmented Theta, and the symbols' names.

The numbers of a :class:`~netgrad.explain.Trace` are kept in one form (delta = +dJ/dnet, a^(0) = x,
W^(l) inputs x outputs); a :class:`Notation` only renames and re-signs them for printing and for
``Trace.quantities()``.

- ``delta``: '+dJ/dnet' (delta = dJ/dnet, the update is W - eta a^T delta) or '-dJ/dnet' (the delta-rule
  texts': delta = -dJ/dnet = (t - z) f'(net), the update is W + eta a^T delta).
- ``first_layer``: the input layer's index, 0 (a^(0) = x) or 1 (a^(1) = x).
- ``augmented``: show Theta^(i) of shape N_(i+1) x (N_i + 1), the bias as the weight on x_0 = 1
  (column 0), with net^(i+1) = Theta^(i) [1; a^(i)], instead of W^(l) and b^(l).
- ``names``: new names for symbols, e.g. ``{"W^(1)": "beta", "a^(1)": "h"}``, or a list of weight
  names (``["beta", "theta"]``: W^(1) is beta, b^(1) is beta_0, W^(2) theta, ...).

>>> n = Notation(first_layer=1, augmented=True)
>>> n.W(1).text, n.a(0).text, n.net(1).latex
('Theta^(1)', 'a^(1)', '\\\\mathrm{net}^{(2)}')
>>> Notation(names=["beta", "theta"]).dW(2).text
'dJ/dtheta'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

__all__ = ["Notation", "Sym", "DELTAS"]

DELTAS = ("+dJ/dnet", "-dJ/dnet")
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
          "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Theta", "Gamma",
          "Delta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega")
_LATEX_NAMES = {"net": r"\mathrm{net}", "y_hat": r"\hat y", "x": "x", "t": "t", "z": "z", "J": "J"}


@dataclass(frozen=True)
class Sym:
    """One symbol in three spellings: plain text, LaTeX, HTML."""

    text: str
    latex: str
    html: str

    def __str__(self) -> str:
        return self.text


def _split(name: str) -> tuple[str, str | None]:
    """'W^(1)' -> ('W', '1'); 'beta' -> ('beta', None)."""
    if name.endswith(")") and "^(" in name:
        base, idx = name[:-1].split("^(", 1)
        return base, idx
    return name, None


def _base_latex(base: str) -> str:
    if base in _LATEX_NAMES:
        return _LATEX_NAMES[base]
    head, _, sub = base.partition("_")
    head = "\\" + head if head in _GREEK else head if len(head) == 1 else rf"\mathrm{{{head}}}"
    return f"{head}_{{{sub}}}" if sub else head


def _base_html(base: str) -> str:
    if base == "y_hat":
        return "<i>&ycirc;</i>"
    head, _, sub = base.partition("_")
    head = f"&{head};" if head in _GREEK else f"<i>{head}</i>" if len(head) == 1 else head
    return f"{head}<sub>{sub}</sub>" if sub else head


def sym(name: str) -> Sym:
    """A text name such as 'W^(1)' or 'beta_0' in its three spellings."""
    base, idx = _split(name)
    if idx is None:
        return Sym(name, _base_latex(base), _base_html(base))
    return Sym(name, f"{_base_latex(base)}^{{({idx})}}", f"{_base_html(base)}<sup>({idx})</sup>")


def _d(s: Sym) -> Sym:
    """dJ/ds."""
    return Sym(f"dJ/d{s.text}", rf"\frac{{\partial J}}{{\partial {s.latex}}}",
               f"&part;<i>J</i>/&part;{s.html}")


@dataclass(frozen=True)
class Notation:
    """How a trace names and signs its quantities (see the module's docstring)."""

    delta: str = "+dJ/dnet"
    first_layer: int = 0
    augmented: bool = False
    names: Mapping[str, str] | Sequence[str] | None = field(default=None, hash=False, compare=False)

    def __post_init__(self) -> None:
        d = self.delta.replace(" ", "")
        if d in ("+", "plus", "dJ/dnet"):
            d = "+dJ/dnet"
        elif d in ("-", "minus"):
            d = "-dJ/dnet"
        if d not in DELTAS:
            raise ValueError(f"explain: delta must be '+dJ/dnet' or '-dJ/dnet', got {self.delta!r}")
        object.__setattr__(self, "delta", d)
        if self.first_layer not in (0, 1):
            raise ValueError(f"explain: first_layer must be 0 or 1, got {self.first_layer!r}")
        if isinstance(self.names, Mapping):
            if not all(isinstance(k, str) and isinstance(v, str) and v for k, v in self.names.items()):
                raise TypeError("explain: names must map symbols to new names, both strings, e.g. "
                                f"{{'W^(1)': 'beta'}}, got {dict(self.names)!r}")
        elif self.names is not None:
            if isinstance(self.names, str) or not all(isinstance(n, str) for n in self.names):
                raise TypeError("explain: names must be a dict {'W^(1)': 'beta', ...} or a list of weight "
                                f"names ['beta', 'theta'], got {self.names!r}")

    @property
    def sign(self) -> float:
        """+1 or -1: the printed delta is sign * dJ/dnet."""
        return 1.0 if self.delta == "+dJ/dnet" else -1.0

    def _rename(self, default: str, kind: str = "", layer: int = 0) -> Sym:
        names = self.names
        if names is None:
            return sym(default)
        if isinstance(names, Mapping):
            return sym(names.get(default, default))
        if kind in ("W", "b") and 1 <= layer <= len(names):
            return sym(names[layer - 1] + ("_0" if kind == "b" else ""))
        return sym(default)

    def idx(self, layer: int) -> int:
        return layer + self.first_layer

    def a(self, layer: int) -> Sym:
        return self._rename(f"a^({self.idx(layer)})")

    def net(self, layer: int) -> Sym:
        return self._rename(f"net^({self.idx(layer)})")

    def delta_sym(self, layer: int) -> Sym:
        return self._rename(f"delta^({self.idx(layer)})")

    def W(self, layer: int) -> Sym:
        if self.augmented:
            return self._rename(f"Theta^({self.idx(layer) - 1})", "W", layer)
        return self._rename(f"W^({self.idx(layer)})", "W", layer)

    def b(self, layer: int) -> Sym:
        return self._rename(f"b^({self.idx(layer)})", "b", layer)

    def dW(self, layer: int) -> Sym:
        return _d(self.W(layer))

    def db(self, layer: int) -> Sym:
        return _d(self.b(layer))

    def dg(self, layer: int) -> Sym:
        n = self.net(layer)
        return Sym(f"g'({n.text})", f"g'({n.latex})", f"<i>g</i>'({n.html})")

    def da(self, layer: int) -> Sym:
        return _d(self.a(layer))

    def delta_def(self) -> str:
        return "dJ/dnet" if self.sign > 0 else "-dJ/dnet"


def as_notation(notation: Any = None, **kw: Any) -> Notation:
    """A Notation from one, from a dict of its fields, or from keywords (None ones ignored)."""
    kw = {k: v for k, v in kw.items() if v is not None}
    if notation is None:
        return Notation(**kw)
    if isinstance(notation, Notation):
        if not kw:
            return notation
        from dataclasses import replace

        return replace(notation, **kw)
    if isinstance(notation, Mapping):
        return Notation(**{**notation, **kw})
    raise TypeError(f"explain: notation must be a Notation or a dict, got {type(notation).__name__}")
