"""Seeded randomness: every random number in netgrad comes from a ``Generator``.

>>> import netgrad as ng
>>> _ = ng.manual_seed(0); a = ng.rand(2)
>>> _ = ng.manual_seed(0); b = ng.rand(2)
>>> bool((a == b).all())
True
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from .device import check_device
from .device import device as _device


class Generator:
    """A seedable random source (NumPy's PCG64) with a JSON-serialisable state."""

    def __init__(self, seed: Any = None, *, device: Any = "cpu"):
        # torch.Generator(device='cpu') / torch.Generator('cpu'); netgrad's Generator(seed) too
        if isinstance(seed, str) or type(seed).__name__ == "device":
            seed, device = None, seed
        check_device(device, "Generator")
        self.device = _device(device)
        self._rng = np.random.default_rng(seed)
        self._seed = seed

    def seed(self) -> int:
        """Re-seed from fresh entropy and return the new seed."""
        new = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(new)
        return new

    def manual_seed(self, seed: int) -> Generator:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int | None:
        return self._seed

    def get_state(self) -> dict:
        """The bit generator's state as plain Python data (saved in checkpoints)."""
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self._rng.bit_generator.state = state

    @property
    def numpy(self) -> np.random.Generator:
        """The underlying ``numpy.random.Generator``, for library code."""
        return self._rng


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed netgrad's default generator: initialisation, dropout, shuffling all follow it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from fresh entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int | None:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


class _Local(threading.local):
    generator: Generator | None = None


_local = _Local()


def current_generator() -> Generator:
    """The generator that draws made without ``generator=`` use in this thread: the one a
    ``use_generator`` block set, else ``default_generator``."""
    return _local.generator or default_generator


@contextmanager
def use_generator(generator: Generator) -> Iterator[Generator]:
    """In this thread only, make every draw without ``generator=`` (initialisation, dropout,
    shuffling) come from ``generator``; other threads and the global state are untouched, so
    concurrent fits each own their random stream.

    >>> import netgrad as ng
    >>> from netgrad.autograd.random import use_generator
    >>> with use_generator(ng.Generator(5)):
    ...     a = ng.rand(2)
    >>> bool((a == ng.rand(2, generator=ng.Generator(5))).all())
    True
    """
    if not isinstance(generator, Generator):
        raise TypeError(f"use_generator: expected a netgrad Generator, got {type(generator).__name__}")
    prev = _local.generator
    _local.generator = generator
    try:
        yield generator
    finally:
        _local.generator = prev


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator``'s, else this thread's current one."""
    return (generator or _local.generator or default_generator).numpy
