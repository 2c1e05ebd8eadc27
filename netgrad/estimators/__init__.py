"""scikit-learn estimators on netgrad: ``MLPClassifier`` and ``MLPRegressor``.

scikit-learn is needed only here (``pip install netgrad[sklearn]``); the names load on first use,
so ``netgrad.estimators.network`` (shared with the command line) works without it.

>>> from netgrad.estimators import MLPClassifier           # doctest: +SKIP
>>> clf = MLPClassifier(hidden_layer_sizes=(32,), random_state=0).fit(X, y)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module defining it; add a line per estimator
_EXPORTS: dict[str, str] = {
    "MLPClassifier": "netgrad.estimators.mlp",
    "MLPRegressor": "netgrad.estimators.mlp",
    "Perceptron": "netgrad.estimators.perceptron",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'netgrad.estimators' has no attribute {name!r}")
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] in ("sklearn", "scipy"):
            raise ModuleNotFoundError(
                "netgrad.estimators needs scikit-learn: pip install 'netgrad[sklearn]'", name=e.name
            ) from e
        raise


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
