"""Training checkpoints: model, optimiser, scheduler, epoch and random-number state in one file
(``ng.save`` format: no pickle, written atomically).

>>> import os, tempfile
>>> import netgrad as ng
>>> from netgrad import nn, optim
>>> from netgrad.train import load_checkpoint, save_checkpoint
>>> model = nn.Linear(2, 1); opt = optim.SGD(model.parameters(), lr=0.1)
>>> path = os.path.join(tempfile.mkdtemp(), "ckpt.ngz")
>>> save_checkpoint(path, model, opt, epoch=3, note="hello")
>>> ck = load_checkpoint(path, model, opt)
>>> ck["epoch"], ck["extra"]["note"]
(3, 'hello')
"""

from __future__ import annotations

import os
from typing import Any

from ..autograd.random import Generator, current_generator
from ..serialization import load, save

__all__ = ["save_checkpoint", "load_checkpoint"]

_KIND = "netgrad-checkpoint"


def save_checkpoint(path: str | os.PathLike, model: Any, optimizer: Any = None, scheduler: Any = None,
                    epoch: int | None = None, *, generator: Generator | None = None,
                    rng_state: dict | None = None, **extra: Any) -> None:
    """Write model, optimiser and scheduler state dicts, ``epoch``, the state of netgrad's current
    generator (the default one, or a ``use_generator`` block's, e.g. a seeded fit's; ``rng_state``
    instead when given), ``generator``'s (e.g. a DataLoader's) and ``extra`` (anything ``ng.save``
    takes)."""
    save({
        "kind": _KIND, "version": 1, "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "rng": {"default": rng_state if rng_state is not None else current_generator().get_state(),
                "generator": generator.get_state() if generator is not None else None},
        "extra": extra,
    }, path)


def load_checkpoint(path: str | os.PathLike, model: Any, optimizer: Any = None, scheduler: Any = None, *,
                    generator: Generator | None = None, restore_rng: bool = True) -> dict[str, Any]:
    """Restore what ``save_checkpoint`` wrote into ``model`` (and ``optimizer``, ``scheduler``,
    ``generator`` when given); by default also netgrad's current generator (the default one, or
    a ``use_generator`` block's). Returns the whole
    checkpoint dict (``epoch``, ``extra``, the state dicts)."""
    ck = load(path)
    if not isinstance(ck, dict) or ck.get("kind") != _KIND:
        raise ValueError(f"load_checkpoint: {os.fspath(path)} is not a netgrad training checkpoint "
                         "(use ng.load for plain saved objects)")
    model.load_state_dict(ck["model"])
    if optimizer is not None:
        if ck.get("optimizer") is None:
            raise ValueError(f"load_checkpoint: {os.fspath(path)} holds no optimiser state")
        optimizer.load_state_dict(ck["optimizer"])
    if scheduler is not None and ck.get("scheduler") is not None:
        scheduler.load_state_dict(ck["scheduler"])
    rng = ck.get("rng") or {}
    if restore_rng and rng.get("default") is not None:
        current_generator().set_state(rng["default"])
    if generator is not None and rng.get("generator") is not None:
        generator.set_state(rng["generator"])
    return ck
