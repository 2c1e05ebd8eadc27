"""Argument checks shared by the optimisers (PyTorch's messages)."""

from __future__ import annotations


def check_hyper(name: str, **values: float) -> None:
    for key, v in values.items():
        if not isinstance(v, (int, float)) or v != v or v < 0:
            raise ValueError(f"{name}: invalid {key} value: {v} (must be a number >= 0)")


def check_betas(name: str, betas: tuple[float, float]) -> None:
    if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
        raise ValueError(f"{name}: invalid betas {betas} (two values in [0, 1))")
