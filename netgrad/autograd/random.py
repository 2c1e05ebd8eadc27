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


_MT_N = 624


def _mt_key(seed: int) -> np.ndarray:
    """mt19937's init_genrand on the low 32 bits of ``seed`` (what torch's CPU generator does)."""
    key = [seed & 0xFFFFFFFF]
    for i in range(1, _MT_N):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


class Generator:
    """A seedable random source: PyTorch's CPU engine (mt19937 seeded as torch seeds it, plus the
    cached second normal of its scalar Box-Muller), so ``manual_seed(s)`` followed by ``rand``,
    ``randn``, ``randint``, ``randperm``, ``multinomial``... gives torch's numbers
    (``random_kernels.py``). Its state is plain Python data (saved in checkpoints)."""

    def __init__(self, seed: Any = None, *, device: Any = "cpu"):
        # torch.Generator(device='cpu') / torch.Generator('cpu'); netgrad's Generator(seed) too
        if isinstance(seed, str) or type(seed).__name__ == "device":
            seed, device = None, seed
        check_device(device, "Generator")
        self.device = _device(device)
        self._bitgen = np.random.MT19937(0)
        self._rng = np.random.Generator(self._bitgen)
        self._normal_cache: float | None = None
        if seed is None:
            self.seed()
        else:
            self.manual_seed(seed)

    def seed(self) -> int:
        """Re-seed from fresh entropy and return the new seed."""
        new = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(new)
        return new

    def manual_seed(self, seed: int) -> Generator:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
        seed = int(seed)
        if not -(2 ** 63) <= seed < 2 ** 64:
            raise RuntimeError(f"manual_seed: seed must be within [-2**63, 2**64), got {seed}")
        self._seed = seed % 2 ** 64
        self._bitgen.state = {"bit_generator": "MT19937", "state": {"key": _mt_key(self._seed), "pos": _MT_N}}
        self._normal_cache = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        """The engine's state, torch's cached normal and the seed, as plain Python data."""
        st = self._bitgen.state["state"]
        return {"bit_generator": "MT19937", "key": [int(k) for k in st["key"]], "pos": int(st["pos"]),
                "normal_cache": self._normal_cache, "seed": self._seed}

    def set_state(self, state: dict) -> None:
        if not isinstance(state, dict) or state.get("bit_generator") != "MT19937" or "key" not in state:
            raise ValueError("set_state: expected a state from netgrad's Generator.get_state() "
                             "(an MT19937 key, position and cached normal)")
        key = np.asarray(state["key"], dtype=np.uint32)
        self._bitgen.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": int(state["pos"])}}
        cache = state.get("normal_cache")
        self._normal_cache = None if cache is None else float(cache)
        self._seed = int(state.get("seed", self._seed))

    @property
    def numpy(self) -> np.random.Generator:
        """A ``numpy.random.Generator`` over the same engine, for library code (its draws advance
        this generator's stream)."""
        return self._rng


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed netgrad's default generator: initialisation, dropout, shuffling all follow it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from fresh entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
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


def generator_of(generator: Generator | None = None, op: str = "random") -> Generator:
    """The ``Generator`` to draw from: ``generator``, else this thread's current one."""
    if generator is None:
        return _local.generator or default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}(): argument 'generator' must be a netgrad Generator, not "
                        f"{type(generator).__name__}")
    return generator
